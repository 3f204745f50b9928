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
