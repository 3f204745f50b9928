/** Base error of the probe role. Checks never throw for a finding; this is for unusable options. */
export class ProbeError extends Error {
  override readonly name: string = 'ProbeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
