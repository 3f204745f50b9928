/**
 * The probe waits (bounded) for the node agents to turn Ready before it sends a query
 * (design.md § The in-cluster runner), against the fake Kubernetes API over TLS: pods whose
 * Ready condition the test flips with `updateStatus`, the DNS servers on loopback, and the
 * probe's own query log to tell when the first query left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '../../../runner-image/src/probe/index.js';
import type { WaitForNodeAgentsOptions } from '../../../runner-image/src/probe/index.js';
import { runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../lambdas/core/schema/index.js';
import { nodeAgentsNote, nodeAgentsObservationSchema } from '../../../lambdas/core/capture/index.js';
import type { NodeAgentsObservation } from '../../../lambdas/core/capture/index.js';
import { combineRunnerResults } from '../../../lambdas/core/runner-results/index.js';
import type { KubeObject } from '../../../lab/fake-kube-api/index.js';
import { startLab, stopLab } from './probe-lab.js';
import type { Lab } from './probe-lab.js';

const NS = 'fleet-dns';
const SCAN = 'scan-42';
const SELECTOR = `app.kubernetes.io/component=node-agent,fleet-dns.io/scan-id=${SCAN}`;
const PODS_PATH = `/api/v1/namespaces/${NS}/pods`;

function agentPod(name: string, nodeName: string, ready: boolean, scanId = SCAN): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { 'app.kubernetes.io/component': 'node-agent', 'fleet-dns.io/scan-id': scanId },
    },
    spec: { nodeName, hostNetwork: true, containers: [{ name: 'node-agent', image: 'runner' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

const setReady = (l: Lab, name: string): void => {
  l.api.updateStatus(
    { apiVersion: 'v1', kind: 'Pod', namespace: NS, name },
    { conditions: [{ type: 'Ready', status: 'True' }] },
  );
};

let lab: Lab | undefined;
afterEach(async () => {
  if (lab) await stopLab(lab);
  lab = undefined;
});

async function probe(l: Lab, wait: Partial<WaitForNodeAgentsOptions>): Promise<RunnerResult> {
  return runProbe({
    scanId: SCAN,
    clusterId: '111122223333:eu-west-1:lab',
    nodeName: 'node-1',
    resolvConfPath: l.resolvConf,
    kubeConfig: l.kubeConfig,
    captureInterface: 'none',
    runKubeChecks: async () => [],
    settings: { dnsPort: l.port, timeoutMs: 300, latencyQueries: 4 },
    waitForNodeAgents: { labelSelector: SELECTOR, namespace: NS, ...wait },
  });
}

const firstQueryAt = (r: RunnerResult): number =>
  Math.min(...(r.observations.queries ?? []).map((q) => q.sentAtMs));
const nodeAgents = (r: RunnerResult): NodeAgentsObservation =>
  nodeAgentsObservationSchema.parse((r.observations as Record<string, unknown>).nodeAgents);
/** DNS-CAPTURE's notes, in the probe's document and again as the collector combines it. */
function captureNotes(r: RunnerResult): { probe: unknown; collected: unknown } {
  const notesOf = (checks: RunnerResult['checks']): unknown =>
    checks.find((c) => c.id === 'DNS-CAPTURE')?.evidence.notes;
  return { probe: notesOf(r.checks), collected: notesOf(combineRunnerResults(r, [])) };
}
const podLists = (l: Lab): number =>
  l.api.requests.filter((q) => q.method === 'GET' && q.path === PODS_PATH).length;

