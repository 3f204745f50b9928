/**
 * The synthetic fleet of `npm run -s bench -- api` and what the benchmark computes from it:
 * CLUSTERS clusters × CHECKS checks scanned once a day for DAYS days, turned into the DynamoDB
 * store's own items (lambdas/store/dynamodb `guardItem`, `historyItem`, …) exactly as
 * `putClusterResult` would have left them after storing the days in order — computed here
 * with the store's pure transition code so the table can be filled with BatchWriteItem instead
 * of 300k sequences of conditional writes. Deterministic: one seed, one fleet.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHECK_IDS, makeResult } from '../lambdas/core/catalog/index.js';
import type { CheckId } from '../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../lambdas/core/results/index.js';
import { CAUSES, SEVERITIES, STATUSES } from '../lambdas/core/schema/index.js';
import type { CheckResult, FleetSummary, Status } from '../lambdas/core/schema/index.js';
import {
  applyCheckTransitions,
  gateAtScan,
  firstSeenKey,
  firstSightings,
  scanOrderKey,
} from '../lambdas/store/check-transitions.js';
import { storableResult } from '../lambdas/store/documents.js';
import type { StorableResult } from '../lambdas/store/documents.js';
import {
  clusterStatusItems,
  DEFAULT_TTL_DAYS,
  findingItem,
  guardItem,
  historyExpiresAt,
  historyItem,
  latestItem,
  sightingItem,
  tombstoneItem,
} from '../lambdas/store/dynamodb/index.js';
import type { DynamoItem, Sighting } from '../lambdas/store/dynamodb/index.js';
import type { CheckTransition } from '../lambdas/store/index.js';

/** The size and clock of a synthetic fleet. */
export interface FleetShape {
  readonly clusters: number;
  /** daily scans per cluster, the newest `latestScanAgeHours` before `now` */
  readonly days: number;
  /** the first CHECKS checks of the catalog @default 30 */
  readonly checks?: number;
  readonly now: Date;
  /** @default 2 (fresh for the gate's 24 h limit) */
  readonly latestScanAgeHours?: number;
  /** @default 18 */
  readonly seed?: number;
}

export const ACCOUNTS = 100;
export const REGIONS = ['eu-west-1', 'us-east-1', 'eu-central-1', 'ap-southeast-2'] as const;
const DAY_MS = 86_400_000;

/**
 * How a check's status is drawn: mostly PASS; with 30 checks about a fifth of the clusters have an
 * unmuted FAIL, which is the `GET /clusters?status=FAIL` list. A check keeps yesterday's status
 * unless it flips (FLIP per day), and 2% of cluster × check pairs are muted (a mutelist entry).
 */
const WEIGHTS: readonly (readonly [Status, number])[] = [
  ['PASS', 0.94],
  ['WARN', 0.03],
  ['SKIPPED', 0.012],
  ['ERROR', 0.01],
  ['FAIL', 0.008],
];
const FLIP = 0.05;
const MUTED = 0.02;

/** Deterministic PRNG (mulberry32), as bench/evaluator.bench.ts. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(rand: () => number): Status {
  let x = rand();
  for (const [status, weight] of WEIGHTS) {
    if (x < weight) return status;
    x -= weight;
  }
  return 'PASS';
}

export function fleetChecks(shape: Pick<FleetShape, 'checks'>): CheckId[] {
  const n = shape.checks ?? 30;
  if (n < 1 || n > CHECK_IDS.length) throw new Error(`checks: 1 to ${CHECK_IDS.length}, got ${n}`);
  return CHECK_IDS.slice(0, n);
}

/** Cluster `i`: accounts round-robin, then regions, so every account × region holds clusters. */
export function clusterIdentity(i: number) {
  return {
    accountId: String(100_000_000_000 + (i % ACCOUNTS)),
    region: REGIONS[Math.floor(i / ACCOUNTS) % REGIONS.length]!,
    name: `c${String(i).padStart(5, '0')}`,
    version: '1.31',
  };
}

export const clusterId = (i: number): string => {
  const { accountId, region, name } = clusterIdentity(i);
  return `${accountId}:${region}:${name}`;
};

