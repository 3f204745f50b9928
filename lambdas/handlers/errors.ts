/**
 * Errors of the Lambda entry points. The Lambda runtime reports an error's `name` as its type,
 * so a state machine can `Catch` on `HandlerInputError` (a bad payload: retrying cannot help)
 * apart from the rest.
 */
export class HandlerError extends Error {
  override readonly name: string = 'HandlerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The event is not the payload this handler takes; `problems` has one `field: why` line each. */
export class HandlerInputError extends HandlerError {
  override readonly name = 'HandlerInputError';
  constructor(
    readonly handler: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${handler} input: ${problems.join('; ')}`);
  }
}

/** The function's environment is unusable; `problems` has one `VARIABLE: why` line each. */
export class HandlerConfigError extends HandlerError {
  override readonly name = 'HandlerConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}
