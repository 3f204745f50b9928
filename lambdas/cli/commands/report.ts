/**
 * `fleet-dns report`: the report of the newest fleet scan in the results store (or of `--scan ID`),
 * with regressions against each cluster's previous scan, optionally a mutelist applied, in any
 * format lambdas/core/report renders, or a short per-cluster table. With `--api URL` the same
 * report from a deployed API: its compliance report (`GET /reports/compliance`), each cluster's
 * history (`GET /clusters/{id}/scans`) for the regressions, `GET /scans/{id}` for `--scan`.
 */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Mutelist } from '../../core/mutelist/index.js';
import {
  fleetStatusCounts,
  regressions,
  renderReport,
  REPORT_FORMATS,
  reportModel,
  worstClustersFirst,
} from '../../core/report/index.js';
import type { ReportFormat, ReportModel } from '../../core/report/index.js';
import { findingsExitCode } from '../../core/results/index.js';
import { SEVERITIES, STATUSES } from '../../core/schema/index.js';
import type { ClusterResult, FleetReport, FleetSummary, Severity } from '../../core/schema/index.js';
import { readStoredMutelist, withMutelists } from '../../store/index.js';
import { UsageError } from '../errors.js';
import { formatFleetTable } from '../format/fleet-table.js';
import { oneLine } from '../format/text-table.js';
import type { CommandContext, CommandRegistrar } from '../program.js';
import {
  allLatestResults,
  openResultsForReading,
  previousClusterResult,
  STORE_OPTION_HELP,
} from '../store-access.js';
import type { ReaderOptions, ResultReader } from '../store-access.js';
import { loadMutelistFile } from './mutelist.js';

export const REPORT_COMMAND_FORMATS = ['table', ...REPORT_FORMATS] as const;
export type ReportCommandFormat = (typeof REPORT_COMMAND_FORMATS)[number];

/** Formats that are JSON documents: printed through the CLI's JSON printer. */
const JSON_FORMATS: ReadonlySet<ReportFormat> = new Set(['json', 'sarif', 'asff']);

export interface ReportOptions extends ReaderOptions {
  format: ReportCommandFormat;
  scan?: string;
  output?: string;
  mutelist?: string;
  failOn?: string;
  ignoreExitCode?: boolean;
}

export function parseFailOn(text: string | undefined): Severity | undefined {
  if (text === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(text))
    throw new UsageError(`--fail-on ${JSON.stringify(text)}: expected one of ${SEVERITIES.join(', ')}`);
  return text as Severity;
}

const noScan = (path: string) =>
  new UsageError(`no scan in the store at ${path}: run \`fleet-dns scan\` or \`fleet-dns demo\` first`);

/** The newest scan of a set of results: the latest `startedAt`, then the greatest scan id. */
function newestScanOf(results: readonly ClusterResult[]): FleetReport['scan'] | undefined {
  let newest: FleetReport['scan'] | undefined;
  for (const { scan } of results) {
    if (scan === undefined) continue;
    if (
      newest === undefined ||
      scan.startedAt > newest.startedAt ||
      (scan.startedAt === newest.startedAt && scan.id > newest.id)
    )
      newest = scan;
  }
  return newest;
}

/** Coverage counted from the results, for a store that holds cluster results but no fleet scan run. */
function coverageOf(results: readonly ClusterResult[]): FleetReport['coverage'] {
  return {
    accounts: new Set(results.map((c) => c.cluster.accountId)).size,
    regions: new Set(results.map((c) => `${c.cluster.accountId} ${c.cluster.region}`)).size,
    clustersScanned: results.length,
    gaps: [],
  };
}

/**
 * The fleet report to render: `--scan ID`'s results of every cluster that has one, else the newest
 * scan run with the latest result of each cluster. Each cluster keeps its own scan reference.
 */
export async function loadFleetReport(
  store: ResultReader,
  path: string,
  scanId: string | undefined,
  ctx: CommandContext,
): Promise<FleetReport> {
  const latest = await allLatestResults(store);
  if (scanId !== undefined) {
    const run = await store.getScan(scanId);
    const found = await Promise.all(latest.map((c) => store.getClusterScan(c.cluster.id, scanId)));
    const clusters = found.filter((c): c is ClusterResult => c !== null);
    if (run === null && clusters.length === 0)
      throw new UsageError(`--scan ${JSON.stringify(scanId)}: no such scan in the store at ${path}`);
    const scan = run?.scan ?? newestScanOf(clusters);
    if (scan === undefined)
      throw new UsageError(`--scan ${JSON.stringify(scanId)}: no such scan in the store at ${path}`);
    return { scan, clusters, coverage: run?.coverage ?? coverageOf(clusters) };
  }
  const summary: FleetSummary | null = await store.getSummary();
  if (summary !== null) return { scan: summary.scan, clusters: latest, coverage: summary.coverage };
  const scan = newestScanOf(latest);
  if (scan === undefined) throw noScan(path);
  ctx.note(`the store at ${path} holds no fleet scan run: reporting the latest result of each cluster`);
  return { scan, clusters: latest, coverage: coverageOf(latest) };
}

