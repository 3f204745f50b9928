/**
 * A temporary embedded results store filled as a fleet scan fills it: cluster results built as
 * producers build them (makeResult + buildClusterResult) and the scan runs, for the tests that run
 * `fleet-dns report` and `fleet-dns gate` as processes against it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { CAUSES, SEVERITIES, STATUSES } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult, FleetSummary, ScanRef, Status } from '../../../lambdas/core/schema/index.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';
export const PROD_A = `${ACCOUNT_A}:eu-west-1:prod-a`;
export const DEV_B = `${ACCOUNT_B}:us-east-1:dev-b`;
export const OLD_C = `${ACCOUNT_A}:eu-west-1:old-c`;

const HOUR = 3_600_000;
/** A scan that started `hoursAgo` hours before now and took ten minutes. */
export function scanRef(id: string, hoursAgo: number): ScanRef {
  const started = Date.now() - hoursAgo * HOUR;
  return {
    id,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + 10 * 60_000).toISOString(),
  };
}

/** A cluster result of `checks` (status per check id) in `scan`. */
export function result(
  identity: { accountId: string; region: string; name: string },
  scan: ScanRef,
  checks: Partial<Record<CheckId, Status>>,
): ClusterResult {
  return buildClusterResult(
    identity,
    Object.entries(checks).map(([id, status]) =>
      makeResult(id as CheckId, {
        status: status!,
        evidence:
          status === 'ERROR' || status === 'SKIPPED'
            ? { reason: `test: ${status}` }
            : { summary: `${id} ${status} (test)` },
      }),
    ),
    { scan },
  );
}

/** A schema-valid fleet scan run over `clusters` (counts from their checks). */
export function scanRun(scan: ScanRef, clusters: readonly ClusterResult[]): FleetSummary {
  const zero = () => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const byStatus = zero();
  for (const c of clusters) for (const r of c.checks) byStatus[r.status] += 1;
  return {
    scan,
    clusters: clusters.length,
    byStatus,
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, zero()])) as FleetSummary['bySeverity'],
    byCheck: {},
    byCause: Object.fromEntries(CAUSES.map((c) => [c, 0])) as FleetSummary['byCause'],
    regressions: [],
    coverage: {
      accounts: new Set(clusters.map((c) => c.cluster.accountId)).size,
      regions: new Set(clusters.map((c) => `${c.cluster.accountId} ${c.cluster.region}`)).size,
      clustersScanned: clusters.length,
      gaps: [],
    },
  };
}

/** A fresh directory for store files. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes `results` and `runs` into a new embedded store at `file`, then closes it. */
export async function fillStore(
  file: string,
  results: readonly ClusterResult[],
  runs: readonly FleetSummary[] = [],
): Promise<string> {
  const store = openEmbeddedStore({ path: file });
  try {
    for (const r of results) await store.putClusterResult(r);
    for (const run of runs) await store.putScanRun(run);
  } finally {
    await store.close();
  }
  return file;
}

const prodA = { accountId: ACCOUNT_A, region: 'eu-west-1', name: 'prod-a' };
const devB = { accountId: ACCOUNT_B, region: 'us-east-1', name: 'dev-b' };
const oldC = { accountId: ACCOUNT_A, region: 'eu-west-1', name: 'old-c' };

/**
 * The fleet of the tests: scan s1 (two days ago) and s2 (an hour ago). prod-a regressed between
 * them (NET-SG-DNS-UDP, high: PASS → FAIL); dev-b is new in s2 and passes with a WARN; old-c was
 * last scanned three days ago (s0) and passes — stale for the gate.
 */
export function fleet() {
  const s0 = scanRef('s0', 72);
  const s1 = scanRef('s1', 48);
  const s2 = scanRef('s2', 1);
  const oldC0 = result(oldC, s0, { 'DNS-INTERNAL': 'PASS', 'DNS-EXTERNAL': 'PASS' });
  const prodA1 = result(prodA, s1, {
    'NET-SG-DNS-UDP': 'PASS',
    'DNS-INTERNAL': 'PASS',
    'DNS-LATENCY': 'WARN',
  });
  const prodA2 = result(prodA, s2, {
    'NET-SG-DNS-UDP': 'FAIL',
    'DNS-INTERNAL': 'PASS',
    'DNS-LATENCY': 'WARN',
  });
  const devB2 = result(devB, s2, { 'DNS-INTERNAL': 'PASS', 'K8S-COREDNS-PODS': 'WARN' });
  return {
    scans: { s0, s1, s2 },
    results: [oldC0, prodA1, prodA2, devB2],
    runs: [scanRun(s0, [oldC0]), scanRun(s1, [prodA1]), scanRun(s2, [prodA2, devB2])],
    latest: [devB2, oldC0, prodA2],
  };
}
