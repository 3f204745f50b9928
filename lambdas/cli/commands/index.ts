/**
 * Every subcommand, registered once. Add a command: write commands/<name>.ts exporting a
 * `CommandRegistrar`, and list it here.
 */
import { registerCommand } from '../program.js';
import { auditNetworkCommand } from './audit-network.js';
import { demoCommand } from './demo.js';
import { labCommand } from './lab.js';

const commands: Array<Parameters<typeof registerCommand>[0]> = [auditNetworkCommand, demoCommand, labCommand];

for (const command of commands) registerCommand(command);
