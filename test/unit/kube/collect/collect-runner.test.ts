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
