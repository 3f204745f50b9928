/** Base error of the capture module (parsing and correlation return error values; this is for programming errors). */
export class CaptureError extends Error {
  override readonly name: string = 'CaptureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
