import './commands/index.js';
export { runCli } from './program.js';
export type { CliIo } from './program.js';
export { processIo, runCliProcess } from './process-io.js';
export { EXIT, CliError, UsageError } from './errors.js';
