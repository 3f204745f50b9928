/** The one base error of lambdas/core/gate. */
export class GateError extends Error {
  override readonly name: string = 'GateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The gate input that is wrong: the API answers 400, the CLI exits 2. */
export type GateInputField = 'clusterId' | 'targetVersion' | 'freshnessHours' | 'gateSeverity' | 'now';

/**
 * A gate request that cannot be judged (checks.md § Gate: 400 for a malformed cluster id or
 * `targetVersion`); `field` names the input, `input` is what was given.
 */
export class GateInputError extends GateError {
  override readonly name = 'GateInputError';
  constructor(
    message: string,
    readonly field: GateInputField,
    readonly input: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
