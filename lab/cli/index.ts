/**
 * The commands that run the lab — `fleet-dns lab …` and `fleet-dns demo` — registered on the CLI
 * by the entry point (bin/fleet-dns.ts). They live here, not in lambdas/cli, because the CLI and
 * the Lambda handlers never import lab/ (a house rule eslint enforces): the lab composes itself in.
 */
import { registerCommand } from '../../lambdas/cli/program.js';
import { demoCommand } from './demo-command.js';
import { labCommand } from './lab-command.js';

registerCommand(demoCommand);
registerCommand(labCommand);
