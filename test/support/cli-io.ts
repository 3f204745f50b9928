import { runCli } from '../../lambdas/cli/index.js';
import type { CliIo } from '../../lambdas/cli/index.js';

/** An in-memory CliIo: run the CLI in-process and read what it printed. */
export function captureIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stderrIsTTY: false,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

/** A CLI run: its exit code and everything it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI in-process with `argv` (stderr not a terminal): the command's logic without the
 * seconds a process start takes, in the shape of a spawned run (test/unit/cli/spawn-cli.ts), so a
 * test can say the same of either. What only a process shows (its exit status, its streams
 * failing, its environment) stays with the spawned tests.
 */
export async function runCliInProcess(argv: readonly string[]): Promise<CliRun> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}
