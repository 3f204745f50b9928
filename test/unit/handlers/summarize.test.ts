/**
 * The summarize Lambda through its real middy wrapper, over a Distributed Map's ResultWriter
 * output in the real shape (manifest.json with ResultFiles SUCCEEDED/FAILED/PENDING, each result
 * file a JSON array of child executions whose Input and Output are JSON text) in an in-memory S3,
 * and the results store (embedded) holding the clusters' results.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { fleetSummarySchema } from '../../../lambdas/core/schema/index.js';
import type { CheckResult, Status } from '../../../lambdas/core/schema/index.js';
import { HandlerError } from '../../../lambdas/handlers/errors.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { discoveryGapsKey } from '../../../lambdas/handlers/pipeline-payload.js';
import { createSummarizeHandler } from '../../../lambdas/handlers/summarize.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';

const BUCKET = 'fleet-dns-work';
const SCAN = 'scan-2';
const STARTED = '2026-12-02T02:00:00Z';
const ACCOUNT = '111122223333';
const A = `${ACCOUNT}:eu-west-1:prod-a`;
const B = `${ACCOUNT}:eu-west-1:prod-b`;
const PREFIX = `scans/${SCAN}/map/0b5a0f4e-1f0c-3a6e-9d6b-4c3c1d2e3f40`;
const MAP_RUN = 'arn:aws:states:eu-west-1:111122223333:mapRun:fleet-scan/CollectRegions:0b5a0f4e';

const memory = installMemoryS3();
let store: ResultStore;
let output: OutputCapture;
beforeEach(() => {
  stubFakeAwsEnvironment();
  memory.clear();
  store = openEmbeddedStore({ path: ':memory:' });
  output = captureOutput();
});
afterEach(async () => {
  output.restore();
  await store.close();
});
afterAll(() => memory.stub.restore());

function result(name: string, scanId: string, startedAt: string, sg: Status, muted = false) {
  const checks: CheckResult[] = [
    {
      ...makeResult('NET-SG-DNS-UDP', { status: sg, evidence: {} }),
      ...(muted ? { muted: true, mutedReason: 'ok' } : {}),
    },
    makeResult('DNS-INTERNAL', { status: 'PASS', evidence: {} }),
    makeResult('NET-DHCP-OPTIONS', { status: 'WARN', evidence: {} }),
  ];
  return buildClusterResult({ accountId: ACCOUNT, region: 'eu-west-1', name }, checks, {
    scan: { id: scanId, startedAt, finishedAt: startedAt },
  });
}

/** A child execution entry as the ResultWriter writes it. */
function child(status: 'SUCCEEDED' | 'FAILED' | 'PENDING', item: object, out?: object, error?: object) {
  return {
    ExecutionArn: `arn:aws:states:eu-west-1:111122223333:execution:fleet-scan/CollectRegions:${Math.random()}`,
    Input: JSON.stringify({ scanId: SCAN, startedAt: STARTED, item }),
    InputDetails: { Included: true },
    Name: 'child',
    ...(out ? { Output: JSON.stringify(out), OutputDetails: { Included: true } } : {}),
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: '2026-12-02T02:00:05.000Z',
    StateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:fleet-scan/CollectRegions',
    Status: status,
    StopDate: '2026-12-02T02:03:00.000Z',
    ...error,
  };
}

const stored = (clusterId: string, latest = true) => ({
  scanId: SCAN,
  clusterId,
  outcome: 'stored',
  latest,
  worstStatus: 'FAIL',
  published: 0,
});

