/**
 * The CLI as a process: real stdout and stderr, plus what only a process can handle — a standard
 * output that fails (a full disk, `>/dev/full`, a reader that went away) and the AWS SDK's
 * Node.js support warning. bin/fleet-dns.ts calls {@link runCliProcess}; tests call `runCli`.
 */
import { CliError, EXIT } from './errors.js';
import { errorLine, runCli } from './program.js';
import type { CliIo } from './program.js';

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  // The first Ctrl-C asks the command to stop cleanly; a second one ends the process at once.
  onInterrupt(listener) {
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) process.exit(EXIT.INTERRUPTED);
      interrupted = true;
      listener();
    };
    process.on('SIGINT', onSigint);
    return () => void process.off('SIGINT', onSigint);
  },
};

/**
 * How standard output ended: `open` while writes succeed; `closed` when the reader went away
 * (EPIPE: `fleet-dns … | head -1` has what it wanted, so the rest is dropped without a word);
 * `failed` when a write failed otherwise (ENOSPC, EIO…): one error line and exit 1.
 */
let stdoutState: 'open' | 'closed' | 'failed' = 'open';

function onStdoutError(err: NodeJS.ErrnoException): void {
  if (stdoutState !== 'open') return;
  if (err.code === 'EPIPE') {
    stdoutState = 'closed';
    return;
  }
  stdoutState = 'failed';
  process.stderr.write(errorLine(`cannot write to standard output: ${err.message}`));
  process.exitCode = EXIT.TOOL_ERROR;
}

/**
 * Runs the CLI on the process's argv, stdout and stderr, and sets `process.exitCode`: the
 * command's exit code, or 1 when its results could not be written. A closed pipe keeps the
 * command's own exit code (0 when it ran) and prints nothing.
 */
export async function runCliProcess(argv: readonly string[]): Promise<void> {
  // The SDK's documented switch (@aws-sdk/core emitWarningIfUnsupportedVersion): its multi-line
  // notice about future Node.js versions would precede every error line and tells the person
  // running an audit nothing about it. A value the person set stays.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A write error is emitted as an 'error' event; unhandled, Node prints a stack and exits.
  process.stdout.on('error', onStdoutError);
  // Nowhere left to report a failing stderr: the exit code still tells.
  process.stderr.on('error', () => undefined);
  let code: number;
  try {
    code = await runCli(argv, processIo);
  } catch (err) {
    // runCli never throws; this is the last guard that keeps the one-line promise.
    process.stderr.write(errorLine(err instanceof Error ? err.message : String(err)));
    code = err instanceof CliError ? err.exitCode : EXIT.TOOL_ERROR;
  }
  process.exitCode = stdoutState === 'failed' ? EXIT.TOOL_ERROR : code;
}
