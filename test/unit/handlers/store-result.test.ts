/**
 * The store-result Lambda through its real middy wrapper: the staged AWS-side result (an
 * in-memory S3 behind aws-sdk-client-mock) plus the runner's in-cluster checks — or their ERRORs
 * with the reason — into the results store (the embedded store, which keeps the same contract
 * as DynamoDB's), the stored mutelist applied, regressions published once, a retry a duplicate.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { combineRunnerResults, PROBE_CHECK_IDS } from '../../../lambdas/core/runner-results/index.js';
import { clusterResultSchema } from '../../../lambdas/core/schema/index.js';
import type { CheckResult, Status } from '../../../lambdas/core/schema/index.js';
import { HandlerError, HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { stagedAwsResultKey } from '../../../lambdas/handlers/pipeline-payload.js';
import { createStoreResultHandler, runnerErrorReason } from '../../../lambdas/handlers/store-result.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { RegressionPublishError } from '../../../lambdas/store/index.js';
import type { RegressionEvent, ResultStore } from '../../../lambdas/store/index.js';
import { stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import { probeResult } from '../kube/support/runner-cluster.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';

const BUCKET = 'fleet-dns-work';
const CLUSTER_ID = '111122223333:eu-west-1:prod-a';
const IDENTITY = { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a', accountName: 'prod' };

const memory = installMemoryS3();
let store: ResultStore;
let output: OutputCapture;
let published: RegressionEvent[];
let failPublish: boolean;

beforeEach(() => {
  stubFakeAwsEnvironment();
  memory.clear();
  published = [];
  failPublish = false;
  store = openEmbeddedStore({
    path: ':memory:',
    publish: async (e) => {
      if (failPublish) throw new Error('bus unavailable');
      published.push(e);
    },
  });
  output = captureOutput();
});
afterEach(async () => {
  output.restore();
  await store.close();
});
afterAll(() => memory.stub.restore());

/** Stages the AWS-side result of `scanId` with the SG check in `sg` status; returns its location. */
function stage(scanId: string, startedAt: string, sg: Status = 'PASS', extra: Record<string, unknown> = {}) {
  const checks: CheckResult[] = [
    makeResult('NET-SG-DNS-UDP', { status: sg, evidence: { groups: ['sg-1'] } }),
    makeResult('NET-DHCP-OPTIONS', { status: 'WARN', evidence: { domainNameServers: ['10.0.0.2'] } }),
  ];
  const doc = { ...buildClusterResult(IDENTITY, checks, { scan: { id: scanId, startedAt } }), ...extra };
  const key = stagedAwsResultKey(scanId, CLUSTER_ID);
  memory.putJson(BUCKET, key, doc);
  return { bucket: BUCKET, key };
}

const collected = (scanId: string) => ({
  scanId,
  clusterId: CLUSTER_ID,
  checks: combineRunnerResults(probeResult(), []),
  failures: {},
  statusCounts: {},
  jobs: [],
});

const handler = () =>
  createStoreResultHandler({
    ...createPowertools('fleet-dns-store-result'),
    store,
    staging: s3StagedObjects(new S3Client({ region: 'eu-west-1' })),
    now: () => new Date('2026-12-01T02:30:00Z'),
  });
const ctx = fakeContext('fleet-dns-store-result');

