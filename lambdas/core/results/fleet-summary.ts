/**
 * The fleet roll-up of one scan (result.schema.json `fleetSummary`): counts of the clusters'
 * check results by status, severity and check, diagnosis causes, the regressions since each
 * cluster's previous scan, and what could not be scanned. What the deployed Summarize step
 * stores (`putScanRun`) and `GET /summary` answers.
 */
import { CAUSES, fleetSummarySchema, formatSchemaError, SEVERITIES, STATUSES } from '../schema/index.js';
import type {
  CheckResult,
  ClusterResult,
  CoverageGap,
  FleetSummary,
  ScanRef,
  Status,
} from '../schema/index.js';
import { ResultsError } from './errors.js';

/** A check that regressed: not FAIL (and present) in the cluster's previous scan, FAIL now. */
export interface FleetRegression {
  readonly clusterId: string;
  readonly checkId: string;
  readonly from: Status;
  readonly to: Status;
}

/** What a fleet summary is made of. */
export interface FleetSummaryInput {
  /** the scan, finished */
  readonly scan: ScanRef;
  readonly clusters: readonly ClusterResult[];
  /** @default none */
  readonly regressions?: readonly FleetRegression[];
  /** accounts the scan covered (entered), @default the accounts of `clusters` */
  readonly accounts?: number;
  /** account×regions the scan covered, @default the account×regions of `clusters` */
  readonly regions?: number;
  /** what could not be scanned and why; @default none */
  readonly gaps?: readonly CoverageGap[];
}

/** Worst first: what a cluster's (or a check's) headline status is. */
const STATUS_RANK: Record<Status, number> = { FAIL: 0, ERROR: 1, WARN: 2, PASS: 3, SKIPPED: 4 };

/**
 * The worst status among the unmuted checks (FAIL, ERROR, WARN, PASS, SKIPPED in that order);
 * PASS when every check is muted or there are none.
 */
export function worstStatus(checks: readonly CheckResult[]): Status {
  let worst: Status | undefined;
  for (const c of checks) {
    if (c.muted) continue;
    if (worst === undefined || STATUS_RANK[c.status] < STATUS_RANK[worst]) worst = c.status;
  }
  return worst ?? 'PASS';
}

const zeroCounts = (): Record<Status, number> =>
  Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

/**
 * The summary of `clusters`. Muted check results are left out of every count (accepted risk,
 * as the store's `status` filters do); causes count each cluster's diagnosis items.
 *
 * @throws ResultsError when the summary does not match the result schema (a bug of the producer)
 */
export function buildFleetSummary(input: FleetSummaryInput): FleetSummary {
  const byStatus = zeroCounts();
  // Every severity and cause is a key (zeros included): the schema's records over enums are exhaustive.
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, zeroCounts()])) as Record<
    string,
    Record<Status, number>
  >;
  const byCheck: Record<string, Record<Status, number>> = {};
  const byCause = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<string, number>;
  for (const cluster of input.clusters) {
    for (const check of cluster.checks) {
      if (check.muted) continue;
      byStatus[check.status] += 1;
      bySeverity[check.severity]![check.status] += 1;
      (byCheck[check.id] ??= zeroCounts())[check.status] += 1;
    }
    for (const item of cluster.diagnosis) byCause[item.cause]! += 1;
  }
  const summary: FleetSummary = {
    scan: input.scan,
    clusters: input.clusters.length,
    byStatus,
    bySeverity,
    byCheck,
    byCause,
    regressions: [...(input.regressions ?? [])]
      .sort((a, b) => a.clusterId.localeCompare(b.clusterId) || a.checkId.localeCompare(b.checkId))
      .map((r) => ({ clusterId: r.clusterId, checkId: r.checkId, from: r.from, to: r.to })),
    coverage: {
      accounts: input.accounts ?? new Set(input.clusters.map((c) => c.cluster.accountId)).size,
      regions:
        input.regions ??
        new Set(input.clusters.map((c) => `${c.cluster.accountId} ${c.cluster.region}`)).size,
      clustersScanned: input.clusters.length,
      gaps: [...(input.gaps ?? [])],
    },
  };
  const valid = fleetSummarySchema.safeParse(summary);
  if (!valid.success)
    throw new ResultsError(
      `the fleet summary does not match the result schema: ${formatSchemaError(valid.error)}`,
    );
  return valid.data;
}

/**
 * The regressions of `current` against `previous` (the cluster's scan before it), by the
 * store's rule: an unmuted check that was present and not FAIL, and is FAIL now.
 */
export function regressionsBetween(
  previous: ClusterResult | null | undefined,
  current: ClusterResult,
): FleetRegression[] {
  if (!previous) return [];
  const before = new Map(previous.checks.map((c) => [c.id, c.status]));
  return current.checks.flatMap((c) => {
    const from = before.get(c.id);
    return !c.muted && c.status === 'FAIL' && from !== undefined && from !== 'FAIL'
      ? [{ clusterId: current.cluster.id, checkId: c.id, from, to: c.status }]
      : [];
  });
}
