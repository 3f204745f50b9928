/**
 * collectRunner and runnerStatus against the fake Kubernetes API over TLS: the fake's Job hook
 * plays the Job controller and the runner (one pod per Job, its log holding real signed frames).
 * Results are verified from the logs; the scan's Jobs, pods and Secret are gone afterwards, also
 * when collecting failed; a 429 burst on a log read is retried per Retry-After (the retry clock
 * records the waits, nothing sleeps).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectRunner,
  dispatchRunner,
  KubeAccessError,
  nodeAgentJobName,
  probeJobName,
  runnerStatus,
} from '../../../../lambdas/kube/index.js';
import { combineRunnerResults } from '../../../../lambdas/core/runner-results/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  JOB_TRACKING_FINALIZER,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  nodeResult,
  podLog,
  probeResult,
  requestCounts,
  SCAN,
  SETTINGS,
  startRunnerCluster,
} from '../support/runner-cluster.js';
import type { RunnerCluster } from '../support/runner-cluster.js';

let cluster: RunnerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const podRef = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name });

async function dispatched(options: Parameters<typeof startRunnerCluster>[0] = {}): Promise<RunnerCluster> {
  const c = (cluster = await startRunnerCluster(options));
  c.logs.set('probe', podLog(probeResult()));
  c.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
  c.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
  await dispatchRunner({
    apis: c.apis,
    scanId: SCAN,
    clusterId: CLUSTER,
    corednsPods: CORE_DNS_PODS,
    settings: SETTINGS,
    hmacKey: KEY,
  });
  return c;
}

const collect = (c: RunnerCluster, over: Partial<Parameters<typeof collectRunner>[0]> = {}) =>
  collectRunner({ apis: c.apis, scanId: SCAN, clusterId: CLUSTER, hmacKey: KEY, namespace: NS, ...over });

describe('collectRunner', () => {
  it('verifies the signed results from the pod logs, then deletes the Jobs, pods and Secret', async () => {
    const c = (cluster = await startRunnerCluster());
    c.logs.set('probe', podLog(probeResult()));
    c.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
    c.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
    await dispatchRunner({
      apis: c.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      hmacKey: KEY,
    });
    const dispatchRequests = requestCounts(c.since());
    expect(c.scanObjects()).toHaveLength(7); // Secret, 3 Jobs, 3 pods
    c.mark();

    const out = await collect(c, { maxLogBytes: 1 << 20 });

    expect(out.probe).toEqual(probeResult());
    expect(out.nodes.map((n) => n.nodeName).sort()).toEqual([NODE_A, NODE_B]);
    expect(out.nodes.find((n) => n.nodeName === NODE_A)).toEqual(nodeResult(NODE_A));
    expect(out.failures).toEqual({ nodes: [] });
    expect(out.cleanupError).toBeUndefined();
    expect(out.jobs.map((j) => j.phase)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const combined = combineRunnerResults(out.probe, out.nodes, out.failures);
    expect(combined.find((r) => r.id === 'DNS-INTERNAL')?.status).toBe('PASS');
    expect(c.scanObjects()).toEqual([]);
    // the log reads were bounded: one byte over the limit, so an oversized log shows as such
    const logReads = c.since().filter((r) => r.path.endsWith('/log'));
    expect(logReads.map((r) => r.query.limitBytes)).toEqual([
      String((1 << 20) + 1),
      String((1 << 20) + 1),
      String((1 << 20) + 1),
    ]);
    // node agents that already ended are read as they are: no follow read, no pod deleted
    expect(logReads.every((r) => r.query.follow === undefined)).toBe(true);
    const collectRequests = requestCounts(c.since());
    expect(dispatchRequests).toEqual({ 'POST secrets': 1, 'POST jobs': 3 });
    expect(collectRequests).toEqual({
      'GET jobs': 1,
      'GET pods': 1,
      'GET pods/log': 3,
      'DELETECOLLECTION jobs': 1,
      'DELETECOLLECTION secrets': 1,
    });
    console.log('requests of one dispatch + collect:', JSON.stringify({ dispatchRequests, collectRequests }));
  });

  it('a tampered log → a failure reason for that node; the others still count', async () => {
    const c = (cluster = await startRunnerCluster());
    c.logs.set('probe', podLog(probeResult()));
    c.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
    c.logs.set(NODE_B, podLog({ ...nodeResult(NODE_B), finishedAt: '2026-03-01T10:00:41.000Z' }));
    await dispatchRunner({
      apis: c.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      hmacKey: KEY,
    });

    const out = await collect(c);

    expect(out.probe).toEqual(probeResult());
    expect(out.nodes.map((n) => n.nodeName)).toEqual([NODE_A]);
    expect(out.failures).toEqual({
      nodes: [
        { node: NODE_B, reason: 'result frame signature does not match (wrong key or altered document)' },
      ],
    });
    expect(c.scanObjects()).toEqual([]);
  });

  it('a log over the bound → refused with the reason', async () => {
    const c = await dispatched();
    const out = await collect(c, { maxLogBytes: 300 });
    expect(out.failures.probe).toBe('log larger than 300 bytes');
    expect(out.nodes).toEqual([]);
    expect(c.scanObjects()).toEqual([]);
  });

  it('a pod log that cannot be read (403) → the reason says why', async () => {
    const c = await dispatched({
      faults: [{ path: `/pods/${probeJobName(SCAN)}-x7k2p/log$`, status: 403 }],
    });
    const out = await collect(c);
    expect(out.failures.probe).toMatch(
      new RegExp(
        `^get pods/log ${NS}/${probeJobName(SCAN)}-x7k2p: HTTP 403: .*; the pod log could not be read$`,
      ),
    );
    expect(out.nodes).toHaveLength(2);
    expect(c.scanObjects()).toEqual([]);
  });

  it('collecting fails (403 listing pods) → KubeAccessError, and the objects are deleted all the same', async () => {
    const c = await dispatched({
      faults: [{ path: `^/api/v1/namespaces/${NS}/pods$`, method: 'GET', status: 403 }],
    });
    expect(c.scanObjects()).toHaveLength(7);

    const err = await collect(c).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(KubeAccessError);
    expect((err as Error).message).toMatch(/^list pods in namespace fleet-dns: HTTP 403: /);
    expect(c.scanObjects()).toEqual([]);
  });

  it('leaves other scans alone', async () => {
    const c = await dispatched();
    await dispatchRunner({
      apis: c.apis,
      scanId: 'scan-8',
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      hmacKey: KEY,
    });
    await collect(c);
    expect(c.scanObjects()).toEqual([]);
    expect(c.scanObjects('scan-8')).toHaveLength(7);
  });

  it('a 429 burst on a log read is retried after Retry-After', async () => {
    const c = await dispatched({
      faults: [
        {
          path: `/pods/${nodeAgentJobName(SCAN, NODE_A)}-x7k2p/log$`,
          status: 429,
          times: 2,
          retryAfterSeconds: 3,
        },
      ],
    });

    const out = await collect(c);

    expect(out.failures).toEqual({ nodes: [] });
    expect(out.nodes.map((n) => n.nodeName).sort()).toEqual([NODE_A, NODE_B]);
    expect(c.clock.sleeps).toEqual([3000, 3000]);
    expect(c.apis.apiRetries).toEqual([
      {
        call: `GET /api/v1/namespaces/${NS}/pods/${nodeAgentJobName(SCAN, NODE_A)}-x7k2p/log`,
        status: 429,
        attempts: 3,
        cleared: true,
      },
    ]);
  });
});

describe('collectRunner stops the node agents still capturing', () => {
  const podOf = (node: string) => `${nodeAgentJobName(SCAN, node)}-x7k2p`;

  async function capturing(options: Parameters<typeof startRunnerCluster>[0] = {}): Promise<RunnerCluster> {
    const c = await dispatched({ nodeAgents: 'capturing', ...options });
    expect(c.api.store.get(podRef(podOf(NODE_A)))).toMatchObject({
      metadata: { finalizers: [JOB_TRACKING_FINALIZER] },
      status: { phase: 'Running' },
    });
    c.mark();
    return c;
  }

  it('follows each one’s log, deletes its pod (SIGTERM), and gets the result it writes on the way out', async () => {
    const c = await capturing();

    const out = await collect(c);

    expect(out.failures).toEqual({ nodes: [] });
    expect(out.probe).toEqual(probeResult());
    expect(out.nodes.find((n) => n.nodeName === NODE_A)).toEqual(nodeResult(NODE_A));
    expect(out.nodes.find((n) => n.nodeName === NODE_B)).toEqual(nodeResult(NODE_B));
    expect(c.scanObjects()).toEqual([]);
    expect(c.api.hookErrors).toEqual([]);
    const requests = c.since();
    for (const node of [NODE_A, NODE_B]) {
      const follow = requests.findIndex((r) => r.path.endsWith(`/pods/${podOf(node)}/log`));
      const del = requests.findIndex((r) => r.method === 'DELETE' && r.path.endsWith(`/pods/${podOf(node)}`));
      expect(requests[follow]?.query).toMatchObject({
        follow: 'true',
        limitBytes: String(16 * 1024 * 1024 + 1),
      });
      // the log is followed before the pod is deleted, with the pod's own grace period
      expect(follow).toBeGreaterThanOrEqual(0);
      expect(del).toBeGreaterThan(follow);
      expect(requests[del]?.query).toMatchObject({ gracePeriodSeconds: '30' });
    }
    const probeRead = requests.find((r) => r.path.endsWith(`/pods/${probeJobName(SCAN)}-x7k2p/log`));
    expect(probeRead?.query.follow).toBeUndefined();
    const collectRequests = requestCounts(requests);
    expect(collectRequests).toEqual({
      'GET jobs': 1,
      'GET pods': 1,
      'GET events': 1, // a node-agent Job has not completed yet
      'GET pods/log': 3,
      'DELETE pods': 2,
      'DELETECOLLECTION jobs': 1,
      'DELETECOLLECTION secrets': 1,
    });
    console.log('requests of one collect with two capturing node agents:', JSON.stringify(collectRequests));
  });

  it('a node agent that never ends its log in time → an ERROR reason naming the node and the wait; cleanup still happens', async () => {
    const c = await capturing({ silentNodes: [NODE_B], terminationGracePeriodSeconds: 0 });

    const out = await collect(c, { nodeAgentStopMarginMs: 2000 });

    expect(out.nodes.map((n) => n.nodeName)).toEqual([NODE_A]);
    expect(out.failures.nodes).toEqual([
      {
        node: NODE_B,
        reason: `the node agent's log did not end within 2 s (grace period 0 s + 2 s) after its pod ${NS}/${podOf(NODE_B)} was deleted; the pod log could not be read`,
      },
    ]);
    const combined = combineRunnerResults(out.probe, out.nodes, out.failures);
    const allowance = combined.find((r) => r.id === 'NODE-LINKLOCAL-ALLOWANCE');
    expect(allowance?.status).toBe('ERROR');
    expect(JSON.stringify(allowance?.evidence)).toContain(`no usable node-agent result from ${NODE_B}`);
    expect(c.scanObjects()).toEqual([]);
    expect(requestCounts(c.since())).toMatchObject({ 'DELETE pods': 2, 'DELETECOLLECTION jobs': 1 });
  });

  it('a node agent pod already Succeeded is read as it is, without follow or delete', async () => {
    const c = await capturing();
    const pod = podOf(NODE_A);
    c.api.setPodLog(`${NS}/${pod}`, podLog(nodeResult(NODE_A)));
    c.api.endPodLog(`${NS}/${pod}`);
    c.api.updateStatus(podRef(pod), { phase: 'Succeeded' });
    c.mark();

    const out = await collect(c);

    expect(out.failures).toEqual({ nodes: [] });
    expect(out.nodes.map((n) => n.nodeName).sort()).toEqual([NODE_A, NODE_B]);
    const requests = c.since();
    expect(requests.find((r) => r.path.endsWith(`/pods/${pod}/log`))?.query.follow).toBeUndefined();
    expect(
      requests.filter((r) => r.method === 'DELETE' && /\/pods\/[^/]+$/.test(r.path)).map((r) => r.path),
    ).toEqual([`/api/v1/namespaces/${NS}/pods/${podOf(NODE_B)}`]);
    expect(c.scanObjects()).toEqual([]);
  });

  it('a pod that may not be deleted (403) → that reason for the node, no wait, and cleanup still happens', async () => {
    const c = await capturing({
      faults: [{ path: `^/api/v1/namespaces/${NS}/pods/[^/]+$`, method: 'DELETE', status: 403 }],
    });

    const out = await collect(c);

    expect(out.nodes).toEqual([]);
    expect(out.failures.nodes.map((f) => f.node).sort()).toEqual([NODE_A, NODE_B]);
    for (const f of out.failures.nodes)
      expect(f.reason).toMatch(
        new RegExp(
          `^the node agent could not be stopped: delete pods ${NS}/${podOf(f.node)}: HTTP 403: .*\\(the scanner's Role needs delete on pods: re-apply the onboarding RBAC, \`fleet-dns onboard\`\\)`,
        ),
      );
    expect(c.scanObjects()).toEqual([]);
  });

  it('keeps the limitBytes bound: a report over it ends the stream and is refused as oversized', async () => {
    const c = await capturing();

    const out = await collect(c, { maxLogBytes: 300 });

    expect([...out.failures.nodes].sort((a, b) => a.node.localeCompare(b.node))).toEqual([
      { node: NODE_A, reason: 'log larger than 300 bytes' },
      { node: NODE_B, reason: 'log larger than 300 bytes' },
    ]);
    expect(c.scanObjects()).toEqual([]);
  });
});

describe('runnerStatus', () => {
  it('running until the probe Job ends, then done', async () => {
    const c = await dispatched({ complete: false });

    const running = await runnerStatus({ apis: c.apis, scanId: SCAN, namespace: NS });
    expect(running.done).toBe(false);
    expect(running.probe.phase).toBe('running');
    expect(running.nodeAgents.map((n) => n.node).sort()).toEqual([NODE_A, NODE_B]);

    c.api.updateStatus(
      { apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: probeJobName(SCAN) },
      { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
    );
    const ended = await runnerStatus({ apis: c.apis, scanId: SCAN, namespace: NS });
    expect(ended.done).toBe(true);
    expect(ended.probe).toMatchObject({ phase: 'timed-out', reason: 'deadline exceeded after 300 s' });
  });
});
