/**
 * The fleet-scan handlers in process, in the state machine's order (the payload contract):
 * Discover → per work item CollectRegion → per cluster Dispatch → RunnerStatus loop → Collect →
 * StoreResult → Summarize, each through its real middy wrapper, passing exactly the JSON the
 * state machine passes. A small fleet — two clusters in one account×region — over
 * aws-sdk-client-mock (EC2/EKS/STS from the fake AWS world, an in-memory S3, EventBridge), two
 * fake Kubernetes APIs (lab/fake-kube-api) whose runner pods log valid signed results, and the
 * DynamoDB store on DynamoDB Local.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { clusterResultSchema, fleetSummarySchema } from '../../../lambdas/core/schema/index.js';
import type { TokenTarget } from '../../../lambdas/handlers/cluster-connection.js';
import { createCollectRegionHandler } from '../../../lambdas/handlers/collect-region.js';
import type { CollectRegionOutput } from '../../../lambdas/handlers/collect-region.js';
import { parseRunnerHandlerConfig } from '../../../lambdas/handlers/config.js';
import { createDiscoverHandler } from '../../../lambdas/handlers/discover.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { workItemSchema } from '../../../lambdas/handlers/pipeline-payload.js';
import type { ClusterToScan } from '../../../lambdas/handlers/pipeline-payload.js';
import type { StoreResultOutput } from '../../../lambdas/handlers/store-result.js';
import { createSummarizeHandler } from '../../../lambdas/handlers/summarize.js';
import { createKubeClient } from '../../../lambdas/kube/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import {
  openPipelineStore,
  scanClusterBranch,
  storeResultHandler,
  writeMapResult,
} from '../../support/pipeline.js';
import type { ClusterBranch, MapChild } from '../../support/pipeline.js';
import { prerequisites } from '../../support/prerequisites.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import type { FakeAws } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import type { MemoryS3 } from '../aws/support/memory-s3.js';
import {
  CORE_DNS_PODS,
  corednsPodObjects,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  nodeResult,
  podLog,
  probeResult,
  SETTINGS,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const BUCKET = 'fleet-dns-work';
const BUS = 'fleet-dns-events';
const SCAN = 'nightly-2026-12-02';
const NAMES = ['prod-a', 'prod-b'] as const;
const idOf = (name: string) => `${ACCOUNT}:${REGION}:${name}`;
const ctx = (fn: string) => fakeContext(fn);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe.runIf(prerequisites(JAVA))('fleet-scan handlers in the state machine’s order', () => {
  let ddb: DynamoDbLocal;
  let store: ResultStore;
  let aws: FakeAws;
  let s3: MemoryS3;
  let output: OutputCapture;
  const events = mockClient(EventBridgeClient);
  const kube = new Map<string, RunnerCluster>();

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    ddb = await startDynamoDbLocal();
    s3 = installMemoryS3();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    store = await openPipelineStore(ddb, {
      tableName: 'fleet-dns-pipeline',
      region: REGION,
      busName: BUS,
      bucket: BUCKET,
    });

    // Each cluster's API: CoreDNS on two nodes; the runner pods log results signed for this scan.
    for (const name of NAMES) {
      const c = await startRunnerCluster({ objects: corednsPodObjects() });
      const over = { scanId: SCAN, clusterId: idOf(name) };
      // prod-a's probe finds internal names failing: a regression against its previous scan
      const internal = name === 'prod-a' ? 'FAIL' : 'PASS';
      c.logs.set(
        'probe',
        podLog(
          probeResult({
            ...over,
            checks: [makeResult('DNS-INTERNAL', { status: internal, evidence: { answers: [] } })],
          }),
        ),
      );
      c.logs.set(NODE_A, podLog(nodeResult(NODE_A, over)));
      c.logs.set(NODE_B, podLog(nodeResult(NODE_B, over)));
      kube.set(name, c);
    }
    const vpc = buildVpc({
      vpcId: 'vpc-pipeline',
      octet: 40,
      accountId: ACCOUNT,
      region: REGION,
      clusters: NAMES.map((name) => ({ name, nodes: 2 })),
    });
    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: NAMES.map((name) =>
            buildCluster({
              name,
              accountId: ACCOUNT,
              region: REGION,
              vpc,
              endpoint: kube.get(name)!.api.url,
              caData: b64(kube.get(name)!.api.caPem),
            }),
          ),
        },
      ],
      { currentAccountId: ACCOUNT },
    );
    // prod-a's previous scan: internal names resolved then
    await store.putClusterResult(
      buildClusterResult(
        { accountId: ACCOUNT, region: REGION, name: 'prod-a' },
        [makeResult('DNS-INTERNAL', { status: 'PASS', evidence: {} })],
        {
          scan: {
            id: 'nightly-2026-12-01',
            startedAt: '2026-12-01T02:00:00Z',
            finishedAt: '2026-12-01T02:20:00Z',
          },
        },
      ),
    );
    output = captureOutput();
  }, 180_000);

  afterAll(async () => {
    output?.restore();
    await store?.close();
    aws?.restore();
    s3?.stub.restore();
    events.restore();
    for (const c of kube.values()) await c.stop();
    await ddb?.stop();
  }, 60_000);

  const s3Client = () => new S3Client({ region: REGION });
  const tokenOf = (clusterName: string) => kube.get(clusterName)!.api.token;
  const runnerDeps = (service: string) => ({
    ...createPowertools(service),
    config: parseRunnerHandlerConfig({ RUNNER_IMAGE: SETTINGS.image, RUNNER_NAMESPACE: NS }),
    tokenProvider: async (t: TokenTarget) => tokenOf(t.clusterName),
    kubeClientFactory: createKubeClient,
    newHmacKey: () => KEY,
  });
  const storeResult = () => storeResultHandler({ store, s3: s3Client });
  /** The inline Map's branch of one cluster (the wait loop without a wait: the fake pods have logged already). */
  const scanCluster = (state: ClusterToScan): Promise<ClusterBranch> =>
    scanClusterBranch(state, { runnerDeps, store, s3: s3Client, maxPolls: 5 });

  it('stores each cluster’s merged result, sets latest, publishes the regression once, and summarizes the scan', async () => {
    // 1. Discover
    const discovered = await createDiscoverHandler({
      ...createPowertools('fleet-dns-discover'),
      staging: s3StagedObjects(s3Client()),
      workBucket: BUCKET,
      scope: {
        accounts: { mode: 'current' },
        exclude: [],
        regions: { mode: 'list', regions: [REGION] },
        roleName: 'fleet-dns-scanner',
        homeRegion: REGION,
      },
    })({ scanId: SCAN }, ctx('fleet-dns-discover'));
    expect(discovered).toMatchObject({ scanId: SCAN, itemCount: 1, workItems: { bucket: BUCKET } });
    const items = s3.json(discovered.workItems.bucket, discovered.workItems.key) as unknown[];
    expect(items).toEqual([{ accountId: ACCOUNT, region: REGION }]);

    // 2. the Distributed Map: ItemSelector { scanId, startedAt, item } per work item
    const children: MapChild[] = [];
    let firstStore: ClusterBranch | undefined;
    for (const item of items) {
      const input = {
        scanId: discovered.scanId,
        startedAt: discovered.startedAt,
        item: workItemSchema.parse(item),
      };
      const region: CollectRegionOutput = await createCollectRegionHandler({
        ...createPowertools('fleet-dns-collect-region'),
        staging: s3StagedObjects(s3Client()),
        workBucket: BUCKET,
        homeRegion: REGION,
        tokenFactory: async ({ clusterName }) => ({
          token: tokenOf(clusterName),
          expiresAt: new Date(Date.now() + 600_000),
        }),
      })(input, ctx('fleet-dns-collect-region'));
      expect(region.gaps).toEqual([]);
      // each cluster with its own API and the CoreDNS pods read from it (CORE_DNS_PODS, tolerations kept)
      expect(region.clusters.map((c) => [c.clusterId, c.cluster?.endpoint])).toEqual(
        NAMES.map((name) => [idOf(name), kube.get(name)!.api.url]),
      );
      for (const c of region.clusters) expect(c.corednsPods).toEqual(CORE_DNS_PODS);
      expect(JSON.stringify(region).length).toBeLessThan(256 * 1024);
      const stored: StoreResultOutput[] = [];
      for (const cluster of JSON.parse(JSON.stringify(region.clusters)) as ClusterToScan[]) {
        const branch = await scanCluster(cluster);
        firstStore ??= branch;
        stored.push(branch.output);
      }
      children.push({
        Input: JSON.stringify(input),
        Output: JSON.stringify({ ...region, stored }),
        Status: 'SUCCEEDED',
      });

      expect(stored.map((s) => [s.clusterId, s.outcome, s.latest, s.published])).toEqual([
        [idOf('prod-a'), 'stored', true, 2], // DNS-INTERNAL's flip and the gate's
        [idOf('prod-b'), 'stored', true, 0],
      ]);
    }

    // results in the table, latest set, merged: AWS-side and in-cluster checks, schema-valid
    for (const name of NAMES) {
      const latest = await store.getLatest(idOf(name));
      expect(clusterResultSchema.safeParse(latest).success, name).toBe(true);
      expect(latest?.scan?.id).toBe(SCAN);
      const ids = latest!.checks.map((c) => c.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'NET-SG-DNS-UDP',
          'EKS-COREDNS-ADDON',
          'DNS-INTERNAL',
          'NODE-LINKLOCAL-ALLOWANCE',
        ]),
      );
      expect(latest!.checks.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.status).toBe('PASS');
    }
    expect((await store.getLatest(idOf('prod-a')))!.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe(
      'FAIL',
    );
    // the runner's objects are gone from both clusters
    for (const c of kube.values()) expect(c.scanObjects(SCAN)).toEqual([]);

    // two regression events went to the bus: the check's flip and the gate's
    const entries = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!);
    expect(entries.map((e) => e.DetailType).sort()).toEqual(['check.regressed', 'gate.failed']);
    const entry = entries.find((e) => e.DetailType === 'check.regressed')!;
    expect(entry).toMatchObject({ EventBusName: BUS, Source: 'fleet-dns' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ checkId: 'DNS-INTERNAL', from: 'PASS', to: 'FAIL' });
    expect(JSON.parse(entries.find((e) => e.DetailType === 'gate.failed')!.Detail!)).toMatchObject({
      from: 'pass',
      to: 'fail',
      reasons: [expect.objectContaining({ checkId: 'DNS-INTERNAL' })],
    });

    // StoreResult retried with the same input: a duplicate, nothing published
    const rerun = await storeResult()(firstStore!.input, ctx('fleet-dns-store-result'));
    expect(rerun).toMatchObject({ outcome: 'duplicate', latest: true, published: 0 });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(2);

    // 3. the ResultWriter's output, then Summarize
    const mapResult = writeMapResult(s3, {
      bucket: BUCKET,
      scanId: SCAN,
      region: REGION,
      accountId: ACCOUNT,
      children,
    });
    const summarized = await createSummarizeHandler({
      ...createPowertools('fleet-dns-summarize'),
      store,
      staging: s3StagedObjects(s3Client()),
      workBucket: BUCKET,
    })(
      {
        scanId: SCAN,
        startedAt: discovered.startedAt,
        mapResult,
      },
      ctx('fleet-dns-summarize'),
    );
    expect(summarized).toMatchObject({ scanId: SCAN, clusters: 2, regressions: 1, gaps: 0 });
    const summary = await store.getSummary();
    expect(fleetSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({
      scan: { id: SCAN },
      clusters: 2,
      regressions: [{ clusterId: idOf('prod-a'), checkId: 'DNS-INTERNAL', from: 'PASS', to: 'FAIL' }],
      coverage: { accounts: 1, regions: 1, clustersScanned: 2, gaps: [] },
    });
  }, 120_000);
});
