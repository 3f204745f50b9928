/** Base error of the lab DNS server. */
export class LabDnsServerError extends Error {
  override readonly name: string = 'LabDnsServerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