/** Each cluster's previous stored scan (the history entry before the reported one). */
export async function previousResults(store: ResultReader, report: FleetReport): Promise<ClusterResult[]> {
  const previous = await Promise.all(
    report.clusters.map((c) => previousClusterResult(store, c.cluster.id, c.scan?.id ?? report.scan.id)),
  );
  return previous.filter((c): c is ClusterResult => c !== undefined);
}

/** The `table` format: the scan, the fleet's counts and regressions, then one row per cluster, worst first. */
export function formatReportTable(model: ReportModel): string {
  const counts = fleetStatusCounts(model);
  const { scan, coverage } = model;
  const lines = [
    `scan ${scan.id} · started ${scan.startedAt}${scan.finishedAt ? ` · finished ${scan.finishedAt}` : ''}`,
    `${model.clusters.length} clusters · ${STATUSES.map((s) => `${s} ${counts.byStatus[s]}`).join(' · ')} · muted ${counts.muted}`,
  ];
  const regressed = regressions(model);
  if (regressed.length > 0) {
    lines.push(`${regressed.length} regressions since the previous scan:`);
    for (const r of regressed)
      lines.push(
        `  ${r.finding.cluster.id} ${r.finding.check.id}: ${r.from} → FAIL${r.finding.check.muted ? ' (muted)' : ''}`,
      );
  }
  for (const gap of coverage.gaps)
    lines.push(
      `not scanned: ${gap.clusterId ?? [gap.accountId, gap.region].filter(Boolean).join(':')}: ${oneLine(gap.reason, 150)}`,
    );
  return `${lines.join('\n')}\n\n${formatFleetTable(worstClustersFirst(model))}`;
}

export function render(model: ReportModel, format: ReportCommandFormat): string {
  return format === 'table' ? formatReportTable(model) : renderReport(model, format);
}

export function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such directory'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new UsageError(`--output ${file}: ${why}`, { cause: err });
  }
}

export function print(text: string, format: ReportCommandFormat, ctx: CommandContext): void {
  if (format === 'table') ctx.printText(text);
  // The same JSON value, spelled without raw control characters.
  else if (JSON_FORMATS.has(format)) ctx.printJson(JSON.parse(text));
  else ctx.printDocument(text);
}

async function run(options: ReportOptions, ctx: CommandContext): Promise<void> {
  const failOn = parseFailOn(options.failOn);
  let mutelist: Mutelist | undefined;
  if (options.mutelist !== undefined) {
    mutelist = await loadMutelistFile(options.mutelist, ctx);
    if (mutelist === undefined) return; // its problems are printed, exit 2 set
  }
  const { path, store, api } = openResultsForReading(options);
  if (store === undefined) throw noScan(path);
  let model: ReportModel;
  try {
    // The API's own report (the stored mutelist applied as of now) when it has a fleet scan run.
    const report =
      (api !== undefined && options.scan === undefined ? await api.complianceReport() : null) ??
      (await loadFleetReport(store, path, options.scan, ctx));
    const previous = await previousResults(store, report);
    // the stored mutelist as it is now, then the file's (a mutelist only adds mutes)
    const stored = await readStoredMutelist(store);
    const clusters = report.clusters.map((c) => withMutelists(c, stored, mutelist));
    model = reportModel({ ...report, clusters }, previous);
  } finally {
    await store.close();
  }
  const text = render(model, options.format);
  if (options.output !== undefined) writeOutput(options.output, text);
  else print(text, options.format, ctx);
  ctx.setExit(
    findingsExitCode(model.clusters, {
      ...(failOn ? { failOn } : {}),
      ignoreExitCode: options.ignoreExitCode === true,
    }),
  );
}

/** Registers `report` on the program. */
export const reportCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('report')
    .description(
      "Report the newest fleet scan in the results store: every cluster's latest result, regressions since each cluster's previous scan, coverage gaps; as a table or JSON, CSV, JUnit, SARIF, HTML or ASFF.",
    )
    .option('--store <path>', STORE_OPTION_HELP.store)
    .option('--table <name>', STORE_OPTION_HELP.table)
    .option('--api <url>', STORE_OPTION_HELP.api)
    .option('--region <region>', STORE_OPTION_HELP.region)
    .option('--scan <id>', "report this fleet scan's results instead of the newest")
    .addOption(
      new Option('--format <format>', 'output format').choices(REPORT_COMMAND_FORMATS).default('table'),
    )
    .option('--output <file>', 'write the report to this file instead of standard output')
    .option('--mutelist <file>', 'mute the findings this mutelist file matches (YAML or JSON)')
    .option(
      '--fail-on <severity>',
      `exit 3 when an unmuted FAIL is at or above this severity (${SEVERITIES.join('|')})`,
    )
    .option('--ignore-exit-code', 'exit 0 even when --fail-on matched')
    .action((options: ReportOptions) => run(options, ctx));
};
