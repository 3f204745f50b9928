/**
 * The API benchmark's data and maths (bench/api-fleet.ts), at tiny sizes: the items it
 * bulk-loads are exactly what the DynamoDB store leaves after storing the same results one by
 * one with putClusterResult (both in DynamoDB Local), its scan run summaries are accepted by
 * the store, and its percentiles are nearest-rank. No durations are measured or asserted.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchWriteAll,
  clusterDayResult,
  clusterId,
  clusterItems,
  DayTally,
  percentile,
  scanOf,
} from '../../../bench/api-fleet.js';
import type { FleetShape } from '../../../bench/api-fleet.js';
import { dynamoTableDefinition, openDynamoStore } from '../../../lambdas/store/dynamodb/index.js';
import type { DynamoItem } from '../../../lambdas/store/dynamodb/index.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { unpackJson } from '../../../lambdas/store/dynamodb/packed-json.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
/** Small, but with flips: transitions, a regression, a FAIL, a tombstoned status (asserted below). */
const SHAPE: FleetShape = { clusters: 3, days: 6, checks: 30, now: NOW, seed: 47 };

describe('percentile (nearest rank)', () => {
  const oneTo = (n: number) => Array.from({ length: n }, (_, i) => n - i); // descending: it sorts

  it('p50 and p99 of 1…100 and 1…200', () => {
    expect(percentile(oneTo(100), 50)).toBe(50);
    expect(percentile(oneTo(100), 99)).toBe(99);
    expect(percentile(oneTo(200), 50)).toBe(100);
    expect(percentile(oneTo(200), 99)).toBe(198);
    expect(percentile(oneTo(200), 100)).toBe(200);
  });

  it('one sample is every percentile; the input is left as given', () => {
    expect(percentile([7.5], 1)).toBe(7.5);
    expect(percentile([7.5], 99)).toBe(7.5);
    const samples = [3, 1, 2];
    expect(percentile(samples, 50)).toBe(2);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 0)).toThrow(/p in/);
    expect(() => percentile([1], 101)).toThrow(/p in/);
  });
});

describe('the synthetic fleet', () => {
  it('is deterministic, and the seed changes it', () => {
    expect(clusterItems(SHAPE, 2)).toEqual(clusterItems(SHAPE, 2));
    expect(clusterItems({ ...SHAPE, seed: 8 }, 2)).not.toEqual(clusterItems(SHAPE, 2));
  });

  it('one guard and one history item per cluster and day, one LATEST, one finding per check', () => {
    const items = clusterItems(SHAPE, 1);
    const count = (prefix: string) => items.filter((i) => String(i.SK).startsWith(prefix)).length;
    expect(count('SCANID#')).toBe(SHAPE.days);
    expect(count('SCAN#')).toBe(SHAPE.days);
    expect(count('LATEST')).toBe(1);
    expect(count('FINDING#')).toBe(30);
    expect(count('SEEN#')).toBeGreaterThanOrEqual(30);
    expect(new Set(items.map((i) => `${String(i.PK)}|${String(i.SK)}`)).size).toBe(items.length);
  });

  it('daily scans end latestScanAgeHours before now, a day apart', () => {
    expect(scanOf(SHAPE, SHAPE.days - 1).startedAt).toBe('2026-03-01T10:00:00.000Z');
    expect(scanOf(SHAPE, 0).startedAt).toBe('2026-02-24T10:00:00.000Z');
    expect(scanOf(SHAPE, 0).id).toBe('scan-20260224');
  });
});

describe.runIf(prerequisites(JAVA))('the bulk load against the store (DynamoDB Local)', () => {
  let ddb: DynamoDbLocal;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    db = DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } });
    for (const table of ['bulk', 'stored'])
      await ddb.client.send(new CreateTableCommand(dynamoTableDefinition(table).createTable));
  }, 120_000);

  afterAll(async () => {
    await ddb?.stop();
  });

  async function partition(table: string, i: number): Promise<DynamoItem[]> {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `CLUSTER#${clusterId(i)}` },
        ConsistentRead: true,
      }),
    );
    // the regression outbox is written at put time and never read by the API: not bulk-loaded
    return Items.filter((item) => !String(item.SK).startsWith('EVENT#'));
  }

  it('writes exactly the items putClusterResult leaves, day by day in order', async () => {
    const tallies = Array.from({ length: SHAPE.days }, () => new DayTally());
    const items = Array.from({ length: SHAPE.clusters }, (_, i) => clusterItems(SHAPE, i, tallies)).flat();
    expect(await batchWriteAll(db, 'bulk', items, 3)).toBe(items.length);

    const store = openDynamoStore({ tableName: 'stored', client: db, now: () => NOW });
    for (let i = 0; i < SHAPE.clusters; i++)
      for (let d = 0; d < SHAPE.days; d++) {
        const outcome = await store.putClusterResult(clusterDayResult(SHAPE, i, d));
        expect(outcome).toMatchObject({ outcome: 'stored', latest: true });
      }

    const bulk: DynamoItem[] = [];
    for (let i = 0; i < SHAPE.clusters; i++) {
      const stored = await partition('stored', i);
      const loaded = await partition('bulk', i);
      expect(loaded).toEqual(stored);
      bulk.push(...loaded);
    }
    // the fixture exercises what the load must get right
    expect(bulk.filter((i) => i.SK === 'LATEST')).toHaveLength(SHAPE.clusters);
    const transitions = bulk
      .filter((i) => String(i.SK).startsWith('SCAN#'))
      .flatMap((i) => unpackJson(i.transitions) as { from: string | null; regression: boolean }[]);
    expect(transitions.some((t) => t.from !== null)).toBe(true);
    expect(transitions.some((t) => t.regression)).toBe(true);
    expect(bulk.some((i) => i.SK === 'STATUS#FAIL' && i.gone !== true)).toBe(true);
    expect(bulk.some((i) => i.gone === true)).toBe(true);
    expect(
      bulk.some(
        (i) =>
          i.SK === 'LATEST' &&
          (unpackJson(i.doc) as { checks: { firstSeenAt: string; lastTransitionAt: string }[] }).checks.some(
            (c) => c.firstSeenAt !== c.lastTransitionAt,
          ),
      ),
    ).toBe(true);

    // the day tallies are summaries the store accepts; the newest is the fleet summary
    for (let d = 0; d < SHAPE.days; d++) await store.putScanRun(tallies[d]!.summary(scanOf(SHAPE, d)));
    const summary = await store.getSummary();
    expect(summary?.scan.id).toBe(scanOf(SHAPE, SHAPE.days - 1).id);
    expect(summary?.clusters).toBe(SHAPE.clusters);
    expect(Object.values(summary?.byStatus ?? {}).reduce((a, b) => a + b, 0)).toBe(SHAPE.clusters * 30);
  }, 120_000);
});
