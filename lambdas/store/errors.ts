/**
 * Errors of the results store. One base class, {@link StoreError}; the API maps
 * {@link InvalidCursorError} and {@link InvalidQueryError} to 400, {@link MutelistConflictError} to 409.
 */

/** Base class of every error the results store raises. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A pagination cursor that this store did not issue for this query (tampered, truncated, or from another list). */
export class InvalidCursorError extends StoreError {
  override readonly name = 'InvalidCursorError';
}

/** A list request the store cannot serve: a limit outside 1–100, a malformed filter. */
export class InvalidQueryError extends StoreError {
  override readonly name = 'InvalidQueryError';
}

/** A document the store refuses to keep (not a schema-valid cluster result, no scan, too large after offloading). */
export class InvalidDocumentError extends StoreError {
  override readonly name = 'InvalidDocumentError';
}

/** A conditional mutelist write lost: the stored version is not the one the writer read. */
export class MutelistConflictError extends StoreError {
  override readonly name = 'MutelistConflictError';
  constructor(
    readonly expectedVersion: number | null,
    readonly actualVersion: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      `the mutelist changed meanwhile: expected version ${String(expectedVersion)}, found ${String(actualVersion)}`,
      options,
    );
  }
}

/**
 * The result was stored, but publishing a regression event failed. The event stays pending: the
 * same put, retried, publishes it (and only it) — never a second time once it went out.
 */
export class RegressionPublishError extends StoreError {
  override readonly name = 'RegressionPublishError';
  constructor(
    readonly eventId: string,
    options?: { cause?: unknown },
  ) {
    super(`the result is stored but regression event ${eventId} was not published; retry the put`, options);
  }
}
