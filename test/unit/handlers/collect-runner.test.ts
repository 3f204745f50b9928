/**
 * The collect-runner Lambda through its real middy wrapper, with a fake Lambda context, against
 * the fake Kubernetes API over TLS (its Job hook plays the controller and the runner, the pod
 * logs holding real signed frames): PASS-shaped results from verified frames, ERROR results —
 * never a throw — when the runner gave nothing usable, the scan's objects gone afterwards, and
 * log lines carrying the scan id and cluster id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectRunnerHandler } from '../../../lambdas/handlers/collect-runner.js';
import { createDispatchRunnerHandler } from '../../../lambdas/handlers/dispatch-runner.js';
import { HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { PROBE_CHECK_IDS } from '../../../lambdas/core/runner-results/index.js';
import { checkResultSchema } from '../../../lambdas/core/schema/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  NODE_A,
  NODE_B,
  NS,
  nodeResult,
  podLog,
  probeResult,
  SCAN,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { captureOutput, clusterOf, fakeContext, handlerDeps } from './support.js';
import type { OutputCapture } from './support.js';

let cluster: RunnerCluster | undefined;
let output: OutputCapture | undefined;
afterEach(async () => {
  output?.restore();
  output = undefined;
  await cluster?.stop();
  cluster = undefined;
});

/** A cluster on the fake API, its runner dispatched through the dispatch handler. */
async function dispatched(logs: { probe?: string; nodes?: boolean } = {}) {
  const c = (cluster = await startRunnerCluster());
  if (logs.probe !== undefined) c.logs.set('probe', logs.probe);
  if (logs.nodes) {
    c.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
    c.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
  }
  output = captureOutput();
  const dispatch = createDispatchRunnerHandler(handlerDeps(c, 'fleet-dns-dispatch-runner').deps);
  await dispatch(
    { scanId: SCAN, clusterId: CLUSTER, cluster: clusterOf(c), corednsPods: CORE_DNS_PODS },
    fakeContext('fleet-dns-dispatch-runner'),
  );
  return c;
}

const collectEvent = (c: RunnerCluster) => ({ scanId: SCAN, clusterId: CLUSTER, cluster: clusterOf(c) });
const collectorOf = (c: RunnerCluster) =>
  createCollectRunnerHandler(handlerDeps(c, 'fleet-dns-collect-runner').deps);

