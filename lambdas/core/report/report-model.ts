/**
 * The one model every report renders: the fleet report of a scan (`{ scan, clusters, coverage }`,
 * conventions.md) plus, optionally, the previous scan's cluster results. Everything a renderer
 * shows — findings with their identity, status counts, the worst clusters, regressions, findings
 * that passed again — is derived here, once, so the formats cannot disagree.
 */
import { formatClusterArn } from '../results/cluster-arn.js';
import { SEVERITIES, STATUSES } from '../schema/index.js';
import type {
  CheckResult,
  ClusterIdentity,
  ClusterResult,
  FleetReport,
  Severity,
  Status,
} from '../schema/index.js';

/** A fleet report and, when known, the previous scan's cluster results (for regressions and resolutions). */
export interface ReportModel extends FleetReport {
  /** the previous scan's cluster results; @default none: no regressions, nothing resolved */
  readonly previous?: readonly ClusterResult[];
}

/**
 * The model of `report`, with the previous scan's results when there are any.
 *
 * @example reportModel(buildFleetReport({ scan, clusters }), previousReport.clusters)
 */
export function reportModel(report: FleetReport, previous?: readonly ClusterResult[]): ReportModel {
  return previous === undefined ? { ...report } : { ...report, previous };
}

/** One cluster × check: the check result with the identity every finding carries (conventions.md § Reports). */
export interface Finding {
  readonly cluster: ClusterIdentity;
  /** the cluster's ARN (built from its identity when the result carries none) */
  readonly clusterArn: string;
  /** the scan the result belongs to (the cluster's own, else the report's) */
  readonly scanId: string;
  readonly check: CheckResult;
  /** the line a person reads: `evidence.summary`, else `evidence.reason`, else the title */
  readonly summary: string;
}

/** The line a person reads for a check: its evidence summary, else its reason, else its title. */
export function findingSummary(check: CheckResult): string {
  const evidence = check.evidence as { summary?: unknown; reason?: unknown };
  if (typeof evidence.summary === 'string') return evidence.summary;
  if (typeof evidence.reason === 'string') return evidence.reason;
  return check.title ?? check.id;
}

/** The ARN of a cluster result: its own, else built from its identity in the region's partition. */
export function clusterArnOf(cluster: ClusterIdentity): string {
  return cluster.arn ?? formatClusterArn(cluster);
}

/** The findings of one cluster result, in check order. */
export function clusterFindings(result: ClusterResult, fallbackScanId: string): Finding[] {
  const clusterArn = clusterArnOf(result.cluster);
  const scanId = result.scan?.id ?? fallbackScanId;
  return result.checks.map((check) => ({
    cluster: result.cluster,
    clusterArn,
    scanId,
    check,
    summary: findingSummary(check),
  }));
}

/** Every finding of the fleet: clusters in report order, checks in result order. */
export function fleetFindings(model: ReportModel): Finding[] {
  return model.clusters.flatMap((c) => clusterFindings(c, model.scan.id));
}

/** Counts of check results by status, muted ones apart. */
export interface StatusCounts {
  /** unmuted results per status */
  readonly byStatus: Readonly<Record<Status, number>>;
  /** muted results, whatever their status */
  readonly muted: number;
  readonly total: number;
}

/** The status counts of `checks` (muted results counted apart: they take no part in gates). */
export function statusCounts(checks: readonly CheckResult[]): StatusCounts {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  let muted = 0;
  for (const c of checks) {
    if (c.muted) muted += 1;
    else byStatus[c.status] += 1;
  }
  return { byStatus, muted, total: checks.length };
}

/** The status counts of the whole fleet. */
export function fleetStatusCounts(model: ReportModel): StatusCounts {
  return statusCounts(model.clusters.flatMap((c) => c.checks));
}

/** Lower is more severe: critical 0 … info 4. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * The clusters, worst first: by their most severe unmuted FAIL, then the number of unmuted FAILs,
 * ERRORs and WARNs, then by id (a stable order for equal clusters).
 */
export function worstClustersFirst(model: ReportModel): ClusterResult[] {
  const key = (c: ClusterResult) => {
    const unmuted = c.checks.filter((r) => !r.muted);
    const fails = unmuted.filter((r) => r.status === 'FAIL');
    const count = (s: Status) => unmuted.filter((r) => r.status === s).length;
    const worst = Math.min(SEVERITIES.length, ...fails.map((r) => severityRank(r.severity)));
    return [worst, -fails.length, -count('ERROR'), -count('WARN')];
  };
  return [...model.clusters].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.cluster.id < b.cluster.id ? -1 : a.cluster.id > b.cluster.id ? 1 : 0;
  });
}

/** A check that is FAIL now and was not FAIL in the previous scan. */
export interface Regression {
  readonly finding: Finding;
  /** its status in the previous scan */
  readonly from: Status;
}

/** A check that was FAIL or WARN in the previous scan and PASSes now. */
export interface Resolution {
  readonly finding: Finding;
  readonly from: Status;
}

function previousStatuses(model: ReportModel): Map<string, Status> | undefined {
  if (model.previous === undefined) return undefined;
  return new Map(
    model.previous.flatMap((c) => c.checks.map((r) => [findingKey(c.cluster.id, r.id), r.status] as const)),
  );
}

/** The key of a cluster × check across scans. */
export function findingKey(clusterId: string, checkId: string): string {
  return `${clusterId} ${checkId}`;
}

/**
 * Regressions since the previous scan: checks FAIL now whose previous result was another status.
 * A cluster or check the previous scan did not have is new, not a regression (there is nothing
 * to compare with). Muted ones are listed too (flagged): a muted FAIL is still a FAIL.
 * Empty when the model has no previous scan.
 */
export function regressions(model: ReportModel): Regression[] {
  const before = previousStatuses(model);
  if (before === undefined) return [];
  return fleetFindings(model).flatMap((finding) => {
    const from = before.get(findingKey(finding.cluster.id, finding.check.id));
    return finding.check.status === 'FAIL' && from !== undefined && from !== 'FAIL'
      ? [{ finding, from }]
      : [];
  });
}

/** Findings that were FAIL or WARN in the previous scan and PASS now. Empty without a previous scan. */
export function resolutions(model: ReportModel): Resolution[] {
  const before = previousStatuses(model);
  if (before === undefined) return [];
  return fleetFindings(model).flatMap((finding) => {
    const from = before.get(findingKey(finding.cluster.id, finding.check.id));
    return finding.check.status === 'PASS' && (from === 'FAIL' || from === 'WARN') ? [{ finding, from }] : [];
  });
}
