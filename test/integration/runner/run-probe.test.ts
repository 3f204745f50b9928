/**
 * The probe role end to end on loopback: the fake Kubernetes API (TLS, bearer token) serves
 * kube-dns, its EndpointSlice and the kubernetes Service; real DNS servers on 127.0.0.x play
 * the ClusterIP and the CoreDNS pods; the probe's real client, budget and (as root) tcpdump on
 * lo do the rest. The netns lab scenarios (test/lab) cover the kernel data path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '../../../runner-image/src/probe/index.js';
import { runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import type { CheckResult, RunnerResult } from '../../../lambdas/core/schema/index.js';
import { diagnose } from '../../../lambdas/core/diagnosis/index.js';
import { command, prerequisites, ROOT } from '../../support/prerequisites.js';
import type { Behaviour } from './dns-test-server.js';
import { CLUSTER_IP, KUBERNETES_IP, POD_A, POD_B, startLab as startProbeLab, stopLab } from './probe-lab.js';
import type { Lab } from './probe-lab.js';

let lab: Lab | undefined;
afterEach(async () => {
  if (lab) await stopLab(lab);
  lab = undefined;
});

async function startLab(...args: Parameters<typeof startProbeLab>): Promise<Lab> {
  lab = await startProbeLab(...args);
  return lab;
}

async function probe(l: Lab, captureInterface = 'none'): Promise<RunnerResult> {
  return runProbe({
    scanId: 'scan-1',
    clusterId: '111122223333:eu-west-1:lab',
    nodeName: 'node-1',
    resolvConfPath: l.resolvConf,
    kubeConfig: l.kubeConfig,
    captureInterface,
    runKubeChecks: async () => [],
    settings: { dnsPort: l.port, timeoutMs: 300, latencyQueries: 12 },
  });
}

const byId = (r: RunnerResult): Record<string, CheckResult> =>
  Object.fromEntries(r.checks.map((c) => [c.id, c]));
const dropWhen = (pred: (q: { name: string; type: string; transport: 'udp' | 'tcp' }) => boolean) => ({
  behaviour: (q: { name: string; type: string; transport: 'udp' | 'tcp' }): Behaviour =>
    pred(q) ? 'drop' : 'answer',
});

describe('runProbe against the fake Kubernetes API and DNS servers on loopback', () => {
  it('passes every DNS check on a healthy path and reports a schema-valid document', async () => {
    const l = await startLab();
    const result = await probe(l);
    expect(runnerResultSchema.safeParse(result).success).toBe(true);
    const c = byId(result);
    expect(Object.fromEntries(Object.entries(c).map(([id, r]) => [id, r.status]))).toEqual({
      'DNS-RESOLV-CONF': 'PASS',
      'DNS-INTERNAL': 'PASS',
      'DNS-EXTERNAL': 'PASS',
      'DNS-PER-ENDPOINT': 'PASS',
      'DNS-TCP-FALLBACK': 'PASS',
      'DNS-LATENCY': 'PASS',
      'DNS-CAPTURE': 'SKIPPED',
      'K8S-NODELOCAL-DNS': 'SKIPPED',
    });
    expect(c['DNS-RESOLV-CONF']?.evidence).toMatchObject({
      ndots: 5,
      amplification: { queriesPerLookup: 8 },
    });
    expect(c['DNS-INTERNAL']?.evidence).toMatchObject({
      expected: KUBERNETES_IP,
      answers: [KUBERNETES_IP],
      clusterIpFailed: false,
    });
    expect(c['DNS-PER-ENDPOINT']?.evidence).toMatchObject({ allPodsAnswered: true });
    expect(result.observations.discovery).toMatchObject({
      clusterIp: CLUSTER_IP,
      endpoints: [
        { ip: POD_A, pod: 'coredns-a', nodeName: 'node-2' },
        { ip: POD_B, pod: 'coredns-b', nodeName: 'node-2' },
      ],
    });
    // every query went through the budget and was logged
    const queries = result.observations.queries ?? [];
    const budget = result.observations.budget as { sent: number; maxInAnySecond: number };
    expect(budget.sent).toBe(queries.length);
    expect(budget.maxInAnySecond).toBeLessThanOrEqual(50);
    expect(diagnose(result.checks).map((d) => d.cause)).toEqual(['healthy']);
  });

  it('sends at most 20 queries to any one CoreDNS pod in any one-second window, ClusterIP queries included (probe budget)', async () => {
    const l = await startLab();
    const result = await runProbe({
      scanId: 'scan-1',
      clusterId: '111122223333:eu-west-1:lab',
      resolvConfPath: l.resolvConf,
      kubeConfig: l.kubeConfig,
      captureInterface: 'none',
      runKubeChecks: async () => [],
      settings: { dnsPort: l.port, timeoutMs: 300, latencyQueries: 20 },
    });
    const queries = result.observations.queries ?? [];
    const maxInWindow = (times: number[]): number => {
      const sorted = [...times].sort((a, b) => a - b);
      let best = 0;
      let start = 0;
      for (let end = 0; end < sorted.length; end += 1) {
        while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start += 1;
        best = Math.max(best, end - start + 1);
      }
      return best;
    };
    // A ClusterIP query may land on either pod: it counts for both.
    for (const pod of [POD_A, POD_B]) {
      const times = queries.filter((q) => q.server === pod || q.server === CLUSTER_IP).map((q) => q.sentAtMs);
      expect(times.length).toBeGreaterThan(20);
      expect(maxInWindow(times)).toBeLessThanOrEqual(20);
    }
    expect(maxInWindow(queries.map((q) => q.sentAtMs))).toBeLessThanOrEqual(50);
    // the evidence records what was sent
    expect(result.observations.budget).toMatchObject({
      limits: { maxQps: 50, maxQpsPerTarget: 20 },
      sent: queries.length,
      sharedTargets: { [CLUSTER_IP]: [POD_A, POD_B] },
    });
    expect(
      (result.observations.budget as { maxToOneTargetInAnySecond: number }).maxToOneTargetInAnySecond,
    ).toBeLessThanOrEqual(20);
    expect(byId(result)['DNS-LATENCY']?.evidence.probeBudget).toMatchObject({ sent: queries.length });
  });

  it('names the CoreDNS pod that drops queries (DNS-PER-ENDPOINT FAIL, coredns-pod)', async () => {
    const l = await startLab({ [POD_B]: dropWhen(() => true) });
    const c = byId(await probe(l));
    expect(c['DNS-PER-ENDPOINT']).toMatchObject({
      status: 'FAIL',
      evidence: { allPodsAnswered: false, resources: ['coredns-b'] },
    });
    expect(c['DNS-INTERNAL']?.status).toBe('PASS');
    expect(diagnose(Object.values(c)).map((d) => d.cause)).toContain('coredns-pod');
  });

  it('sees a dead ClusterIP while every pod answers (kube-proxy)', async () => {
    const l = await startLab({ [CLUSTER_IP]: dropWhen(() => true) });
    const c = byId(await probe(l));
    expect(c['DNS-INTERNAL']).toMatchObject({
      status: 'FAIL',
      evidence: { clusterIpFailed: true, outcome: 'timeout' },
    });
    expect(c['DNS-PER-ENDPOINT']?.status).toBe('PASS');
    expect(diagnose(Object.values(c)).map((d) => d.cause)).toContain('kube-proxy');
  });

  it('tells an upstream problem from a pod problem: external fails everywhere, internal passes', async () => {
    const upstreamDead = {
      behaviour: (q: { name: string }): Behaviour =>
        q.name === 'amazon.com' ? 'servfail' : q.name.includes('fleet-dns-probe') ? 'nxdomain' : 'answer',
    };
    const l = await startLab({ [CLUSTER_IP]: upstreamDead, [POD_A]: upstreamDead, [POD_B]: upstreamDead });
    const c = byId(await probe(l));
    expect(c['DNS-EXTERNAL']).toMatchObject({ status: 'FAIL', evidence: { rcode: 'SERVFAIL' } });
    expect(c['DNS-INTERNAL']?.status).toBe('PASS');
    // checks.md § B: an external name failing through every pod is the upstream's — PASS with a
    // note, no pod named.
    expect(c['DNS-PER-ENDPOINT']).toMatchObject({
      status: 'PASS',
      evidence: {
        allPodsAnswered: true,
        externalFailedThroughEveryPod: true,
        failedPods: [],
        notes: [expect.stringMatching(/upstream's failure, not a pod's/)],
      },
    });
    expect(diagnose(Object.values(c)).map((d) => d.cause)).toEqual(['upstream']);
  });

  it('fails DNS-TCP-FALLBACK when TCP is refused while UDP answers (tcp-blocked)', async () => {
    const l = await startLab({
      [CLUSTER_IP]: { tcp: false },
      [POD_A]: { tcp: false },
      [POD_B]: { tcp: false },
    });
    const c = byId(await probe(l));
    expect(c['DNS-TCP-FALLBACK']).toMatchObject({ status: 'FAIL' });
    expect(c['DNS-TCP-FALLBACK']?.evidence.resources).toEqual([CLUSTER_IP, 'coredns-a', 'coredns-b']);
    expect(diagnose(Object.values(c)).map((d) => d.cause)).toContain('tcp-blocked');
  });

  it('sees the conntrack-race signature when the first of each A/AAAA pair is dropped', async () => {
    const l = await startLab({ [CLUSTER_IP]: { dropFirstOfPair: true } });
    const c = byId(await probe(l));
    expect(c['DNS-LATENCY']).toMatchObject({ status: 'FAIL', evidence: { conntrackRaceSignature: true } });
    expect(diagnose(Object.values(c)).map((d) => d.cause)).toContain('conntrack-race');
  });

  it('reports ERROR with the reason when the cluster API refuses (no guessed verdicts)', async () => {
    const l = await startLab();
    l.api.addFault({ path: '^/api/v1/namespaces/kube-system/services/kube-dns$', status: 403 });
    const c = byId(await probe(l));
    expect(c['DNS-INTERNAL']).toMatchObject({
      status: 'ERROR',
      evidence: { reason: expect.stringMatching(/forbidden \(403\)/) },
    });
    expect(c['DNS-RESOLV-CONF']?.status).toBe('ERROR');
    expect(c['DNS-PER-ENDPOINT']?.status).toBe('PASS');
  });

  it('probes NodeLocal DNSCache when resolv.conf names a link-local address it cannot reach (FAIL)', async () => {
    const l = await startLab({}, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'node-local-dns', namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
          template: {
            metadata: { labels: { 'k8s-app': 'node-local-dns' } },
            spec: { containers: [{ name: 'node-cache', image: 'x' }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'node-local-dns', namespace: 'kube-system' },
        data: {
          Corefile: `cluster.local:53 {\n  bind 127.0.0.99 ${CLUSTER_IP}\n  forward . 198.18.9.9\n}\n`,
        },
      },
    ]);
    const result = await runProbe({
      scanId: 's',
      clusterId: 'c',
      resolvConfPath: l.resolvConf,
      kubeConfig: l.kubeConfig,
      captureInterface: 'none',
      runKubeChecks: async () => [],
      settings: { dnsPort: l.port, timeoutMs: 200, latencyQueries: 4, nodeLocalAddress: '127.0.0.99' },
    });
    const c = byId(result);
    expect(c['K8S-NODELOCAL-DNS']).toMatchObject({
      status: 'FAIL',
      evidence: { address: '127.0.0.99', interceptsClusterIP: true, daemonSet: true },
    });
    expect(c['DNS-INTERNAL']?.evidence.notes).toEqual([
      expect.stringMatching(/NodeLocal DNSCache listens on the kube-dns ClusterIP/),
    ]);
  });
});

describe.runIf(prerequisites(ROOT, command('tcpdump', 'tcpdump')))(
  'runProbe with its own capture on lo',
  () => {
    it('follows every probe query on the wire (DNS-CAPTURE PASS, provisional)', async () => {
      const l = await startLab();
      const result = await probe(l, 'lo');
      const c = byId(result);
      expect(c['DNS-CAPTURE']).toMatchObject({ status: 'PASS', evidence: { provisional: true, lostAt: {} } });
      expect((c['DNS-CAPTURE']?.evidence as { followed: number }).followed).toBeGreaterThan(20);
      expect(result.observations.capture?.packets.length).toBeGreaterThan(40);
    });

    it('cannot name the hop of lost queries without node captures (DNS-CAPTURE ERROR with counts)', async () => {
      const l = await startLab({ [POD_B]: dropWhen((q) => q.name.includes('fleet-dns-probe')) });
      const c = byId(await probe(l, 'lo'));
      expect(c['DNS-CAPTURE']).toMatchObject({
        status: 'ERROR',
        evidence: { reason: expect.stringMatching(/no CoreDNS-node capture/) },
      });
      expect(
        (c['DNS-CAPTURE']?.evidence as { counts: Record<string, number> }).counts['hop-unknown'],
      ).toBeGreaterThan(0);
    });
  },
);
