/** The one base error of lambdas/core/results: an identity or result that cannot be built. */
export class ResultsError extends Error {
  override readonly name: string = 'ResultsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A cluster id, cluster ARN or bare cluster name that is not well formed; the message says which part. */
export class ClusterIdentityError extends ResultsError {
  override readonly name = 'ClusterIdentityError';
  constructor(
    message: string,
    /** the text that was rejected */
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