describe('store-result handler', () => {
  it('merges the AWS-side and in-cluster checks into one schema-valid result, latest; a rerun is a duplicate', async () => {
    const awsResult = stage('scan-1', '2026-12-01T02:00:00Z');
    const event = {
      scanId: 'scan-1',
      startedAt: '2026-12-01T02:00:00Z',
      clusterId: CLUSTER_ID,
      awsResult,
      collected: collected('scan-1'),
    };
    const out = await handler()(event, ctx);
    expect(out).toEqual({
      scanId: 'scan-1',
      clusterId: CLUSTER_ID,
      outcome: 'stored',
      latest: true,
      worstStatus: 'ERROR', // DNS-CAPTURE: the fixture's probe recorded no queries
      published: 0,
    });
    const latest = await store.getLatest(CLUSTER_ID);
    expect(clusterResultSchema.safeParse(latest).success).toBe(true);
    expect(latest?.cluster).toMatchObject({ id: CLUSTER_ID, accountName: 'prod' });
    expect(latest?.scan).toEqual({
      id: 'scan-1',
      startedAt: '2026-12-01T02:00:00Z',
      finishedAt: '2026-12-01T02:30:00.000Z',
    });
    const ids = latest!.checks.map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining(['NET-SG-DNS-UDP', 'NET-DHCP-OPTIONS', 'DNS-INTERNAL', 'DNS-CAPTURE']),
    );
    expect(latest!.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
    expect(latest!.diagnosis.length).toBeGreaterThan(0);

    const again = await handler()(event, ctx);
    expect(again).toMatchObject({ outcome: 'duplicate', latest: true, published: 0 });
    expect(output.logs().find((l) => l.message === 'cluster result stored')).toMatchObject({
      scanId: 'scan-1',
      clusterId: CLUSTER_ID,
      outcome: 'stored',
    });
  });

  it('runnerError (the Catch) → every probe check ERROR with the Lambda error as the reason; the AWS checks stay', async () => {
    const awsResult = stage('scan-1', '2026-12-01T02:00:00Z');
    const runnerError = {
      Error: 'KubeAccessError',
      Cause: JSON.stringify({
        errorType: 'KubeAccessError',
        errorMessage: 'create jobs in namespace fleet-dns: 403 Forbidden',
        trace: ['at x'],
      }),
    };
    const out = await handler()(
      {
        scanId: 'scan-1',
        startedAt: '2026-12-01T02:00:00Z',
        clusterId: CLUSTER_ID,
        awsResult,
        runnerError,
        // a collect output beside a Catch is not trusted: the error wins
        collected: collected('scan-1'),
      },
      ctx,
    );
    expect(out.worstStatus).toBe('ERROR');
    const latest = (await store.getLatest(CLUSTER_ID))!;
    const reason =
      'the runner steps failed: KubeAccessError: create jobs in namespace fleet-dns: 403 Forbidden';
    expect(runnerErrorReason(runnerError)).toBe(reason);
    for (const id of PROBE_CHECK_IDS) {
      const check = latest.checks.find((c) => c.id === id);
      expect(check, id).toMatchObject({ status: 'ERROR', evidence: { reason } });
    }
    expect(latest.checks.find((c) => c.id === 'NET-SG-DNS-UDP')?.status).toBe('PASS');
    expect(latest.diagnosis.map((d) => d.cause)).not.toContain('healthy');
  });

  it('a States.Timeout Cause in plain text, and a runner never dispatched, are reasons too', async () => {
    expect(runnerErrorReason({ Error: 'States.Timeout', Cause: 'Task timed out after 60 s' })).toBe(
      'the runner steps failed: States.Timeout: Task timed out after 60 s',
    );
    const awsResult = stage('scan-1', '2026-12-01T02:00:00Z', 'PASS', {
      runnerNotDispatched: 'cluster API unreachable: private endpoint only',
    });
    await handler()(
      { scanId: 'scan-1', startedAt: '2026-12-01T02:00:00Z', clusterId: CLUSTER_ID, awsResult },
      ctx,
    );
    const latest = (await store.getLatest(CLUSTER_ID))!;
    expect(latest.checks.find((c) => c.id === 'DNS-INTERNAL')).toMatchObject({
      status: 'ERROR',
      evidence: { reason: 'cluster API unreachable: private endpoint only' },
    });
    expect(latest).not.toHaveProperty('runnerNotDispatched');
  });

  it('applies the stored mutelist: the matching check is muted with its reason and leaves the worst status', async () => {
    await store.putMutelist({
      Mutelist: {
        Accounts: {
          '*': {
            Checks: {
              'NET-SG-DNS-UDP': {
                Regions: ['*'],
                Resources: ['prod-a'],
                Reason: 'DNS via a proxy by design',
              },
            },
          },
        },
      },
    });
    const awsResult = stage('scan-1', '2026-12-01T02:00:00Z', 'FAIL');
    const out = await handler()(
      {
        scanId: 'scan-1',
        startedAt: '2026-12-01T02:00:00Z',
        clusterId: CLUSTER_ID,
        awsResult,
        collected: collected('scan-1'),
      },
      ctx,
    );
    const sg = (await store.getLatest(CLUSTER_ID))!.checks.find((c) => c.id === 'NET-SG-DNS-UDP');
    expect(sg).toMatchObject({ status: 'FAIL', muted: true, mutedReason: 'DNS via a proxy by design' });
    expect(out.worstStatus).toBe('ERROR');
  });

  it('a regression is published once: a failed publish rejects (the step retries), the retry publishes it, a third run nothing', async () => {
    const base = { clusterId: CLUSTER_ID, collected: undefined };
    await handler()(
      {
        ...base,
        scanId: 'scan-1',
        startedAt: '2026-12-01T02:00:00Z',
        awsResult: stage('scan-1', '2026-12-01T02:00:00Z'),
      },
      ctx,
    );
    const second = {
      ...base,
      scanId: 'scan-2',
      startedAt: '2026-12-02T02:00:00Z',
      awsResult: stage('scan-2', '2026-12-02T02:00:00Z', 'FAIL'),
    };
    failPublish = true;
    await expect(handler()(second, ctx)).rejects.toBeInstanceOf(RegressionPublishError);
    expect(published).toEqual([]);
    failPublish = false;
    const retried = await handler()(second, ctx);
    expect(retried).toMatchObject({ outcome: 'duplicate', latest: true, worstStatus: 'FAIL', published: 2 });
    // the check's flip and the gate's (unknown: the first scan's runner gave no result → fail), each once
    expect(
      published.map((e) => [e.type === 'check.regressed' ? e.checkId : 'gate', e.from, e.to]).sort(),
    ).toEqual([
      ['NET-SG-DNS-UDP', 'PASS', 'FAIL'],
      ['gate', 'unknown', 'fail'],
    ]);
    expect(await handler()(second, ctx)).toMatchObject({ outcome: 'duplicate', published: 0 });
    expect(published).toHaveLength(2);
  });

  it('refuses a bad payload (HandlerInputError) and a staged result of another cluster (HandlerError)', async () => {
    await expect(
      handler()(
        { scanId: 'scan-1', startedAt: 'yesterday', clusterId: 'prod', awsResult: { bucket: BUCKET } },
        ctx,
      ),
    ).rejects.toSatisfy(
      (e) =>
        e instanceof HandlerInputError &&
        e.problems.some((p) => p.startsWith('startedAt:')) &&
        e.problems.some((p) => p.startsWith('clusterId:')) &&
        e.problems.some((p) => p.startsWith('awsResult.key:')),
    );
    const awsResult = stage('scan-1', '2026-12-01T02:00:00Z');
    const err = await handler()(
      {
        scanId: 'scan-1',
        startedAt: '2026-12-01T02:00:00Z',
        clusterId: '111122223333:eu-west-1:other',
        awsResult,
      },
      ctx,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect((err as Error).message).toContain('not 111122223333:eu-west-1:other');
    expect(await store.getLatest('111122223333:eu-west-1:other')).toBeNull();
  });
});
