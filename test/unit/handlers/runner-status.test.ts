/**
 * The runner-status Lambda (the state machine's wait-loop step) through its real middy wrapper,
 * with a fake Lambda context, against the fake Kubernetes API over TLS: not done while the probe
 * Job runs, done once it ended (node agents still capturing are reported, not waited for), and a
 * 401/403 answered as done with the probe failed and the access reason — never a throw — so the
 * state machine moves on to collect. Log lines carry the scan id and cluster id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerStatusHandler } from '../../../lambdas/handlers/runner-status.js';
import { HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { dispatchRunner, KubeAccessError, probeJobName } from '../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  SCAN,
  SETTINGS,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster, RunnerClusterOptions } from '../kube/support/runner-cluster.js';
import { captureOutput, clusterOf, fakeContext, handlerDeps } from './support.js';
import type { OutputCapture } from './support.js';

const SERVICE = 'fleet-dns-runner-status';

let cluster: RunnerCluster | undefined;
let output: OutputCapture | undefined;
afterEach(async () => {
  output?.restore();
  output = undefined;
  await cluster?.stop();
  cluster = undefined;
});

async function dispatched(options: RunnerClusterOptions = {}): Promise<RunnerCluster> {
  const c = (cluster = await startRunnerCluster(options));
  await dispatchRunner({
    apis: c.apis,
    scanId: SCAN,
    clusterId: CLUSTER,
    corednsPods: CORE_DNS_PODS,
    settings: SETTINGS,
    hmacKey: KEY,
  });
  output = captureOutput();
  return c;
}

const statusEvent = (c: RunnerCluster) => ({
  scanId: SCAN,
  clusterId: CLUSTER,
  cluster: clusterOf(c),
  // the rest of the state machine's state rides along and is ignored
  probeJobName: probeJobName(SCAN),
});
const statusOf = (c: RunnerCluster) =>
  createRunnerStatusHandler(handlerDeps(c, SERVICE).deps)(statusEvent(c), fakeContext(SERVICE));

describe('runner-status handler', () => {
  it('not done while the probe Job runs; the node agents are listed by node', async () => {
    const c = await dispatched({ complete: false });

    const out = await statusOf(c);

    expect(out).toMatchObject({ scanId: SCAN, clusterId: CLUSTER, done: false, probe: { phase: 'running' } });
    expect(out.nodeAgents.map((n) => [n.node, n.phase]).sort()).toEqual([
      [NODE_A, 'running'],
      [NODE_B, 'running'],
    ]);
    const line = output?.logs().find((l) => l.message === 'runner status');
    expect(line).toMatchObject({
      level: 'INFO',
      scanId: SCAN,
      clusterId: CLUSTER,
      service: SERVICE,
      done: false,
    });
  });

  it('done once the probe Job ended, while the node agents still capture (the collector stops them)', async () => {
    const c = await dispatched({ nodeAgents: 'capturing' });

    const out = await statusOf(c);

    expect(out.done).toBe(true);
    expect(out.probe).toEqual({ phase: 'succeeded', node: NODE_B });
    expect(out.nodeAgents.map((n) => n.phase)).toEqual(['running', 'running']);
  });

  it('a failed probe Job is done, with Kubernetes’ reason', async () => {
    const c = await dispatched({ complete: false });
    c.api.updateStatus(
      { apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: probeJobName(SCAN) },
      { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
    );

    const out = await statusOf(c);

    expect(out.done).toBe(true);
    expect(out.probe).toMatchObject({
      phase: 'timed-out',
      reason: expect.stringMatching(/^deadline exceeded/),
    });
  });

  it('403 (RBAC) → done with the probe failed and the access reason, not a throw', async () => {
    const c = await dispatched({ complete: false });
    c.api.addFault({ path: `^/apis/batch/v1/namespaces/${NS}/jobs$`, method: 'GET', status: 403 });

    const out = await statusOf(c);

    expect(out.done).toBe(true);
    expect(out.nodeAgents).toEqual([]);
    expect(out.probe.phase).toBe('failed');
    expect(out.probe.reason).toMatch(
      new RegExp(`RBAC forbids "list jobs in namespace ${NS}" \\(HTTP 403\\): apply the fleet-dns RBAC`),
    );
    const line = output?.logs().find((l) => l.message === 'runner status');
    expect(line).toMatchObject({ level: 'WARN', scanId: SCAN, clusterId: CLUSTER });
  });

  it('401 (token rejected) → done with the probe failed and the access-entry fix', async () => {
    const c = await dispatched({ complete: false });
    c.api.addFault({ path: `^/apis/batch/v1/namespaces/${NS}/jobs$`, method: 'GET', status: 401 });

    const out = await statusOf(c);

    expect(out).toMatchObject({ done: true, probe: { phase: 'failed' } });
    expect(out.probe.reason).toMatch(/rejected the scanner's token \(HTTP 401\): create an EKS access entry/);
  });

  it('another failure to read the cluster is thrown, for the state machine’s Retry/Catch', async () => {
    const c = await dispatched({ complete: false });
    c.api.addFault({ path: `^/api/v1/namespaces/${NS}/pods$`, method: 'GET', status: 404 });

    const err = await statusOf(c).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(KubeAccessError);
    expect((err as KubeAccessError).failure).toBe('not-found');
  });

  it('an invalid payload is a HandlerInputError naming the field', async () => {
    const c = await dispatched();
    const err = await createRunnerStatusHandler(handlerDeps(c, SERVICE).deps)(
      { scanId: SCAN, clusterId: 'prod-a', cluster: clusterOf(c) },
      fakeContext(SERVICE),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerInputError);
    expect((err as HandlerInputError).problems).toEqual([expect.stringMatching(/^clusterId: /)]);
  });
});
