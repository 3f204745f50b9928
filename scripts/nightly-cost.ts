/**
 * The cost of one nightly fleet scan (lib/README.md § Cost of a nightly run prints this table):
 * Lambda GB-seconds and requests, Step Functions state transitions, DynamoDB write request units
 * and S3 requests, at us-east-1 list prices. Every input is a named, stated assumption below;
 * the DynamoDB write units are computed from the store's own item builders for the benchmark's
 * 30-check result (bench/api-fleet.ts), and the transition counts from the definition's shape
 * (test/unit/cdk/scan-payload-flow.test.ts checks them against the synthesized state machine).
 *
 *   npx tsx scripts/nightly-cost.ts          # the markdown table
 */
import { pathToFileURL } from 'node:url';
import { clusterDayResult } from '../bench/api-fleet.js';
import { firstSightings, scanOrderKey } from '../lambdas/store/check-transitions.js';
import {
  clusterStatusItems,
  DEFAULT_TTL_DAYS,
  findingItem,
  guardItem,
  historyExpiresAt,
  historyItem,
  latestItem,
} from '../lambdas/store/dynamodb/index.js';
import type { DynamoItem } from '../lambdas/store/dynamodb/index.js';

/** us-east-1 list prices as assumed on 2026-12-02 (check the pricing pages before relying on them). */
export const PRICES = {
  /** Lambda arm64, first 6 billion GB-s per month, USD per GB-second */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, USD per request */
  lambdaRequest: 0.2 / 1e6,
  /** Step Functions Standard, USD per state transition (Distributed Map children are Standard here) */
  stateTransition: 0.025 / 1000,
  /** DynamoDB on-demand, USD per write request unit */
  writeRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, USD per read request unit */
  readRequestUnit: 0.125 / 1e6,
  /** S3 Standard PUT/COPY/POST/LIST, USD per request */
  s3Put: 0.005 / 1000,
  /** S3 Standard GET, USD per request */
  s3Get: 0.0004 / 1000,
  /** CloudWatch Logs ingestion (Standard class), USD per GB */
  logsIngestGb: 0.5,
} as const;

/** Memory of each function (MB), as lib/constructs/scan-pipeline.ts synthesizes it. */
export const MEMORY_MB = {
  discover: 512,
  collectRegion: 1024,
  dispatch: 512,
  status: 256,
  collect: 1024,
  store: 512,
  summarize: 1024,
} as const;

/**
 * Billed duration assumptions (seconds, warm, deployed: real AWS and cluster API latency). Not
 * the in-process durations of test/unit/handlers/pipeline.test.ts: there every API is a loopback
 * fake answering in microseconds, which understates the network-bound steps many times over.
 */
export const DURATION_S = {
  /** plus {@link DURATION_S.discoverPerAccount} per account (AssumeRole, DescribeRegions) */
  discover: 2,
  discoverPerAccount: 0.3,
  /** an account×region without clusters: AssumeRole, ListClusters */
  collectRegionEmpty: 1.5,
  /** an account×region with clusters: the above plus per cluster (DescribeCluster, VPC reads, CoreDNS placement, audit) */
  collectRegionPerCluster: 2,
  dispatch: 2,
  status: 0.6,
  collect: 3,
  store: 1.5,
  /** plus {@link DURATION_S.summarizePerCluster} (listClusterScans per cluster, 8 at once) */
  summarize: 3,
  summarizePerCluster: 0.02,
} as const;

export interface FleetShape {
  readonly label: string;
  readonly clusters: number;
  readonly accounts: number;
  /** enabled regions per account (`fleet-dns:regions` = enabled): one work item each */
  readonly regionsPerAccount: number;
  /** account×regions that have clusters */
  readonly regionsWithClusters: number;
  /** RunnerStatus polls per cluster before `done` (waitSeconds 30: a runner of ~2 min) */
  readonly polls: number;
}

export const FLEETS: readonly FleetShape[] = [
  {
    label: '100 clusters',
    clusters: 100,
    accounts: 10,
    regionsPerAccount: 17,
    regionsWithClusters: 20,
    polls: 4,
  },
  {
    label: '1,000 clusters',
    clusters: 1000,
    accounts: 100,
    regionsPerAccount: 17,
    regionsWithClusters: 200,
    polls: 4,
  },
];

/** State transitions of one dispatched cluster whose runner is done on poll `polls` (≤ maxPolls). */
export function transitionsPerCluster(polls: number): number {
  // Dispatchable?, Dispatch, StartPolling, polls × (WaitForRunner, RunnerStatus, CountPoll, RunnerDone?), Collect, StoreResult
  return 3 + 4 * polls + 2;
}
/** An undispatchable cluster (`cluster: null`): Dispatchable?, StoreResult. */
export const TRANSITIONS_UNDISPATCHED = 2;
/** A cluster whose Dispatch fails (caught): Dispatchable?, Dispatch, StoreResult. */
export const TRANSITIONS_DISPATCH_CAUGHT = 3;
/** Each Distributed Map child (one account×region), besides its clusters: CollectRegion, ScanClusters. */
export const TRANSITIONS_PER_ITEM = 2;
/** The parent execution: Discover, CollectRegions, Summarize. */
export const TRANSITIONS_PER_SCAN = 3;

