/** Base error of the runner-results module (signing, framing, combining). Verification returns error values; this is for bad arguments. */
export class RunnerResultsError extends Error {
  override readonly name: string = 'RunnerResultsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
