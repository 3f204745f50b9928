/**
 * Per-check history of a cluster, computed when a result is stored: `firstSeenAt` (the first time
 * THIS STATUS was seen for the cluster and check, like Security Hub's FirstObservedAt of a
 * finding's state: FAIL at T1, PASS at T2, FAIL at T3 gives the T3 FAIL `firstSeenAt` T1),
 * `lastTransitionAt` (when its status last changed) and the transitions against the previous
 * scan. Pure; both store implementations call it with the previous scan and the first sightings
 * they read.
 */
import { decideGate } from '../core/gate/index.js';
import type { CheckResult, ClusterResult, GateDecision, ScanRef } from '../core/schema/index.js';
import type { CheckTransition, RegressionEvent } from './result-store.js';

/**
 * The total order of a cluster's scans: `startedAt` in UTC (fixed width, so it sorts as text),
 * then the scan id. A DynamoDB sort key and an SQLite column alike.
 */
export function scanOrderKey(scan: ScanRef): string {
  return `${new Date(scan.startedAt).toISOString()}#${scan.id}`;
}

/** The key of a first sighting: one per cluster × check × status. */
export function firstSeenKey(checkId: string, status: string): string {
  return `${checkId}#${status}`;
}

/**
 * The first sightings a stored result adds: one per check, its status at the scan's `startedAt`
 * (`key` is the scan's order key). A store keeps, per cluster × check × status, the one with the
 * smallest `key` — so a late older scan moves a sighting earlier, and a retry changes nothing.
 */
export function firstSightings(
  result: ClusterResult & { scan: ScanRef },
): { checkId: string; status: string; key: string; at: string }[] {
  const key = scanOrderKey(result.scan);
  return result.checks.map((c) => ({ checkId: c.id, status: c.status, key, at: result.scan.startedAt }));
}

/**
 * The stored form of `next` given the cluster's previous scan and the first sightings stored so
 * far (`firstSeen`: {@link firstSeenKey} → the `startedAt` of the earliest stored scan with that
 * check in that status), and what changed. A sighting later than `next` (stored by newer scans,
 * `next` being a late one) does not count: `next` is then the first.
 */
export function applyCheckTransitions(
  next: ClusterResult & { scan: ScanRef },
  previous: ClusterResult | null,
  firstSeen: ReadonlyMap<string, string> = new Map(),
): { result: ClusterResult; transitions: CheckTransition[] } {
  const at = next.scan.startedAt;
  const before = new Map<string, CheckResult>((previous?.checks ?? []).map((c) => [c.id, c]));
  const previousAt = previous?.scan?.startedAt ?? at;
  const transitions: CheckTransition[] = [];
  const checks = next.checks.map((check): CheckResult => {
    const prior = before.get(check.id);
    const from = prior?.status ?? null;
    const firstSeenAt = earliest([
      at,
      firstSeen.get(firstSeenKey(check.id, check.status)),
      prior?.status === check.status ? (prior.firstSeenAt ?? previousAt) : undefined,
    ]);
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

/** The earliest instant of `times` (as given), `times[0]` on a tie. */
function earliest(times: readonly [string, ...(string | undefined)[]]): string {
  let best = times[0];
  for (const t of times) if (t !== undefined && Date.parse(t) < Date.parse(best)) best = t;
  return best;
}

/**
 * The gate decision a result gave when it was stored (checks.md § Gate, no target version), judged
 * at the scan's own finish (else start) time: staleness takes no part, so two scans compare by
 * what they found. null for no result.
 */
export function gateAtScan(result: ClusterResult | null | undefined): GateDecision | null {
  if (result === null || result === undefined) return null;
  const at = result.scan?.finishedAt ?? result.scan?.startedAt;
  if (result.scan === undefined || at === undefined || !Number.isFinite(Date.parse(at))) return null;
  // a scan stored without its finish time is judged as finished when it started: its freshness is not the question
  return decideGate({ newest: { ...result, scan: { ...result.scan, finishedAt: at } }, now: new Date(at) });
}

/** The key an event is kept under beside its scan: the check id, or `#gate` (no check id starts with `#`). */
export function regressionEventKey(event: RegressionEvent): string {
  return event.type === 'gate.failed' ? '#gate' : event.checkId;
}

/**
 * The regression events of a stored result: one per transition marked `regression`, and one
 * `gate.failed` when the gate flipped to `fail` from the previous scan's decision
 * (`previousGate`: {@link gateAtScan} of the previous scan, null when there was none).
 */
export function regressionEvents(
  result: ClusterResult & { scan: ScanRef },
  transitions: readonly CheckTransition[],
  previousGate: GateDecision['decision'] | null = null,
): RegressionEvent[] {
  const checkEvents = transitions.flatMap((t): RegressionEvent[] => {
    const check = result.checks.find((c) => c.id === t.checkId);
    if (!t.regression || t.from === null || check === undefined) return [];
    return [
      {
        id: `${t.clusterId}/${t.scanId}/${t.checkId}`,
        type: 'check.regressed',
        cluster: result.cluster,
        scan: result.scan,
        checkId: t.checkId,
        severity: check.severity,
        from: t.from,
        to: 'FAIL',
        at: t.at,
      },
    ];
  });
  const gate = previousGate === null || previousGate === 'fail' ? null : gateAtScan(result);
  if (gate === null || previousGate === null || previousGate === 'fail' || gate.decision !== 'fail')
    return checkEvents;
  return [
    ...checkEvents,
    {
      id: `${result.cluster.id}/${result.scan.id}/gate`,
      type: 'gate.failed',
      cluster: result.cluster,
      scan: result.scan,
      from: previousGate,
      to: 'fail',
      reasons: gate.reasons,
      at: result.scan.startedAt,
    },
  ];
}
