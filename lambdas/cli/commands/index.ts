/**
 * Every subcommand of lambdas/cli, registered once. Add a command: write commands/<name>.ts
 * exporting a `CommandRegistrar`, and list it here. (`lab` and `demo` run the netns lab and are
 * registered from lab/cli by the entry point.)
 */
import { registerCommand } from '../program.js';
import { auditNetworkCommand } from './audit-network.js';
import { gateCommand } from './gate.js';
import { mutelistCommand } from './mutelist.js';
import { onboardCommand } from './onboard.js';
import { reportCommand } from './report.js';
import { scanCommand } from './scan.js';
import { serveCommand } from './serve.js';

registerCommand(scanCommand);
registerCommand(auditNetworkCommand);
registerCommand(onboardCommand);
registerCommand(mutelistCommand);
registerCommand(reportCommand);
registerCommand(gateCommand);
registerCommand(serveCommand);
