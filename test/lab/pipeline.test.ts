/**
 * The fleet-scan handlers in process, in the state machine's order (the payload contract), over
 * the lab — the path `fleet-dns scan` takes: Discover → CollectRegion → per cluster Dispatch →
 * RunnerStatus loop → Collect → StoreResult → Summarize, each through its real middy wrapper.
 * A small fleet of two clusters in one account×region, each a lab (lab/scenarios: `healthy` and
 * `coredns-pod-dropping`): the AWS side from aws-sdk-client-mock (the fake AWS world, an in-memory
 * S3, EventBridge) with each cluster's endpoint and CA the lab's fake API; the cluster-facing
 * handlers reach that API over verified TLS as the scanner user (the lab's scanner token from the
 * injected token provider), so the lab's Job controller runs the real runner for the Jobs the
 * dispatch step creates and the collect step reads its signed results; the store on DynamoDB Local.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  judgeScenario,
  LAB_RUNNER_IMAGE,
  LAB_SCANNER_USER,
  leftoverObjects,
  startLab,
  startRunnerJobs,
} from '../../lab/engine/index.js';
import type { Lab, RunnerJobs } from '../../lab/engine/index.js';
import { LAB_LATENCY_WARN_ARGS } from '../../lab/engine/run-by-hand.js';
import { vpcNodesOf as vpcNodesOfObjects } from '../../lab/demo/demo-fleet.js';
import { loadScenario } from '../../lab/scenarios/schema.js';
import type { Scenario } from '../../lab/scenarios/schema.js';
import { parseClusterId } from '../../lambdas/core/results/index.js';
import { clusterResultSchema, fleetSummarySchema } from '../../lambdas/core/schema/index.js';
import type { TokenTarget } from '../../lambdas/handlers/cluster-connection.js';
import { createCollectRegionHandler } from '../../lambdas/handlers/collect-region.js';
import type { CollectRegionOutput } from '../../lambdas/handlers/collect-region.js';
import { parseRunnerHandlerConfig } from '../../lambdas/handlers/config.js';
import { createDiscoverHandler } from '../../lambdas/handlers/discover.js';
import { createPowertools } from '../../lambdas/handlers/middleware.js';
import { workItemSchema } from '../../lambdas/handlers/pipeline-payload.js';
import type { ClusterToScan } from '../../lambdas/handlers/pipeline-payload.js';
import type { StoreResultOutput } from '../../lambdas/handlers/store-result.js';
import { createSummarizeHandler } from '../../lambdas/handlers/summarize.js';
import { createKubeClient } from '../../lambdas/kube/index.js';
import type { ResultStore } from '../../lambdas/store/index.js';
import { JAVA, startDynamoDbLocal } from '../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../support/dynamodb-local.js';
import {
  openPipelineStore,
  scanClusterBranch,
  storeResultHandler,
  writeMapResult,
} from '../support/pipeline.js';
import type { ClusterBranch, MapChild } from '../support/pipeline.js';
import { ROOT, command, prerequisites } from '../support/prerequisites.js';
import {
  buildCluster,
  buildVpc,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../unit/aws/support/fake-aws.js';
import type { FakeAws, VpcNodeSpec } from '../unit/aws/support/fake-aws.js';
import { installMemoryS3 } from '../unit/aws/support/memory-s3.js';
import type { MemoryS3 } from '../unit/aws/support/memory-s3.js';
import { captureOutput, fakeContext } from '../unit/handlers/support.js';
import type { OutputCapture } from '../unit/handlers/support.js';
import { buildRunnerBundle } from './support/runner-bundle.js';
import type { RunnerBundle } from './support/runner-bundle.js';
import { s3StagedObjects } from '../../lambdas/aws/s3/index.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-1';
const BUCKET = 'fleet-dns-work';
const BUS = 'fleet-dns-events';
const SCAN = 'lab-pipeline-2026-12-02';
// The CoreDNS metrics are scraped twice, 10 s apart by default; the lab serves each scrape at once.
const PROBE_ARGS = ['--metrics-interval-ms', '1000'];
// The wait loop: WaitForRunner between status reads, bounded as the state machine's max polls.
const WAIT_MS = 1000;
const MAX_POLLS = 90;

/**
 * One cluster of the fleet: a scenario file and its cluster's account and name. One account
 * each: both labs are the same nodes (instance ids, addresses), which one VPC could not hold.
 */
