/** The one base error of lambdas/core/snapshot: a document that is not a usable network snapshot. */
export class SnapshotError extends Error {
  override readonly name: string = 'SnapshotError';
  constructor(
    message: string,
    /** every problem found, each `path: what is wrong` (the message holds the first few) */
    readonly problems: readonly string[] = [message],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
