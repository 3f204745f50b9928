/** The one base error of lambdas/core/report: a report that cannot be rendered. */
export class ReportError extends Error {
  override readonly name: string = 'ReportError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A format name that is not one of {@link REPORT_FORMATS}. */
export class UnknownReportFormatError extends ReportError {
  override readonly name = 'UnknownReportFormatError';
  constructor(
    /** the format asked for */
    readonly format: string,
    allowed: readonly string[],
  ) {
    super(`unknown report format ${JSON.stringify(format)}: expected one of ${allowed.join(', ')}`);
  }
}
