/** One entry point for every report format: `renderReport(model, format)`. */
import { UnknownReportFormatError } from './errors.js';
import { renderAsff } from './render-asff.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderJunit } from './render-junit.js';
import { renderSarif } from './render-sarif.js';
import type { ReportModel } from './report-model.js';

export const REPORT_FORMATS = ['json', 'csv', 'html', 'junit', 'sarif', 'asff'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Readonly<Record<ReportFormat, (model: ReportModel) => string>> = {
  json: renderJson,
  csv: renderCsv,
  html: renderHtml,
  junit: renderJunit,
  sarif: renderSarif,
  asff: renderAsff,
};

/** The media type each format is served as (conventions.md § API). */
export const REPORT_MEDIA_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  junit: 'application/xml',
  sarif: 'application/sarif+json',
  asff: 'application/json',
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * The report of `model` in `format`, as text.
 *
 * @throws UnknownReportFormatError for a format not in {@link REPORT_FORMATS} (a caller that
 *   parsed its flags with {@link isReportFormat} never sees it)
 * @example renderReport(reportModel(fleetReport, previous.clusters), 'html')
 */
export function renderReport(model: ReportModel, format: ReportFormat): string {
  if (!isReportFormat(format)) throw new UnknownReportFormatError(format, REPORT_FORMATS);
  return RENDERERS[format](model);
}
