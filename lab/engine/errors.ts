/** Errors of the netns lab engine; `LabError` is the module's base class. */
export class LabError extends Error {
  override readonly name: string = 'LabError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A command the lab ran failed: carries the argv, exit code and stderr an operator needs. */
export class LabCommandError extends LabError {
  override readonly name = 'LabCommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(
      `\`${argv.join(' ')}\` failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
      options,
    );
  }
}

/** A scenario file is unusable: the message names the file and the fields at fault. */
export class LabScenarioError extends LabError {
  override readonly name = 'LabScenarioError';
}