/** DynamoDB's item size: attribute names and values (strings UTF-8, binary its bytes, numbers ~1 byte per 2 digits + 1). */
export function itemBytes(item: DynamoItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name);
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === 'number')
      bytes += 1 + Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2);
    else if (typeof value === 'boolean' || value === null) bytes += 1;
    else bytes += Buffer.byteLength(JSON.stringify(value));
  }
  return bytes;
}

const units = (item: DynamoItem): number => Math.max(1, Math.ceil(itemBytes(item) / 1024));
/** Global secondary indexes an item is in (ProjectionType ALL: each index write costs the item's size). */
const indexes = (item: DynamoItem): number => Object.keys(item).filter((k) => /^GSI\d+PK$/.test(k)).length;
const writeUnits = (item: DynamoItem): number => units(item) * (1 + indexes(item));

export interface PutWrites {
  readonly checks: number;
  readonly items: number;
  readonly writeRequestUnits: number;
  /** the stored (gzip'd) size of the `LATEST` item's document */
  readonly latestDocBytes: number;
  readonly breakdown: Record<string, number>;
}

/**
 * The write request units of one `putClusterResult` of a new scan (lambdas/store/README.md §
 * Writes): guard, history, one UpdateItem per first-sighting candidate (a failed condition still
 * consumes its unit), LATEST, every FINDING# and STATUS#. No regressions (no EVENT#), no
 * tombstones — the usual night.
 */
export function putClusterResultWrites(checks = 30): PutWrites {
  const now = new Date('2026-12-02T04:00:00Z');
  const result = clusterDayResult({ clusters: 1, days: 2, checks, now }, 0, 1);
  const key = scanOrderKey(result.scan);
  const expiresAt = historyExpiresAt(result, DEFAULT_TTL_DAYS);
  const latest = latestItem(result, key, []);
  const breakdown = {
    guard: writeUnits(guardItem(result, key, expiresAt)),
    history: writeUnits(historyItem(result, [], key, expiresAt, null)),
    sightings: firstSightings(result).length, // small items: 1 unit each
    latest: writeUnits(latest),
    findings: result.checks.reduce((sum, c) => sum + writeUnits(findingItem(result, c, key)), 0),
    statuses: clusterStatusItems(result, key).reduce((sum, i) => sum + writeUnits(i), 0),
  };
  return {
    checks: result.checks.length,
    items:
      2 + firstSightings(result).length + 1 + result.checks.length + clusterStatusItems(result, key).length,
    writeRequestUnits: Object.values(breakdown).reduce((a, b) => a + b, 0),
    latestDocBytes: (latest.doc as Uint8Array).byteLength,
    breakdown,
  };
}

/**
 * Log bytes ingested, an estimate: the state machine logs ALL with execution data (each state's
 * entered/exited and each Lambda's scheduled/started/succeeded event carries the state: a cluster's
 * grows to ~20 KB once `collected` holds its checks), ~300 KB per cluster; each Lambda invocation's
 * Powertools lines ~3 KB.
 */
export const LOG_BYTES = { perCluster: 300_000, perInvocation: 3_000 } as const;

/** Read request units per cluster (store-result's reads, summarize's listClusterScans): an estimate. */
export const READ_UNITS_PER_CLUSTER = 20;

export interface NightlyCost {
  readonly fleet: FleetShape;
  readonly items: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  readonly lambdaUsd: number;
  readonly transitions: number;
  readonly stepFunctionsUsd: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly dynamoUsd: number;
  readonly s3Puts: number;
  readonly s3Gets: number;
  readonly s3Usd: number;
  readonly logGb: number;
  readonly logsUsd: number;
  readonly totalUsd: number;
}