const FLEET = [
  { file: 'healthy.yaml', account: '111122223333', name: 'lab-healthy' },
  { file: 'coredns-pod-dropping.yaml', account: '444455556666', name: 'lab-coredns-pod-dropping' },
] as const;
const ACCOUNTS = FLEET.map((f) => f.account);
const accountOf = (name: string) => FLEET.find((f) => f.name === name)?.account ?? '';
const idOf = (name: string) => `${accountOf(name)}:${REGION}:${name}`;
const ctx = (fn: string) => fakeContext(fn);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const ready = prerequisites(
  ROOT,
  command('ip', 'iproute2'),
  command('iptables', 'iptables'),
  command('dnsmasq', 'dnsmasq-base'),
  command('tcpdump', 'tcpdump'),
  command('dig', 'bind9-dnsutils'),
  JAVA,
);

/** The lab cluster's nodes as EC2 shows them (lab/demo's mapping: providerID, InternalIP, pod IPs). */
const vpcNodesOf = (lab: Lab): VpcNodeSpec[] => vpcNodesOfObjects(lab.objects, lab.pods);

interface LabCluster {
  readonly name: string;
  readonly scenario: Scenario;
  readonly lab: Lab;
  readonly jobs: RunnerJobs;
}

describe.runIf(ready)('fleet-scan handlers in the state machine’s order, over the lab', () => {
  let ddb: DynamoDbLocal;
  let store: ResultStore;
  let aws: FakeAws;
  let s3: MemoryS3;
  let output: OutputCapture;
  let bundle: RunnerBundle | undefined;
  const events = mockClient(EventBridgeClient);
  const labs = new Map<string, LabCluster>();
  const labOf = (name: string): LabCluster => {
    const l = labs.get(name);
    if (!l) throw new Error(`no lab for cluster ${name}`);
    return l;
  };

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    bundle = buildRunnerBundle();
    ddb = await startDynamoDbLocal();
    s3 = installMemoryS3();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    store = await openPipelineStore(ddb, {
      tableName: 'fleet-dns-lab-pipeline',
      region: REGION,
      busName: BUS,
      bucket: BUCKET,
    });
    for (const { file, name } of FLEET) {
      const loaded = loadScenario(path.join(REPO, 'lab/scenarios', file));
      // The scenario's cluster as the fleet names it (the runner reports the dispatch's cluster id).
      const scenario: Scenario = {
        ...loaded.scenario,
        cluster: { ...loaded.scenario.cluster, id: idOf(name) },
      };
      const lab = await startLab({ scenario, scenarioDir: loaded.dir });
      // The lab's Job controller and kubelet: the real runner for each Job the dispatch step creates.
      const jobs = startRunnerJobs(lab, {
        runnerCommand: bundle.command,
        faults: scenario.runnerJobs,
        probeArgs: [...LAB_LATENCY_WARN_ARGS, ...scenario.probe.args, ...PROBE_ARGS],
        repoRoot: REPO,
      });
      labs.set(name, { name, scenario, lab, jobs });
    }
    aws = installFakeAws(
      FLEET.map(({ account, name }, i) => {
        const { lab } = labOf(name);
        // the lab's addresses are the VPC's (198.18.0.0/16)
        const vpc = buildVpc({
          vpcId: `vpc-lab${i}`,
          octet: 41 + i,
          cidrBase: '198.18',
          accountId: account,
          region: REGION,
          clusters: [{ name, nodes: vpcNodesOf(lab) }],
        });
        return {
          accountId: account,
          region: REGION,
          vpcs: [vpc],
          // DescribeCluster's endpoint and CA: the lab's fake API as this process reaches it
          clusters: [
            buildCluster({
              name,
              accountId: account,
              region: REGION,
              vpc,
              endpoint: lab.apiUrlFromHost,
              caData: b64(lab.api.caPem),
            }),
          ],
        };
      }),
      { currentAccountId: ACCOUNTS[0] ?? '' },
    );
    output = captureOutput();
  }, 120_000);

  afterAll(async () => {
    output?.restore();
    await store?.close();
    aws?.restore();
    s3?.stub.restore();
    events.restore();
    for (const l of labs.values()) {
      await l.jobs.stop();
      await l.lab.stop();
    }
    await ddb?.stop();
    bundle?.remove();
  }, 60_000);

  const s3Client = () => new S3Client({ region: REGION });
  // The scanner's token for a cluster, as the EKS token provider would sign one for its name.
  const tokenOf = (clusterName: string) => labOf(clusterName).lab.scannerToken;
  const tokenRequests: TokenTarget[] = [];
  // One deployment's runner settings for every cluster (the scenarios share domain and deadline).
  const runnerDeps = (service: string) => {
    const { cluster, runnerJobs } = labOf(FLEET[0].name).scenario;
    return {
      ...createPowertools(service),
      config: parseRunnerHandlerConfig({
        RUNNER_IMAGE: LAB_RUNNER_IMAGE,
        RUNNER_CLUSTER_DOMAIN: cluster.domain,
        RUNNER_ACTIVE_DEADLINE_SECONDS: String(runnerJobs.activeDeadlineSeconds),
        RUNNER_COLLECT_DEADLINE_SECONDS: String(runnerJobs.activeDeadlineSeconds + 30),
        RUNNER_TTL_SECONDS_AFTER_FINISHED: String(Math.max(900, runnerJobs.activeDeadlineSeconds + 60)),
      }),
      tokenProvider: async (t: TokenTarget) => {
        tokenRequests.push(t);
        return tokenOf(t.clusterName);
      },
      kubeClientFactory: createKubeClient,
    };
  };

  it('stores each lab cluster’s result with the checks and diagnosis its scenario expects, leaves no runner object, and summarizes the scan', async () => {
    // 1. Discover
    const discovered = await createDiscoverHandler({
      ...createPowertools('fleet-dns-discover'),
      staging: s3StagedObjects(s3Client()),
      workBucket: BUCKET,
      scope: {
        accounts: { mode: 'list', accounts: ACCOUNTS },
        exclude: [],
        regions: { mode: 'list', regions: [REGION] },
        roleName: 'fleet-dns-scanner',
        homeRegion: REGION,
      },
    })({ scanId: SCAN }, ctx('fleet-dns-discover'));
    expect(discovered).toMatchObject({ scanId: SCAN, itemCount: FLEET.length });
    const items = (s3.json(discovered.workItems.bucket, discovered.workItems.key) as unknown[]).map((i) =>
      workItemSchema.parse(i),
    );
    expect(items.map((i) => [i.accountId, i.region]).sort()).toEqual(ACCOUNTS.map((a) => [a, REGION]).sort());

    // 2. the Distributed Map: ItemSelector { scanId, startedAt, item } per work item
    const collectRegion = createCollectRegionHandler({
      ...createPowertools('fleet-dns-collect-region'),
      staging: s3StagedObjects(s3Client()),
      workBucket: BUCKET,
      homeRegion: REGION,
      tokenFactory: async ({ clusterName }) => ({
        token: tokenOf(clusterName),
        expiresAt: new Date(Date.now() + 600_000),
      }),
    });
    const branches = new Map<string, ClusterBranch>();
    /** The inline Map's branch of one lab cluster, and what it left in the lab's API. */
    async function scanLabCluster(cluster: ClusterToScan): Promise<ClusterBranch> {
      const name = parseClusterId(cluster.clusterId).name;
      const { lab, jobs } = labOf(name);
      const firstRequest = lab.api.requests.length;
      const branch = await scanClusterBranch(cluster, {
        runnerDeps,
        store,
        s3: s3Client,
        maxPolls: MAX_POLLS,
        waitMs: WAIT_MS,
      });
      branches.set(name, branch);
      // the wait loop saw the probe end before its bound; the runner's pods end after the collect's delete
      expect(branch.statuses.at(-1)?.done, name).toBe(true);
      expect(await jobs.settled(60_000), name).toBe(true);
      expect(jobs.problems, name).toEqual([]);
      expect(leftoverObjects(lab), name).toEqual([]);
      // the handlers reached the lab's API as the scanner: the Secret and a Job per CoreDNS node plus the probe
      const scanner = lab.api.requests.slice(firstRequest).filter((r) => r.user === LAB_SCANNER_USER);
      const creates = scanner.filter((r) => r.method === 'POST').map((r) => r.path.split('/').at(-1));
      const corednsNodes = new Set(lab.corednsPods.map((p) => p.node));
      expect(creates.sort(), name).toEqual(
        ['jobs', ...[...corednsNodes].map(() => 'jobs'), 'secrets'].sort(),
      );
      expect(
        scanner.filter((r) => r.status === 401 || r.status === 403),
        name,
      ).toEqual([]);
      return branch;
    }

    const children: MapChild[] = [];
    for (const item of items) {
      const input = { scanId: discovered.scanId, startedAt: discovered.startedAt, item };
      const region: CollectRegionOutput = await collectRegion(input, ctx('fleet-dns-collect-region'));
      expect(region.gaps).toEqual([]);
      // the account's cluster dispatchable at its lab's API, with the CoreDNS placement read from that API
      const [name = ''] = FLEET.filter((f) => f.account === item.accountId).map((f) => f.name);
      const { lab } = labOf(name);
      expect(region.clusters.map((c) => [c.clusterId, c.cluster?.endpoint])).toEqual([
        [idOf(name), lab.apiUrlFromHost],
      ]);
      expect(region.clusters[0]?.corednsPods.map((p) => [p.name, p.nodeName]).sort()).toEqual(
        lab.corednsPods.map((p) => [p.name, p.node]).sort(),
      );
      const stored: StoreResultOutput[] = [];
      for (const cluster of JSON.parse(JSON.stringify(region.clusters)) as ClusterToScan[])
        stored.push((await scanLabCluster(cluster)).output);
      children.push({
        Input: JSON.stringify(input),
        Output: JSON.stringify({ ...region, stored }),
        Status: 'SUCCEEDED',
      });
    }
    expect(new Set(tokenRequests.map((t) => t.clusterName))).toEqual(new Set(FLEET.map((f) => f.name)));

    // the stored latest results: schema-valid, merged, judged against each scenario's expect block
    for (const { name } of FLEET) {
      const { scenario } = labOf(name);
      expect(branches.get(name)?.output, name).toMatchObject({
        clusterId: idOf(name),
        outcome: 'stored',
        latest: true,
      });
      const latest = await store.getLatest(idOf(name));
      expect(clusterResultSchema.safeParse(latest).success, name).toBe(true);
      expect(latest?.scan?.id, name).toBe(SCAN);
      expect(
        latest!.checks.map((c) => c.id),
        name,
      ).toEqual(expect.arrayContaining(['NET-SG-DNS-UDP', 'EKS-COREDNS-ADDON']));
      const notHeld = judgeScenario(scenario.expect, latest!).verdicts.filter((v) => !v.held);
      expect(notHeld, name).toEqual([]);
    }

    // StoreResult retried with the same input: a duplicate, nothing (more) published
    const published = events.commandCalls(PutEventsCommand).length;
    const first = branches.get(FLEET[1].name)!;
    const rerun = await storeResultHandler({ store, s3: s3Client })(
      first.input,
      ctx('fleet-dns-store-result'),
    );
    expect(rerun).toMatchObject({ outcome: 'duplicate', latest: true, published: 0 });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(published);

    // 3. the ResultWriter's output, then Summarize
    const summarized = await createSummarizeHandler({
      ...createPowertools('fleet-dns-summarize'),
      store,
      staging: s3StagedObjects(s3Client()),
      workBucket: BUCKET,
    })(
      {
        scanId: SCAN,
        startedAt: discovered.startedAt,
        mapResult: writeMapResult(s3, {
          bucket: BUCKET,
          scanId: SCAN,
          region: REGION,
          accountId: ACCOUNTS[0] ?? '',
          children,
        }),
      },
      ctx('fleet-dns-summarize'),
    );
    // a first scan of both: nothing to regress from
    expect(summarized).toMatchObject({ scanId: SCAN, clusters: FLEET.length, regressions: 0, gaps: 0 });
    const summary = await store.getSummary();
    expect(fleetSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({
      scan: { id: SCAN },
      clusters: FLEET.length,
      // regions: account×region pairs
      coverage: {
        accounts: ACCOUNTS.length,
        regions: ACCOUNTS.length,
        clustersScanned: FLEET.length,
        gaps: [],
      },
    });
  }, 180_000);
});
