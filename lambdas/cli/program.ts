/**
 * The `fleet-dns` command line: commander program, one module per subcommand under commands/.
 * Commands only wire adapters to the core. Results go to stdout, progress and errors to stderr.
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import type { ExitCode } from './errors.js';
import packageJson from '../../package.json' with { type: 'json' };

/** Where a command writes: injectable so tests can run the CLI in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** true when stderr is a terminal (progress is shown only then) */
  stderrIsTTY: boolean;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};

/** A subcommand registers itself on the program and reports its exit code through `setExit`. */
export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;

export interface CommandContext {
  readonly io: CliIo;
  setExit(code: ExitCode): void;
}

const registrars: CommandRegistrar[] = [];

/** Adds a subcommand to every program built after this call (commands/index.ts does it). */
export function registerCommand(registrar: CommandRegistrar): void {
  registrars.push(registrar);
}

export function packageVersion(): string {
  return packageJson.version;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws:
 * errors become one line `fleet-dns: error: …` (a stack trace only with --debug).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  const debug = argv.includes('--debug');
  // Commander's own messages start with "error: …": prefix them so every error line reads the same.
  const output = {
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (text: string, write: (t: string) => void) => write(`fleet-dns: ${text}`),
  };
  const program = new Command('fleet-dns')
    .description('Audit cluster DNS health across a fleet of Amazon EKS clusters.')
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    .configureOutput(output);
  const ctx: CommandContext = {
    io,
    setExit(code) {
      exitCode = code;
    },
  };
  for (const register of registrars) register(program, ctx);
  for (const sub of program.commands) sub.exitOverride().configureOutput(output);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      io.stderr(`fleet-dns: error: ${err.message}\n`);
      if (debug && err.stack) io.stderr(`${err.stack}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`fleet-dns: error: ${message}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return EXIT.TOOL_ERROR;
  }
}
