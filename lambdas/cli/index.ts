import './commands/index.js';
export { runCli, processIo } from './program.js';
export type { CliIo } from './program.js';
export { EXIT, CliError, UsageError } from './errors.js';
