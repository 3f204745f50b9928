/**
 * One scan's runner in one process (lambdas/kube/scan) against the fake API: where CoreDNS runs,
 * dispatch with a reused key, the wait loop (done, stuck, deadline, refused), collect without a
 * key, and the whole dispatch → wait → collect with capturing node agents stopped at collect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../lab/fake-kube-api/index.js';
import {
  collectScan,
  dispatchScan,
  KubeAccessError,
  probeJobName,
  readCoreDnsPlacement,
  runRunnerScan,
  waitForRunner,
} from '../../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  corednsPodObjects,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  SCAN,
  SETTINGS,
  nodeResult,
  podLog,
  probeResult,
  requestCounts,
  startRunnerCluster,
} from '../support/runner-cluster.js';
import type { RunnerCluster } from '../support/runner-cluster.js';

let cluster: RunnerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('readCoreDnsPlacement', () => {
  it('reads the kube-dns pods with their nodes and tolerations, leaving out pods being deleted', async () => {
    const terminating: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'coredns-old',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
        finalizers: ['example.com/hold'],
      },
      spec: { nodeName: 'ip-10-0-9-9.eu-west-1.compute.internal', containers: [{ name: 'c', image: 'i' }] },
    };
    cluster = await startRunnerCluster({ objects: [...corednsPodObjects(), terminating] });
    // a graceful delete: the finalizer keeps it, terminating
    cluster.api.store.delete(cluster.api.store.resourceFor('v1', 'Pod'), 'kube-system', 'coredns-old');
    const placement = await readCoreDnsPlacement({ apis: cluster.apis });
    expect(placement.map((p) => [p.name, p.nodeName])).toEqual([
      ['coredns-a', NODE_A],
      ['coredns-b', NODE_B],
      ['coredns-c', NODE_A],
      ['coredns-d', undefined],
    ]);
    expect(placement.find((p) => p.name === 'coredns-b')?.tolerations).toEqual(CORE_DNS_PODS[1]?.tolerations);
  });

  it('names the refused read (verb, resource, namespace) on 403', async () => {
    cluster = await startRunnerCluster({
      faults: [{ path: '/api/v1/namespaces/kube-system/pods', status: 403 }],
    });
    const failure = readCoreDnsPlacement({ apis: cluster.apis });
    await expect(failure).rejects.toBeInstanceOf(KubeAccessError);
    await expect(failure).rejects.toThrow(/list pods in namespace kube-system: HTTP 403/);
  });
});

describe('dispatchScan', () => {
  it("creates the Secret and Jobs with a new key, and a retry reuses the Secret's key and creates nothing", async () => {
    cluster = await startRunnerCluster({ complete: false });
    const input = {
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
    };
    const first = await dispatchScan({ ...input, newHmacKey: () => KEY });
    expect(first).toMatchObject({ keyReused: false, existing: [] });
    expect(first.created).toHaveLength(4); // Secret, two node agents, the probe
    // a different new key would make a different Secret: the retry must take the stored one
    const retry = await dispatchScan({ ...input, newHmacKey: () => 'another-key-0123456789abcdef' });
    expect(retry).toMatchObject({ keyReused: true, created: [] });
    expect(retry.existing).toEqual(first.created);
  });
});

describe('waitForRunner', () => {
  async function dispatched(options: Parameters<typeof startRunnerCluster>[0] = {}): Promise<RunnerCluster> {
    cluster = await startRunnerCluster({ complete: false, ...options });
    await dispatchScan({
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      newHmacKey: () => KEY,
    });
    return cluster;
  }
  const probePod = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: NS,
    name: `${probeJobName(SCAN)}-x7k2p`,
  });

  it('ends as soon as the probe Job ended, whatever the node agents do', async () => {
    const c = await dispatched();
    setTimeout(() => {
      c.api.updateStatus(
        { apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: probeJobName(SCAN) },
        { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
      );
    }, 300);
    const wait = await waitForRunner({
      apis: c.apis,
      scanId: SCAN,
      namespace: NS,
      timeoutMs: 30_000,
      pollMs: 100,
    });
    expect(wait.stoppedBecause).toBeUndefined();
    expect(wait.status?.done).toBe(true);
    expect(wait.status?.probe.phase).toBe('succeeded');
    expect(wait.status?.nodeAgents.map((n) => n.phase)).toEqual(['running', 'running']);
    expect(wait.polls).toBeGreaterThanOrEqual(2);
  });

  it('gives up on a probe stuck in ImagePullBackOff after stuckAfterMs, naming the image', async () => {
    const c = await dispatched();
    c.api.updateStatus(probePod(), {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'probe',
          image: SETTINGS.image,
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
        },
      ],
    });
    const wait = await waitForRunner({
      apis: c.apis,
      scanId: SCAN,
      namespace: NS,
      timeoutMs: 30_000,
      pollMs: 100,
      stuckAfterMs: 300,
    });
    expect(wait.status?.done).toBe(false);
    expect(wait.stoppedBecause).toMatch(
      /^the probe could not start for \d+ s: probe pod Pending: ImagePullBackOff for example\.invalid\/fleet-dns-runner:1\.0\.0/,
    );
  });

  it('waits for a stuck probe until the deadline when stuckAfterMs is not set', async () => {
    const c = await dispatched();
    c.api.updateStatus(probePod(), {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' }],
    });
    const wait = await waitForRunner({
      apis: c.apis,
      scanId: SCAN,
      namespace: NS,
      timeoutMs: 600,
      pollMs: 100,
    });
    expect(wait.stoppedBecause).toBe('the probe Job had not ended after 1 s');
    expect(wait.status?.probe.reason).toMatch(/Unschedulable: 0\/3 nodes/);
  });

  it('ends with the reason, not an exception, when the API refuses the status reads', async () => {
    const c = await dispatched({
      faults: [{ path: `/apis/batch/v1/namespaces/${NS}/jobs`, method: 'GET', status: 403 }],
    });
    const wait = await waitForRunner({
      apis: c.apis,
      scanId: SCAN,
      namespace: NS,
      timeoutMs: 5000,
      pollMs: 100,
    });
    expect(wait.status).toBeUndefined();
    expect(wait.stoppedBecause).toMatch(
      /^reading the runner's status failed: list jobs in namespace fleet-dns: HTTP 403/,
    );
  });
});

describe('collectScan', () => {
  it('answers why nothing can be verified when the scan was never dispatched (no Secret), and deletes nothing else', async () => {
    cluster = await startRunnerCluster();
    const collected = await collectScan({
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      namespace: NS,
    });
    expect(collected.probe).toBeUndefined();
    expect(collected.failures.probe).toBe(
      `the scan's Secret fleet-dns/fleet-dns-${SCAN} holds no result key (never dispatched, or already collected): the runner's results cannot be verified`,
    );
    expect(collected.cleanupError).toBeUndefined();
  });

  it('turns a refused key read into the reason', async () => {
    cluster = await startRunnerCluster({
      faults: [{ path: new RegExp(`^/api/v1/namespaces/${NS}/secrets/`), status: 403 }],
    });
    const collected = await collectScan({
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      namespace: NS,
    });
    expect(collected.failures.probe).toMatch(
      /^the scan's result key could not be read: get secrets fleet-dns\/fleet-dns-scan-7: HTTP 403/,
    );
  });
});

describe('runRunnerScan', () => {
  it('reads the placement, dispatches, waits, stops the capturing node agents, collects and deletes', async () => {
    cluster = await startRunnerCluster({ objects: corednsPodObjects(), nodeAgents: 'capturing' });
    cluster.logs.set('probe', podLog(probeResult()));
    cluster.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
    cluster.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
    cluster.mark();
    const scan = await runRunnerScan({
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      settings: SETTINGS,
      pollMs: 100,
      newHmacKey: () => KEY,
    });
    expect(scan.failures).toEqual({ nodes: [] });
    expect(scan.probe).toMatchObject({ role: 'probe', scanId: SCAN, clusterId: CLUSTER });
    expect(scan.nodes.map((n) => n.nodeName).sort()).toEqual([NODE_A, NODE_B]);
    expect(scan.dispatched.nodeAgentJobs.map((j) => j.node)).toEqual([NODE_A, NODE_B]);
    expect(scan.wait).toMatchObject({ status: { done: true } });
    expect(scan.timings.dispatchedMs).toBeLessThanOrEqual(scan.timings.doneMs);
    expect(scan.timings.doneMs).toBeLessThanOrEqual(scan.timings.collectedMs);
    expect(cluster.scanObjects()).toEqual([]);
    const counts = requestCounts(cluster.since());
    expect(counts).toMatchObject({
      'GET pods': expect.any(Number), // the placement read, the status polls and the collect's list
      'POST secrets': 1,
      'POST jobs': 3,
      'DELETE pods': 2, // the two capturing node agents, stopped
      'DELETECOLLECTION jobs': 1,
      'DELETECOLLECTION secrets': 1,
      'GET pods/log': 3,
    });
  });
});