/** The fleet scan of day `d` (0 = oldest). */
export function scanOf(shape: FleetShape, d: number) {
  const newest = shape.now.getTime() - (shape.latestScanAgeHours ?? 2) * 3_600_000;
  const start = new Date(Math.floor(newest / 60_000) * 60_000 - (shape.days - 1 - d) * DAY_MS);
  return {
    id: `scan-${start.toISOString().slice(0, 10).replaceAll('-', '')}`,
    startedAt: start.toISOString(),
    finishedAt: new Date(start.getTime() + 15 * 60_000).toISOString(),
  };
}

/** The statuses of cluster `i`: `[day][check]`, and which checks are muted. */
export function clusterStatuses(shape: FleetShape, i: number): { days: Status[][]; muted: boolean[] } {
  const checks = fleetChecks(shape);
  const rand = prng(((shape.seed ?? 18) * 1_000_003 + i) | 0);
  const muted = checks.map(() => rand() < MUTED);
  const days: Status[][] = [checks.map(() => draw(rand))];
  for (let d = 1; d < shape.days; d++) days.push(days[d - 1]!.map((s) => (rand() < FLIP ? draw(rand) : s)));
  return { days, muted };
}

/** What a day's fleet scan run adds up (its FleetSummary is built from it). */
export class DayTally {
  clusters = 0;
  /** clusters with an unmuted FAIL: the `GET /clusters?status=FAIL` list */
  failClusters = 0;
  readonly byStatus = zeroCounts();
  readonly bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, zeroCounts()])) as Record<
    string,
    Record<Status, number>
  >;
  readonly byCheck: Record<string, Record<Status, number>> = {};
  readonly byCause = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<string, number>;
  readonly regressions: { clusterId: string; checkId: string; from: Status; to: Status }[] = [];

  add(result: StorableResult, transitions: readonly CheckTransition[]): void {
    this.clusters += 1;
    if (result.checks.some((c) => c.status === 'FAIL' && !c.muted)) this.failClusters += 1;
    for (const c of result.checks) {
      this.byStatus[c.status] += 1;
      this.bySeverity[c.severity]![c.status] += 1;
      (this.byCheck[c.id] ??= zeroCounts())[c.status] += 1;
    }
    for (const d of result.diagnosis) this.byCause[d.cause] = (this.byCause[d.cause] ?? 0) + 1;
    for (const t of transitions)
      if (t.regression && t.from !== null)
        this.regressions.push({ clusterId: t.clusterId, checkId: t.checkId, from: t.from, to: t.to });
  }

  summary(scan: ReturnType<typeof scanOf>): FleetSummary {
    return {
      scan,
      clusters: this.clusters,
      byStatus: this.byStatus,
      bySeverity: this.bySeverity,
      byCheck: this.byCheck,
      byCause: this.byCause,
      regressions: this.regressions,
      coverage: {
        accounts: Math.min(ACCOUNTS, this.clusters),
        regions: Math.min(REGIONS.length, Math.ceil(this.clusters / ACCOUNTS)),
        clustersScanned: this.clusters,
        gaps: [],
      },
    } as FleetSummary;
  }
}

function zeroCounts(): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
}

/** The result cluster `i` reported on day `d`, as a producer builds it (makeResult + buildClusterResult). */
export function clusterDayResult(shape: FleetShape, i: number, d: number): StorableResult {
  const { days, muted } = clusterStatuses(shape, i);
  return dayResult(shape, i, d, days[d]!, muted);
}

function dayResult(shape: FleetShape, i: number, d: number, statuses: Status[], muted: boolean[]) {
  const checks: CheckResult[] = fleetChecks(shape).map((id, k) => {
    const status = statuses[k]!;
    const r = makeResult(id, {
      status,
      evidence:
        status === 'ERROR' || status === 'SKIPPED'
          ? { reason: `synthetic ${status.toLowerCase()}` }
          : { evaluated: id, day: d },
    });
    return muted[k] ? { ...r, muted: true, mutedReason: 'accepted risk (bench)' } : r;
  });
  // as the store takes it in (parsed by the schema: the key order of what it stores)
  return storableResult(buildClusterResult(clusterIdentity(i), checks, { scan: scanOf(shape, d) }));
}

