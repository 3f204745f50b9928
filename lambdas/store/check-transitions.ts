/**
 * Per-check history of a cluster, computed when a result is stored: `firstSeenAt` (when the check
 * was first seen for the cluster, carried while it stays in consecutive scans), `lastTransitionAt`
 * (when its status last changed) and the transitions against the previous scan. Pure; both store
 * implementations call it with the previous scan they read.
 */
import type { CheckResult, ClusterResult, ScanRef } from '../core/schema/index.js';
import type { CheckTransition, RegressionEvent } from './result-store.js';

/**
 * The total order of a cluster's scans: `startedAt` in UTC (fixed width, so it sorts as text),
 * then the scan id. A DynamoDB sort key and an SQLite column alike.
 */
export function scanOrderKey(scan: ScanRef): string {
  return `${new Date(scan.startedAt).toISOString()}#${scan.id}`;
}

/** The stored form of `next` given the cluster's previous scan, and what changed. */
export function applyCheckTransitions(
  next: ClusterResult & { scan: ScanRef },
  previous: ClusterResult | null,
): { result: ClusterResult; transitions: CheckTransition[] } {
  const at = next.scan.startedAt;
  const before = new Map<string, CheckResult>((previous?.checks ?? []).map((c) => [c.id, c]));
  const previousAt = previous?.scan?.startedAt ?? at;
  const transitions: CheckTransition[] = [];
  const checks = next.checks.map((check): CheckResult => {
    const prior = before.get(check.id);
    const from = prior?.status ?? null;
    const firstSeenAt = prior ? (prior.firstSeenAt ?? previousAt) : at;
    const changed = from !== check.status;
    const lastTransitionAt = changed ? at : (prior?.lastTransitionAt ?? previousAt);
    if (changed)
      transitions.push({
        clusterId: next.cluster.id,
        checkId: check.id,
        scanId: next.scan.id,
        from,
        to: check.status,
        at,
        muted: check.muted,
        regression: from !== null && from !== 'FAIL' && check.status === 'FAIL' && !check.muted,
      });
    return { ...check, firstSeenAt, lastTransitionAt };
  });
  return { result: { ...next, checks }, transitions };
}

/** The regression events of a stored result: one per transition marked `regression`. */
export function regressionEvents(
  result: ClusterResult & { scan: ScanRef },
  transitions: readonly CheckTransition[],
): RegressionEvent[] {
  return transitions.flatMap((t) => {
    const check = result.checks.find((c) => c.id === t.checkId);
    if (!t.regression || t.from === null || check === undefined) return [];
    return [
      {
        id: `${t.clusterId}/${t.scanId}/${t.checkId}`,
        type: 'check.regressed' as const,
        cluster: result.cluster,
        scan: result.scan,
        checkId: t.checkId,
        severity: check.severity,
        from: t.from,
        to: 'FAIL' as const,
        at: t.at,
      },
    ];
  });
}
