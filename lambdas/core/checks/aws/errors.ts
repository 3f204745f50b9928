/** The one base error of the AWS-side checks: the audit was called with options it cannot use. */
export class AwsAuditError extends Error {
  override readonly name: string = 'AwsAuditError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