/**
 * Every item cluster `i` has in the table after its DAYS results were stored in order with
 * `putClusterResult` — guards, history, first sightings, LATEST, findings, statuses and
 * tombstones — except the regression outbox (`EVENT#`, written and published at put time, never
 * read by the API). `tallies[d]` (when given) counts each day's result for the scan run summary.
 */
export function clusterItems(shape: FleetShape, i: number, tallies?: DayTally[]): DynamoItem[] {
  const ttlDays = DEFAULT_TTL_DAYS;
  const { days, muted } = clusterStatuses(shape, i);
  const id = clusterId(i);
  const items: DynamoItem[] = [];
  const sightings = new Map<string, Sighting>();
  /** the STATUS# sort keys ever written and whether each is live: the store's tombstones */
  const statusKeys = new Map<string, DynamoItem>();
  let previous: StorableResult | null = null;
  let last: { result: StorableResult; transitions: CheckTransition[]; key: string } | undefined;
  for (let d = 0; d < shape.days; d++) {
    const next = dayResult(shape, i, d, days[d]!, muted);
    const key = scanOrderKey(next.scan);
    const seen = new Map([...sightings.values()].map((s) => [firstSeenKey(s.checkId, s.status), s.at]));
    const { result, transitions } = applyCheckTransitions(next, previous, seen);
    const stored = result as StorableResult;
    const expiresAt = historyExpiresAt(stored, ttlDays);
    items.push(
      guardItem(stored, key, expiresAt),
      historyItem(stored, transitions, key, expiresAt, gateAtScan(previous)?.decision ?? null),
    );
    for (const s of firstSightings(stored)) {
      const k = firstSeenKey(s.checkId, s.status);
      if (!sightings.has(k)) sightings.set(k, s); // days come in order: the first is the earliest
    }
    const current = new Set<string>();
    for (const item of clusterStatusItems(stored, key)) {
      statusKeys.set(String(item.SK), item);
      current.add(String(item.SK));
    }
    for (const [sk, item] of statusKeys)
      if (!current.has(sk) && item.gone !== true) statusKeys.set(sk, tombstoneItem(id, sk, key));
    tallies?.[d]?.add(stored, transitions);
    previous = stored;
    last = { result: stored, transitions, key };
  }
  if (last !== undefined) {
    items.push(...[...sightings.values()].map((s) => sightingItem(id, s)));
    items.push(latestItem(last.result, last.key, last.transitions));
    items.push(...last.result.checks.map((c) => findingItem(last.result, c, last.key)));
    items.push(...statusKeys.values());
  }
  return items;
}

/**
 * Writes `items` with BatchWriteItem (25 a request, at most `concurrency` requests in flight,
 * unprocessed items retried); resolves with the number written.
 */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  table: string,
  items: Iterable<DynamoItem>,
  concurrency: number,
): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  const send = async (batch: DynamoItem[]) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  };
  const start = (batch: DynamoItem[]) => {
    const p: Promise<void> = send(batch)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  let batch: DynamoItem[] = [];
  for (const item of items) {
    batch.push(item);
    written += 1;
    if (batch.length === 25) {
      start(batch);
      batch = [];
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure !== undefined) break;
    }
  }
  if (batch.length > 0 && failure === undefined) start(batch);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return written;
}

/**
 * The p-th percentile of `samples` by nearest rank: the smallest sample with at least p% of the
 * samples at or below it (p50 of 1…100 is 50, p99 of 1…200 is 198).
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile: p in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** An API Gateway REST (v1) proxy event for `GET path?query`, as API Gateway sends it. */
export function proxyEvent(path: string, query: Record<string, string> = {}) {
  const entries = Object.entries(query);
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: 'GET',
    headers: { Host: 'api.example.com' },
    multiValueHeaders: { Host: ['api.example.com'] },
    queryStringParameters: entries.length > 0 ? Object.fromEntries(entries) : null,
    multiValueQueryStringParameters:
      entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k, [v]])) : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: { domainName: 'api.example.com', stage: 'prod', requestId: 'bench' },
    body: null,
    isBase64Encoded: false,
  };
}
