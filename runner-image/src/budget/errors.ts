/** Base error of the probe budget module. */
export class ProbeBudgetError extends Error {
  override readonly name: string = 'ProbeBudgetError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