export function nightlyCost(fleet: FleetShape, put = putClusterResultWrites()): NightlyCost {
  const items = fleet.accounts * fleet.regionsPerAccount;
  const n = fleet.clusters;
  const gb = (mb: number): number => mb / 1024;
  const gbSeconds =
    gb(MEMORY_MB.discover) * (DURATION_S.discover + DURATION_S.discoverPerAccount * fleet.accounts) +
    gb(MEMORY_MB.collectRegion) *
      ((items - fleet.regionsWithClusters) * DURATION_S.collectRegionEmpty +
        fleet.regionsWithClusters * DURATION_S.collectRegionEmpty +
        n * DURATION_S.collectRegionPerCluster) +
    n *
      (gb(MEMORY_MB.dispatch) * DURATION_S.dispatch +
        gb(MEMORY_MB.status) * DURATION_S.status * fleet.polls +
        gb(MEMORY_MB.collect) * DURATION_S.collect +
        gb(MEMORY_MB.store) * DURATION_S.store) +
    gb(MEMORY_MB.summarize) * (DURATION_S.summarize + DURATION_S.summarizePerCluster * n);
  const invocations = 2 + items + n * (3 + fleet.polls);
  const transitions =
    TRANSITIONS_PER_SCAN + items * TRANSITIONS_PER_ITEM + n * transitionsPerCluster(fleet.polls);
  const writeUnits = n * put.writeRequestUnits;
  const readUnits = n * READ_UNITS_PER_CLUSTER;
  // S3: discover 2 PUTs (work items, gaps); per cluster 1 PUT (staged AWS result) + 1 GET (store-result);
  // the ItemReader 1 GET; ResultWriter ~3 PUTs (manifest, result files); summarize 1 GET manifest,
  // 1 per result file, 1 discovery gaps. No evidence over 16 KiB inline assumed (no offload PUTs).
  const s3Puts = 2 + n + 3;
  const s3Gets = 1 + n + 3;
  const lambdaUsd = gbSeconds * PRICES.lambdaArmGbSecond + invocations * PRICES.lambdaRequest;
  const stepFunctionsUsd = transitions * PRICES.stateTransition;
  const dynamoUsd = writeUnits * PRICES.writeRequestUnit + readUnits * PRICES.readRequestUnit;
  const s3Usd = s3Puts * PRICES.s3Put + s3Gets * PRICES.s3Get;
  const logGb = (n * LOG_BYTES.perCluster + invocations * LOG_BYTES.perInvocation) / 1e9;
  const logsUsd = logGb * PRICES.logsIngestGb;
  return {
    fleet,
    items,
    invocations,
    gbSeconds,
    lambdaUsd,
    transitions,
    stepFunctionsUsd,
    writeUnits,
    readUnits,
    dynamoUsd,
    s3Puts,
    s3Gets,
    s3Usd,
    logGb,
    logsUsd,
    totalUsd: lambdaUsd + stepFunctionsUsd + dynamoUsd + s3Usd + logsUsd,
  };
}

const usd = (v: number): string => `$${v < 0.1 ? v.toFixed(4) : v.toFixed(2)}`;
const int = (v: number): string => Math.round(v).toLocaleString('en-US');

/** The README's table. */
export function costTable(): string {
  const put = putClusterResultWrites();
  const rows = FLEETS.map((f) => nightlyCost(f, put));
  const lines = [
    `| one nightly run | ${rows.map((r) => r.fleet.label).join(' | ')} |`,
    `| --- | ${rows.map(() => '---:').join(' | ')} |`,
    `| account×region items (accounts × regions) | ${rows.map((r) => `${int(r.items)} (${r.fleet.accounts} × ${r.fleet.regionsPerAccount})`).join(' | ')} |`,
    `| Lambda invocations / GB-s | ${rows.map((r) => `${int(r.invocations)} / ${int(r.gbSeconds)}`).join(' | ')} |`,
    `| Lambda | ${rows.map((r) => usd(r.lambdaUsd)).join(' | ')} |`,
    `| Step Functions transitions | ${rows.map((r) => int(r.transitions)).join(' | ')} |`,
    `| Step Functions | ${rows.map((r) => usd(r.stepFunctionsUsd)).join(' | ')} |`,
    `| DynamoDB WRU / RRU | ${rows.map((r) => `${int(r.writeUnits)} / ${int(r.readUnits)}`).join(' | ')} |`,
    `| DynamoDB | ${rows.map((r) => usd(r.dynamoUsd)).join(' | ')} |`,
    `| S3 PUT / GET | ${rows.map((r) => `${int(r.s3Puts)} / ${int(r.s3Gets)}`).join(' | ')} |`,
    `| S3 | ${rows.map((r) => usd(r.s3Usd)).join(' | ')} |`,
    `| CloudWatch Logs GB (estimate) | ${rows.map((r) => r.logGb.toFixed(2)).join(' | ')} |`,
    `| CloudWatch Logs | ${rows.map((r) => usd(r.logsUsd)).join(' | ')} |`,
    `| **total per night** | ${rows.map((r) => `**${usd(r.totalUsd)}**`).join(' | ')} |`,
    `| per 30 nights | ${rows.map((r) => usd(r.totalUsd * 30)).join(' | ')} |`,
  ];
  return [
    ...lines,
    '',
    `One putClusterResult of a ${put.checks}-check result: ${put.items} items, ${put.writeRequestUnits} WRU (${Object.entries(
      put.breakdown,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; LATEST doc ${int(put.latestDocBytes)} B gzip'd).`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(costTable());
