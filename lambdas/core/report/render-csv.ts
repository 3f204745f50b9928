/**
 * The CSV report: one row per cluster × check, RFC 4180 (CRLF line ends, every field quoted when
 * it holds a comma, a quote or a line break, quotes doubled).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */
import { fleetFindings } from './report-model.js';
import type { Finding, ReportModel } from './report-model.js';

/**
 * The columns, in order (the header row): the identity every finding carries (conventions.md §
 * Reports), then the account name and check title, which are known only sometimes.
 */
export const CSV_COLUMNS = [
  'account_id',
  'region',
  'cluster_name',
  'cluster_arn',
  'scan_id',
  'check_id',
  'status',
  'severity',
  'muted',
  'muted_reason',
  'first_seen_at',
  'last_transition_at',
  'summary',
  'remediation',
  'account_name',
  'title',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The cells of one finding, by column. */
export function csvRecord(f: Finding): Record<CsvColumn, string> {
  const c = f.check;
  return {
    account_id: f.cluster.accountId,
    account_name: f.cluster.accountName ?? '',
    region: f.cluster.region,
    cluster_name: f.cluster.name,
    cluster_arn: f.clusterArn,
    scan_id: f.scanId,
    check_id: c.id,
    title: c.title ?? '',
    status: c.status,
    severity: c.severity,
    muted: c.muted ? 'true' : 'false',
    muted_reason: c.mutedReason ?? '',
    first_seen_at: c.firstSeenAt ?? '',
    last_transition_at: c.lastTransitionAt ?? '',
    summary: f.summary,
    remediation: c.remediation,
  };
}

/**
 * A cell a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, or a tab or CR that
 * some spreadsheets skip before one) gets a leading `'`, as OWASP advises: evidence text comes
 * from clusters and must not run in the reader's spreadsheet.
 *
 * @see https://owasp.org/www-community/attacks/CSV_Injection
 */
export function guardFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
export function csvField(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The CSV report of the model: a header row, then one row per cluster × check; CRLF after every row. */
export function renderCsv(model: ReportModel): string {
  const line = (cells: readonly string[]) => `${cells.map((c) => csvField(guardFormula(c))).join(',')}\r\n`;
  const rows = fleetFindings(model).map((f) => {
    const record = csvRecord(f);
    return line(CSV_COLUMNS.map((col) => record[col]));
  });
  return [line(CSV_COLUMNS), ...rows].join('');
}
