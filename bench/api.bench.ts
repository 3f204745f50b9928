/**
 * `npm run -s bench -- api [--clusters N] [--days D] [--checks C] [--requests R] [--concurrency K]
 * [--storage tmpfs|memory]`: the fleet API over the DynamoDB store in DynamoDB Local (AWS's jar,
 * test/support/dynamodb-local.ts), issue 18 § Performance. Defaults: 10,000 clusters × 30 checks
 * with 30 days of daily history.
 *
 * Storage: by default the emulator keeps its SQLite file on tmpfs (`/dev/shm`), not `-inMemory`.
 * This machine's kernel runs a DAMON monitor (`kdamond`, physical addresses, a 500 ms sampling
 * interval) whose every pass walks the reverse maps of sampled anonymous pages; with the table in
 * the JVM's anonymous memory that pass stalled the emulator for 25–90 ms every ~0.54 s, the p99
 * of the longest request (measured in lambdas/store/README.md § Benchmark). On tmpfs the table's
 * pages are unmapped page cache, which the pass does not walk. `--storage memory` is the old way.
 *
 * 1. Load: the store's own items for every cluster (bench/api-fleet.ts), written with
 *    BatchWriteItem, K requests in flight; then one `putScanRun` per day. Timed apart (`load_s`).
 * 2. Requests: the handler as API Gateway invokes it (a REST proxy event in, a proxy result out):
 *    `GET /summary`, the first page of `GET /clusters?status=FAIL`, `GET /findings?check=…`, and
 *    `GET /clusters/{id}/gate` of random clusters; R timed requests each after a warm-up. Every
 *    DynamoDB call of a request asks for `ReturnConsumedCapacity: TOTAL` (an SDK middleware on the
 *    bench's client, the store untouched): `api_rcu_NAME` is the mean read capacity per request.
 * The handler's Powertools log lines and metrics are formatted as in Lambda, then discarded.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApiHandler } from '../lambdas/handlers/api.js';
import { createPowertools } from '../lambdas/handlers/middleware.js';
import type { Context } from '../lambdas/handlers/middleware.js';
import { dynamoTableDefinition, openDynamoStore } from '../lambdas/store/dynamodb/index.js';
import { unpackJson } from '../lambdas/store/dynamodb/packed-json.js';
import { startDynamoDbLocal } from '../test/support/dynamodb-local.js';
import {
  batchWriteAll,
  clusterId,
  clusterItems,
  DayTally,
  fleetChecks,
  percentile,
  prng,
  proxyEvent,
  scanOf,
} from './api-fleet.js';
import type { FleetShape } from './api-fleet.js';
import type { Benchmark } from './run.js';

const TABLE = 'fleet-dns-bench';
/** Where `--storage tmpfs` puts the emulator's database file (Linux's shared-memory tmpfs). */
const TMPFS = '/dev/shm';
const STORAGES = ['tmpfs', 'memory'] as const;
type Storage = (typeof STORAGES)[number];
const WARM_UP = 20;

const context: Context = {
  functionName: 'fleet-dns-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:fleet-dns-api',
  memoryLimitInMB: '1024',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/fleet-dns-api',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
};

/** Read capacity of the calls made while `on`: ReturnConsumedCapacity TOTAL on every request. */
class CapacityMeter {
  on = false;
  units = 0;
  calls = 0;
  install(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        if (!this.on) return next(args);
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const c of [consumed ?? []].flat()) this.units += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
        this.calls += 1;
        return out;
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
  }
}

/** stdout swallowed while the handler runs (its log lines and EMF metrics), counted in bytes. */
function muteStdout(): { restore(): number } {
  const original = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += chunk.length;
    return true;
  }) as typeof process.stdout.write;
  return {
    restore: () => {
      process.stdout.write = original;
      return bytes;
    },
  };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

