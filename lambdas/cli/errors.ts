/** Exit codes of every fleet-dns command (conventions.md, as Prowler / kube-bench / Pluto). */
export const EXIT = {
  OK: 0,
  TOOL_ERROR: 1,
  USAGE: 2,
  FINDINGS: 3,
  /** stopped by Ctrl-C (128 + SIGINT), after cleaning up: what was collected is stored */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line, `fleet-dns: error: …`, with a given exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Unusable arguments or input (exit 2): the message names what is wrong. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options);
  }
}
