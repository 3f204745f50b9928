/**
 * Reports, rendered from one model (`ReportModel`: a fleet report plus the previous scan's
 * results): JSON, CSV, HTML, JUnit XML, SARIF 2.1.0 and ASFF. Pure: each renderer returns text;
 * the CLI, the API and the handlers write or serve it.
 */
export {
  clusterArnOf,
  clusterFindings,
  findingKey,
  findingSummary,
  fleetFindings,
  fleetStatusCounts,
  regressions,
  reportModel,
  resolutions,
  severityRank,
  statusCounts,
  worstClustersFirst,
} from './report-model.js';
export type { Finding, Regression, ReportModel, Resolution, StatusCounts } from './report-model.js';
export { renderReport, isReportFormat, REPORT_FORMATS, REPORT_MEDIA_TYPES } from './render-report.js';
export type { ReportFormat } from './render-report.js';
export { renderJson } from './render-json.js';
export { renderCsv, CSV_COLUMNS, csvField, csvRecord, guardFormula } from './render-csv.js';
export type { CsvColumn } from './render-csv.js';
export { renderHtml } from './render-html.js';
export { renderJunit, junitOutcome } from './render-junit.js';
export { renderSarif, sarifKindAndLevel, severityLevel, SARIF_SCHEMA_URI } from './render-sarif.js';
export type { SarifKind, SarifLevel } from './render-sarif.js';
export {
  renderAsff,
  asffFindings,
  asffFindingId,
  asffSeverityLabel,
  ASFF_FINDING_TYPE,
  ASFF_SCHEMA_VERSION,
  ASFF_SEVERITY_LABELS,
} from './render-asff.js';
export type { AsffFinding, AsffImporter, AsffOptions, AsffSeverityLabel } from './render-asff.js';
export { escapeAttribute, escapeMarkup } from './escape-markup.js';
export { ReportError, UnknownReportFormatError } from './errors.js';