/** The Map's output in S3: manifest + one file per status; returns the Map state's output. */
function writeMapResults(files: { SUCCEEDED?: object[]; FAILED?: object[]; PENDING?: object[] }) {
  const resultFiles: Record<string, { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  for (const [status, children] of Object.entries(files)) {
    const key = `${PREFIX}/${status}_0.json`;
    memory.putJson(BUCKET, key, children);
    resultFiles[status] = [{ Key: key, Size: JSON.stringify(children).length }];
  }
  memory.putJson(BUCKET, `${PREFIX}/manifest.json`, {
    DestinationBucket: BUCKET,
    MapRunArn: MAP_RUN,
    ResultFiles: resultFiles,
  });
  return { ResultWriterDetails: { Bucket: BUCKET, Key: `${PREFIX}/manifest.json` } };
}

const handler = () =>
  createSummarizeHandler({
    ...createPowertools('fleet-dns-summarize'),
    store,
    staging: s3StagedObjects(new S3Client({ region: 'eu-west-1' })),
    workBucket: BUCKET,
    now: () => new Date('2026-12-02T02:10:00Z'),
  });
const ctx = fakeContext('fleet-dns-summarize');

describe('summarize handler', () => {
  it('rolls up the stored results, counts regressions, and records every gap; the summary is stored and schema-valid', async () => {
    await store.putClusterResult(result('prod-a', 'scan-1', '2026-12-01T02:00:00Z', 'PASS'));
    await store.putClusterResult(result('prod-a', SCAN, STARTED, 'FAIL'));
    await store.putClusterResult(result('prod-b', SCAN, STARTED, 'FAIL', true));
    const clusterGap = {
      scope: 'cluster',
      accountId: ACCOUNT,
      region: 'eu-west-1',
      clusterId: `${ACCOUNT}:eu-west-1:gone`,
      reason: 'eks:DescribeCluster: ResourceNotFoundException: No cluster found',
    };
    const mapResult = writeMapResults({
      SUCCEEDED: [
        child(
          'SUCCEEDED',
          { accountId: ACCOUNT, region: 'eu-west-1' },
          {
            scanId: SCAN,
            startedAt: STARTED,
            accountId: ACCOUNT,
            region: 'eu-west-1',
            clusters: [],
            gaps: [clusterGap],
            stored: [stored(A), stored(B)],
          },
        ),
      ],
      FAILED: [
        child('FAILED', { accountId: '444455556666', region: 'us-east-1' }, undefined, {
          Error: 'Lambda.Unknown',
          Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'Task timed out after 900.00 seconds' }),
        }),
      ],
      PENDING: [child('PENDING', { accountId: '444455556666', region: 'us-west-2' })],
    });
    memory.putJson(BUCKET, discoveryGapsKey(SCAN), [
      {
        scope: 'account',
        accountId: '777788889999',
        reason: 'cannot assume arn:aws:iam::777788889999:role/x: AccessDenied',
      },
    ]);

    const out = await handler()({ scanId: SCAN, startedAt: STARTED, mapResult }, ctx);

    expect(out).toEqual({
      scanId: SCAN,
      clusters: 2,
      // prod-b's FAIL is muted: left out
      statusCounts: { FAIL: 1, PASS: 2, WARN: 2 },
      regressions: 1,
      gaps: 4,
    });
    const summary = await store.getScan(SCAN);
    expect(fleetSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({
      scan: { id: SCAN, startedAt: STARTED, finishedAt: '2026-12-02T02:10:00.000Z' },
      clusters: 2,
      regressions: [{ clusterId: A, checkId: 'NET-SG-DNS-UDP', from: 'PASS', to: 'FAIL' }],
      coverage: { accounts: 1, regions: 1, clustersScanned: 2 },
    });
    expect(summary!.byCheck['NET-SG-DNS-UDP']).toMatchObject({ FAIL: 1, PASS: 0 });
    expect(summary!.bySeverity.high).toMatchObject({ FAIL: 1 });
    const gaps = summary!.coverage.gaps;
    expect(gaps[0]).toMatchObject({ scope: 'account', accountId: '777788889999' });
    expect(gaps).toContainEqual(clusterGap);
    expect(gaps).toContainEqual({
      scope: 'region',
      accountId: '444455556666',
      region: 'us-east-1',
      reason: 'collecting the account×region failed: Lambda.Unknown: Task timed out after 900.00 seconds',
    });
    expect(gaps.find((g) => g.region === 'us-west-2')?.reason).toMatch(/never collected/);
    expect((await store.getSummary())?.scan.id).toBe(SCAN);
  });

  it('a stored result that became latest in an older position is read by id; no regressions from it', async () => {
    await store.putClusterResult(result('prod-a', 'scan-3', '2026-12-03T02:00:00Z', 'PASS'));
    await store.putClusterResult(result('prod-a', SCAN, STARTED, 'FAIL'));
    const mapResult = writeMapResults({
      SUCCEEDED: [
        child(
          'SUCCEEDED',
          { accountId: ACCOUNT, region: 'eu-west-1' },
          {
            scanId: SCAN,
            startedAt: STARTED,
            accountId: ACCOUNT,
            region: 'eu-west-1',
            clusters: [],
            gaps: [],
            stored: [stored(A, false)],
          },
        ),
      ],
    });
    const out = await handler()({ scanId: SCAN, startedAt: STARTED, mapResult }, ctx);
    expect(out).toMatchObject({ clusters: 1, regressions: 0, gaps: 0, statusCounts: { FAIL: 1 } });
  });

  it('a manifest that is not one is a HandlerError naming the object', async () => {
    memory.putJson(BUCKET, 'x/manifest.json', { Files: [] });
    const err = await handler()(
      {
        scanId: SCAN,
        startedAt: STARTED,
        mapResult: { ResultWriterDetails: { Bucket: BUCKET, Key: 'x/manifest.json' } },
      },
      ctx,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect((err as Error).message).toContain('s3://fleet-dns-work/x/manifest.json is not a Map run manifest');
    expect(await store.getScan(SCAN)).toBeNull();
  });
});
