/**
 * The `fleet-dns` command line: commander program, one module per subcommand under commands/.
 * Commands only wire adapters to the core. Results go to stdout, progress and errors to stderr,
 * all through {@link CommandContext}'s printers, which make terminal text harmless.
 */
import { Command, CommanderError } from 'commander';
import { actionableError } from './actionable-errors.js';
import { EXIT } from './errors.js';
import type { ExitCode } from './errors.js';
import {
  escapeControlCharacters,
  escapeDocumentControlCharacters,
  jsonForTerminal,
  terminalLine,
} from './format/terminal-text.js';
import packageJson from '../../package.json' with { type: 'json' };

/** Where a command writes: injectable so tests can run the CLI in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** true when stderr is a terminal (progress is shown only then) */
  stderrIsTTY: boolean;
  /**
   * Calls `listener` on an interrupt (Ctrl-C) until the returned function is called; absent when
   * the caller cannot be interrupted (tests pass their own).
   */
  onInterrupt?: (listener: () => void) => () => void;
}

/** A subcommand registers itself on the program and reports its exit code through `setExit`. */
export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;

/** What a command may print, and how it reports its exit code. */
export interface CommandContext {
  /** A result as text (a table): stdout, control characters escaped. Never changed by --quiet. */
  printText(text: string): void;
  /** A result as JSON: stdout, pretty-printed (JSON escapes control characters itself). */
  printJson(value: unknown): void;
  /** A rendered document (CSV, XML, HTML): stdout as is, but controls other than tab, LF and CR escaped. */
  printDocument(text: string): void;
  /** A result that must not mix into JSON on stdout (lab run's judgement): stderr as text, controls escaped; never changed by --quiet. */
  printTextToStderr(text: string): void;
  /** Progress of work that takes a while: stderr, only when it is a terminal, and not with --quiet / --no-progress. */
  progress(line: string): void;
  /** Where a live progress display (a task list) may draw: stderr when progress is shown, else undefined. */
  progressOutput(): ((text: string) => void) | undefined;
  /**
   * A signal aborted on the first interrupt (Ctrl-C) from now on, for a command that stops
   * cleanly; `release` stops listening. Commands that do not ask keep the default (exit at once).
   */
  interruptSignal(): { signal: AbortSignal; release: () => void };
  /** Something the person should know besides the results: stderr, `fleet-dns: …`, not with --quiet. */
  note(line: string): void;
  setExit(code: ExitCode): void;
}

/** Options every command takes (conventions.md: progress is quiet with `--quiet`). */
interface GlobalOptions {
  debug?: boolean;
  quiet?: boolean;
  /** false with --no-progress */
  progress: boolean;
}

const registrars: CommandRegistrar[] = [];

/** Adds a subcommand to every program built after this call (commands/index.ts does it). */
export function registerCommand(registrar: CommandRegistrar): void {
  registrars.push(registrar);
}

export function packageVersion(): string {
  return packageJson.version;
}

/** The one line an error prints: `fleet-dns: error: …`, folded to one line, controls escaped. */
export function errorLine(message: string): string {
  return `fleet-dns: error: ${terminalLine(message)}\n`;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws:
 * errors become one line `fleet-dns: error: …` (a stack trace only with --debug).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  const debug = argv.includes('--debug');
  // Commander's own messages start with "error: …": prefix them so every error line reads the same.
  const output = {
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (text: string, write: (t: string) => void) => write(`fleet-dns: ${terminalLine(text)}\n`),
  };
  const program = new Command('fleet-dns')
    .description('Audit cluster DNS health across a fleet of Amazon EKS clusters.')
    .version(packageVersion(), '-V, --version')
    .option('--quiet', 'print results only: no progress and no notes on stderr (errors still print)')
    .option('--no-progress', 'no progress on stderr (shown only when stderr is a terminal anyway)')
    .option('--debug', 'print stack traces on errors')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput(output);
  const globals = () => program.opts<GlobalOptions>();
  const ctx: CommandContext = {
    printText: (text) => io.stdout(escapeControlCharacters(text)),
    printJson: (value) => io.stdout(`${jsonForTerminal(value)}\n`),
    printDocument: (text) => io.stdout(escapeDocumentControlCharacters(text)),
    printTextToStderr: (text) => io.stderr(escapeControlCharacters(text)),
    progress(line) {
      const { quiet, progress } = globals();
      if (io.stderrIsTTY && progress && !quiet) io.stderr(`${terminalLine(line)}\n`);
    },
    progressOutput() {
      const { quiet, progress } = globals();
      return io.stderrIsTTY && progress && !quiet ? io.stderr : undefined;
    },
    interruptSignal() {
      const controller = new AbortController();
      const release = io.onInterrupt?.(() => controller.abort()) ?? (() => undefined);
      return { signal: controller.signal, release };
    },
    note(line) {
      if (!globals().quiet) io.stderr(`fleet-dns: ${terminalLine(line)}\n`);
    },
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
    // One line a person can act on (credentials, access, reachability), with its exit code.
    const { message, exitCode: code } = actionableError(err);
    io.stderr(errorLine(message));
    if (debug && err instanceof Error && err.stack) io.stderr(`${escapeControlCharacters(err.stack)}\n`);
    return code;
  }
}