describe('collect-runner handler', () => {
  it('verified signed frames in the pod logs → the checks they report, schema-valid; the scan’s objects are gone', async () => {
    const c = await dispatched({ probe: podLog(probeResult()), nodes: true });

    const out = await collectorOf(c)(collectEvent(c), fakeContext('fleet-dns-collect-runner'));

    expect(out.scanId).toBe(SCAN);
    expect(out.clusterId).toBe(CLUSTER);
    for (const check of out.checks) expect(checkResultSchema.safeParse(check).success).toBe(true);
    expect(out.checks.find((r) => r.id === 'DNS-INTERNAL')).toMatchObject({ status: 'PASS' });
    expect(out.checks.find((r) => r.id === 'NODE-LINKLOCAL-ALLOWANCE')).toMatchObject({
      status: 'PASS',
      evidence: { nodes: { [NODE_A]: { status: 'PASS' }, [NODE_B]: { status: 'PASS' } } },
    });
    expect(out.failures).toEqual({ nodes: [] });
    // the fixture's probe records no queries, so DNS-CAPTURE cannot correlate: ERROR, with the reason
    expect(out.statusCounts).toEqual({ PASS: 2, ERROR: 1 });
    expect(out.jobs.map((j) => j.phase)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(out.cleanupError).toBeUndefined();
    expect(c.scanObjects()).toEqual([]);
  });

  it('no probe result in the log → every probe check is ERROR with the reason, not a throw', async () => {
    const c = await dispatched({
      probe: 'fleet-dns runner starting\npanic: resolver not found\n',
      nodes: true,
    });

    const out = await collectorOf(c)(collectEvent(c), fakeContext('fleet-dns-collect-runner'));

    const probeChecks = out.checks.filter((r) => (PROBE_CHECK_IDS as readonly string[]).includes(r.id));
    expect(probeChecks.map((r) => r.id).sort()).toEqual([...PROBE_CHECK_IDS].sort());
    for (const check of probeChecks) {
      expect(check.status).toBe('ERROR');
      expect(check.evidence.reason).toBe(out.failures.probe);
      expect(checkResultSchema.safeParse(check).success).toBe(true);
    }
    expect(out.failures.probe).toMatch(/result/);
    // the node agents' results still count
    expect(out.checks.find((r) => r.id === 'NODE-LINKLOCAL-ALLOWANCE')?.status).toBe('PASS');
    expect(c.scanObjects()).toEqual([]);
    const collected = output?.logs().find((l) => l.message === 'runner collected');
    expect(collected).toMatchObject({ level: 'WARN', scanId: SCAN, clusterId: CLUSTER });
  });

  it("the scan's Secret is gone (never dispatched, or collected already) → ERRORs saying so, not a throw", async () => {
    const c = (cluster = await startRunnerCluster());
    output = captureOutput();

    const out = await collectorOf(c)(collectEvent(c), fakeContext('fleet-dns-collect-runner'));

    expect(out.failures.probe).toBe(
      `the scan's Secret ${NS}/fleet-dns-scan-7 holds no result key (never dispatched, or already collected): the runner's results cannot be verified`,
    );
    expect(out.checks.length).toBeGreaterThan(0);
    expect(out.checks.every((r) => r.status === 'ERROR')).toBe(true);
    expect(out.jobs).toEqual([]);
  });

  it('RBAC refusing the Secret read → ERRORs naming the read, not a throw', async () => {
    const c = (cluster = await startRunnerCluster({
      faults: [{ path: `^/api/v1/namespaces/${NS}/secrets/`, method: 'GET', status: 403 }],
    }));
    output = captureOutput();

    const out = await collectorOf(c)(collectEvent(c), fakeContext('fleet-dns-collect-runner'));

    expect(out.failures.probe).toMatch(
      new RegExp(`^the scan's result key could not be read: get secrets ${NS}/fleet-dns-scan-7: HTTP 403`),
    );
    expect(out.checks.every((r) => r.status === 'ERROR')).toBe(true);
  });

  it('an invalid payload is a HandlerInputError naming the field', async () => {
    const c = (cluster = await startRunnerCluster());
    output = captureOutput();
    const err = await collectorOf(c)(
      { scanId: SCAN, clusterId: CLUSTER, cluster: { endpoint: c.api.url } },
      fakeContext('fleet-dns-collect-runner'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerInputError);
    expect((err as HandlerInputError).problems).toEqual([
      'cluster.certificateAuthorityData: must be the base64 cluster CA (a string)',
    ]);
  });

  it('every log line of the collect carries the scan id and cluster id', async () => {
    const c = await dispatched({ probe: podLog(probeResult()), nodes: true });
    const before = output?.logs().length ?? 0;

    const out = await collectorOf(c)(collectEvent(c), fakeContext('fleet-dns-collect-runner', 'req-collect'));

    const lines = output?.logs().slice(before) ?? [];
    expect(lines.map((l) => l.message)).toContain('runner collected');
    for (const line of lines)
      expect(line).toMatchObject({
        scanId: SCAN,
        clusterId: CLUSTER,
        service: 'fleet-dns-collect-runner',
        function_request_id: 'req-collect',
      });
    const emf = output
      ?.lines()
      .filter((l) => '_aws' in l)
      .at(-1);
    expect(emf).toMatchObject({ InClusterChecksError: out.statusCounts.ERROR ?? 0, RunnerCleanupFailed: 0 });
  });
});
