/** Base error of the runner's DNS client. Network failures are outcomes, never thrown; this is for bad arguments. */
export class DnsClientError extends Error {
  override readonly name: string = 'DnsClientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
