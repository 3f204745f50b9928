/** Base error of the runner's capture module. tcpdump failures are error values; this is for bad arguments. */
export class CaptureStartError extends Error {
  override readonly name: string = 'CaptureStartError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