const bench: Benchmark = {
  description: 'the fleet API through the handler over the DynamoDB store in DynamoDB Local',
  async run(argv) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        clusters: { type: 'string', default: '10000' },
        days: { type: 'string', default: '30' },
        checks: { type: 'string', default: '30' },
        requests: { type: 'string', default: '200' },
        concurrency: { type: 'string', default: '8' },
        storage: { type: 'string', default: 'tmpfs' },
      },
    });
    const storage = values.storage as Storage;
    if (!STORAGES.includes(storage)) throw new Error(`--storage: tmpfs or memory, got ${values.storage}`);
    if (storage === 'tmpfs' && !existsSync(TMPFS))
      throw new Error(`--storage tmpfs: ${TMPFS} does not exist here; use --storage memory`);
    const shape: FleetShape = {
      clusters: Number(values.clusters),
      days: Number(values.days),
      checks: Number(values.checks),
      now: new Date(),
    };
    const requests = Number(values.requests);
    const concurrency = Number(values.concurrency);
    for (const [k, v] of Object.entries({ ...shape, requests, concurrency }))
      if (typeof v === 'number' && !(Number.isInteger(v) && v > 0))
        throw new Error(`--${k}: a whole number above 0, got ${v}`);

    const dbPath = storage === 'tmpfs' ? mkdtempSync(path.join(TMPFS, 'fleet-dns-bench-ddb-')) : undefined;
    const ddb = await startDynamoDbLocal({ dbPath }).catch((err: unknown) => {
      if (dbPath) rmSync(dbPath, { recursive: true, force: true });
      throw err;
    });
    try {
      const db = DynamoDBDocumentClient.from(ddb.client, {
        marshallOptions: { removeUndefinedValues: true },
      });
      const meter = new CapacityMeter();
      meter.install(db);
      await ddb.client.send(new CreateTableCommand(dynamoTableDefinition(TABLE).createTable));
      const store = openDynamoStore({ tableName: TABLE, client: db });

      // 1. load
      const tallies = Array.from({ length: shape.days }, () => new DayTally());
      const progressEvery = Math.max(1, Math.floor(shape.clusters / 20));
      function* items() {
        for (let i = 0; i < shape.clusters; i++) {
          yield* clusterItems(shape, i, tallies);
          if ((i + 1) % progressEvery === 0)
            process.stderr.write(`loaded ${i + 1}/${shape.clusters} clusters (${round(elapsed())} s)\n`);
        }
      }
      const t0 = performance.now();
      const elapsed = () => (performance.now() - t0) / 1000;
      const loaded = await batchWriteAll(db, TABLE, items(), concurrency);
      for (let d = 0; d < shape.days; d++) await store.putScanRun(tallies[d]!.summary(scanOf(shape, d)));
      const loadSeconds = elapsed();
      const latest = tallies[shape.days - 1]!;

      // 2. requests
      const api = createApiHandler({ ...createPowertools('fleet-dns-api-bench'), store });
      const rand = prng(2026);
      const check = fleetChecks(shape).includes('DNS-INTERNAL') ? 'DNS-INTERNAL' : fleetChecks(shape)[0]!;
      const endpoints = {
        summary: () => proxyEvent('/summary'),
        clusters_fail: () => proxyEvent('/clusters', { status: 'FAIL' }),
        findings: () => proxyEvent('/findings', { check }),
        gate: () =>
          proxyEvent(`/clusters/${encodeURIComponent(clusterId(Math.floor(rand() * shape.clusters)))}/gate`),
      };
      const figures: Record<string, number | string> = {};
      const stats: Record<string, string> = {};
      let logBytes = 0;
      for (const [name, event] of Object.entries(endpoints)) {
        const times: number[] = [];
        let units = 0;
        let calls = 0;
        let returned = 0;
        const mute = muteStdout();
        try {
          for (let r = 0; r < WARM_UP + requests; r++) {
            const e = event();
            meter.units = 0;
            meter.calls = 0;
            meter.on = r >= WARM_UP;
            const start = performance.now();
            const res = await api(e, context);
            const ms = performance.now() - start;
            meter.on = false;
            if (res.statusCode !== 200)
              throw new Error(`${e.path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
            if (r < WARM_UP) continue;
            times.push(ms);
            units += meter.units;
            calls += meter.calls;
            // Counted on the first timed answer only: parsing every ~830 KB list page here made
            // garbage that the next requests' collections paid for (a client parses elsewhere).
            if (times.length === 1)
              returned = (JSON.parse(res.body) as { items?: unknown[] }).items?.length ?? 0;
          }
        } finally {
          logBytes += mute.restore();
        }
        figures[`api_p50_ms_${name}`] = round(percentile(times, 50));
        figures[`api_p99_ms_${name}`] = round(percentile(times, 99));
        figures[`api_rcu_${name}`] = round(units / requests, 2);
        stats[name] = `${round(calls / requests, 2)} calls, ${returned} items`;
      }
      const latestDoc = clusterItems(shape, 0).find((i) => i.SK === 'LATEST')!.doc as Uint8Array;
      const p99s = Object.keys(endpoints).map((n) => figures[`api_p99_ms_${n}`] as number);
      return {
        ddb_local_storage: dbPath ? `tmpfs file (${TMPFS})` : 'in memory',
        clusters: shape.clusters,
        checks: fleetChecks(shape).length,
        days: shape.days,
        load_items: loaded,
        load_s: round(loadSeconds),
        load_items_per_s: Math.round(loaded / loadSeconds),
        clusters_with_unmuted_fail: latest.failClusters,
        latest_doc_bytes_cluster0: JSON.stringify(unpackJson(latestDoc)).length,
        latest_doc_stored_bytes_cluster0: latestDoc.byteLength,
        requests_per_endpoint: requests,
        ...figures,
        ddb_requests_per_api_request: Object.entries(stats)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
        all_p99_within_50ms: p99s.every((p) => p <= 50) ? 'yes' : 'no',
        handler_log_bytes: logBytes,
      };
    } finally {
      await ddb.stop();
      if (dbPath) rmSync(dbPath, { recursive: true, force: true });
    }
  },
};
export default bench;
