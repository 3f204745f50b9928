/** Base error of the pure DNS helpers (lambdas/core/dns). Parsers here return error values; this is for programming errors only. */
export class DnsCoreError extends Error {
  override readonly name: string = 'DnsCoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