describe('runProbe --wait-for-node-agents against the fake Kubernetes API', () => {
  it('waits until every node agent is Ready, then probes (first query after the last flip)', async () => {
    const l = (lab = await startLab({}, [
      agentPod('fleet-dns-node-a', 'node-2', false),
      agentPod('fleet-dns-node-b', 'node-3', false),
    ]));
    let flippedAt = Number.POSITIVE_INFINITY;
    const flips = [
      setTimeout(() => setReady(l, 'fleet-dns-node-a'), 400),
      setTimeout(() => {
        flippedAt = Date.now();
        setReady(l, 'fleet-dns-node-b');
      }, 1000),
    ];
    const result = await probe(l, { timeoutMs: 20_000 }).finally(() => flips.forEach(clearTimeout));

    expect(runnerResultSchema.safeParse(result).success).toBe(true);
    expect(flippedAt).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(firstQueryAt(result)).toBeGreaterThanOrEqual(flippedAt);
    expect(result.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
    const agents = nodeAgents(result);
    expect(agents).toMatchObject({
      selector: SELECTOR,
      namespace: NS,
      timedOut: false,
      notReady: [],
      ready: [
        { name: 'fleet-dns-node-a', nodeName: 'node-2' },
        { name: 'fleet-dns-node-b', nodeName: 'node-3' },
      ],
    });
    expect(agents.error).toBeUndefined();
    // polled at a modest pace (every 500 ms however long the wait took), never a tight loop
    expect(podLists(l)).toBeGreaterThanOrEqual(2);
    expect(podLists(l)).toBeLessThanOrEqual(Math.ceil(agents.waitedMs / 500) + 1);
    const notes = captureNotes(result);
    expect(notes.probe).toEqual([nodeAgentsNote(agents)]);
    expect(notes.probe).toEqual([expect.stringMatching(/^node agents ready: 2 of 2 after \d+(\.\d)? s$/)]);
    expect(notes.collected).toEqual(notes.probe);
  });

  it('probes after the timeout when a node agent never turns Ready, and names it', async () => {
    const l = (lab = await startLab({}, [
      agentPod('fleet-dns-node-a', 'node-2', true),
      agentPod('fleet-dns-node-b', 'node-3', false),
    ]));
    const startedAt = Date.now();
    const result = await probe(l, { timeoutMs: 1500 });

    expect(firstQueryAt(result)).toBeGreaterThanOrEqual(startedAt + 1500);
    expect(result.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
    expect(nodeAgents(result)).toMatchObject({
      timedOut: true,
      ready: [{ name: 'fleet-dns-node-a' }],
      notReady: [{ name: 'fleet-dns-node-b', nodeName: 'node-3', phase: 'Running' }],
    });
    expect(nodeAgents(result).waitedMs).toBeGreaterThanOrEqual(1500);
    // the waited time in the note is measured: the note is the observation's, its shape checked
    expect(captureNotes(result).probe).toEqual([nodeAgentsNote(nodeAgents(result))]);
    expect(captureNotes(result).probe).toEqual([
      expect.stringMatching(
        /^node agents not all ready after \d+(\.\d)? s \(1 of 2 ready; fleet-dns-node-b on node-3 \[Running\] not ready\): probed anyway, hops on those nodes may be unattributed$/,
      ),
    ]);
  });

  it('waits until the timeout when no pod matches the selector, and says so', async () => {
    // an agent of another scan is there: the selector must keep it out
    const l = (lab = await startLab({}, [agentPod('fleet-dns-node-old', 'node-2', true, 'scan-41')]));
    const startedAt = Date.now();
    const result = await probe(l, { timeoutMs: 1000 });

    expect(firstQueryAt(result)).toBeGreaterThanOrEqual(startedAt + 1000);
    expect(nodeAgents(result)).toMatchObject({ timedOut: true, ready: [], notReady: [] });
    expect(l.api.requests.find((q) => q.path === PODS_PATH)?.query.labelSelector).toBe(SELECTOR);
    expect(nodeAgents(result).waitedMs).toBeGreaterThanOrEqual(1000);
    expect(captureNotes(result).probe).toEqual([nodeAgentsNote(nodeAgents(result))]);
    expect(captureNotes(result).probe).toEqual([
      expect.stringMatching(
        new RegExp(
          `^no node agent pods matched ${SELECTOR.replace(/[.]/g, '\\.')} in ${NS} within \\d+(\\.\\d)? s: probed anyway`,
        ),
      ),
    ]);
    expect(result.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
  });

  it('probes anyway, without waiting out the timeout, when listing the pods is forbidden (403)', async () => {
    const l = (lab = await startLab({}, [agentPod('fleet-dns-node-a', 'node-2', false)]));
    l.api.addFault({ path: `^${PODS_PATH}$`, method: 'GET', status: 403 });
    const result = await probe(l, { timeoutMs: 30_000 });

    expect(result.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
    const agents = nodeAgents(result);
    expect(agents).toMatchObject({ timedOut: false, ready: [], notReady: [] });
    expect(agents.waitedMs).toBeLessThan(30_000);
    expect(agents.error).toMatch(
      /missing permission: the runner's ServiceAccount may not list pods in namespace fleet-dns/,
    );
    expect(podLists(l)).toBe(1);
    expect(captureNotes(result).probe).toEqual([
      expect.stringMatching(
        /^node agents' readiness unknown after .* \(missing permission: .*\): probed anyway/,
      ),
    ]);
  });

  it('keeps polling through a transient API error (503) and forgets it once a listing succeeds', async () => {
    const l = (lab = await startLab({}, [agentPod('fleet-dns-node-a', 'node-2', true)]));
    l.api.addFault({ path: `^${PODS_PATH}$`, method: 'GET', status: 503, times: 2 });
    const result = await probe(l, { timeoutMs: 10_000 });
    expect(nodeAgents(result)).toMatchObject({ timedOut: false, ready: [{ name: 'fleet-dns-node-a' }] });
    expect(nodeAgents(result).error).toBeUndefined();
    expect(podLists(l)).toBe(3);
    expect(captureNotes(result).probe).toEqual([expect.stringMatching(/^node agents ready: 1 of 1 after /)]);
  });

  it('does not wait, nor list pods, without the option', async () => {
    const l = (lab = await startLab({}, [agentPod('fleet-dns-node-a', 'node-2', false)]));
    const result = await runProbe({
      scanId: SCAN,
      clusterId: 'c',
      resolvConfPath: l.resolvConf,
      kubeConfig: l.kubeConfig,
      captureInterface: 'none',
      runKubeChecks: async () => [],
      settings: { dnsPort: l.port, timeoutMs: 300, latencyQueries: 4 },
    });
    expect((result.observations as Record<string, unknown>).nodeAgents).toBeUndefined();
    expect(podLists(l)).toBe(0);
    expect(result.checks.find((c) => c.id === 'DNS-CAPTURE')?.evidence.notes).toBeUndefined();
  });
});
