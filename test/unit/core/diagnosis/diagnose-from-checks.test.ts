/**
 * Every row of checks.md § Diagnosis, from realistic check outputs: the results come from the
 * real evaluators (in-cluster objects from test/fixtures/kube, probe outcomes through the probe's
 * own check functions, captures through the correlation, metrics through two scrapes, ENA
 * counters), so the evidence keys the diagnosis reads (evidence-conventions.ts) are the ones the
 * checks actually write. Section A results (NET-*, EKS-*) are another module's; they enter here
 * as results shaped like theirs.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, CHECK_IDS, makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { correlateCapture } from '../../../../lambdas/core/capture/index.js';
import { parseCorefile } from '../../../../lambdas/core/corefile/index.js';
import { CAPTURE_HOPS, diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import { latencyStats, pairSignature, parseResolvConf } from '../../../../lambdas/core/dns/index.js';
import type { PairSample } from '../../../../lambdas/core/dns/index.js';
import {
  evaluateConntrackAllowance,
  evaluateCorednsPods,
  evaluateCorefile,
  evaluateDnsEndpoints,
  evaluateDnsService,
  evaluateKubeProxy,
  evaluateLinklocalAllowance,
  planForwarderProbes,
} from '../../../../lambdas/core/incluster/index.js';
import type {
  ForwarderProbeResult,
  KubeEndpointSlice,
  KubePod,
  KubeProxyLog,
} from '../../../../lambdas/core/incluster/index.js';
import { evaluateUpstreamMetrics } from '../../../../lambdas/core/metrics/index.js';
import type { CorednsPodMetrics } from '../../../../lambdas/core/metrics/index.js';
import { RUNNER_RESULT_FORMAT, checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type {
  CapturedPacket,
  CheckResult,
  ProbeQuery,
  RunnerResult,
} from '../../../../lambdas/core/schema/index.js';
import type { DnsClient, DnsOutcome, DnsQuery } from '../../../../runner-image/src/dns/index.js';
import { DEFAULT_PROBE_SETTINGS, evaluateResolvConf } from '../../../../runner-image/src/probe/index.js';
import type { ProbeContext, ProbeTarget } from '../../../../runner-image/src/probe/context.js';
import { checkExternal, checkInternal } from '../../../../runner-image/src/probe/checks/resolution.js';
import { evaluatePerEndpoint } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import type { EndpointProbe } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import {
  checkTcpFallback,
  evaluateTcpFallback,
} from '../../../../runner-image/src/probe/checks/tcp-fallback.js';
import { evaluateLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import type { TargetLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import { checkNodeLocal } from '../../../../runner-image/src/probe/checks/nodelocal.js';
import { corednsPods, fail, kubeProxyPods, object, objects, ok } from '../incluster/fixtures.js';
import { EKS_DEFAULT_COREFILE } from '../../../support/corefiles.js';

const NOW = new Date('2025-03-10T12:00:00Z');
const CLUSTER_IP = '198.19.0.10';
const KUBERNETES_IP = '198.19.0.1';
const POD_A = {
  address: '198.18.2.20',
  pod: 'coredns-787cb67946-7rtq2',
  node: 'ip-198-18-2-10.eu-west-1.compute.internal',
};
const POD_B = {
  address: '198.18.3.20',
  pod: 'coredns-787cb67946-xk9wd',
  node: 'ip-198-18-3-10.eu-west-1.compute.internal',
};
const PODS: ProbeTarget[] = [POD_A, POD_B].map((p) => ({
  address: p.address,
  role: 'pod',
  pod: p.pod,
  nodeName: p.node,
}));
const CLIENT = '198.18.1.20';
const PROBE_NODE = 'ip-198-18-1-10.eu-west-1.compute.internal';
const EKS_COREFILE = `${EKS_DEFAULT_COREFILE}corp.example:53 {
    errors
    cache 30
    forward . 198.18.7.53 {
        max_concurrent 100
    }
}`;

// ---------------------------------------------------------------------------------------------
// DNS answers, scripted per server and name
// ---------------------------------------------------------------------------------------------

const answer = (answers: string[], rcode = 'NOERROR', latencyMs = 2): DnsOutcome => ({
  outcome: 'answer',
  rcode,
  answers,
  truncated: false,
  latencyMs,
});
const TIMEOUT: DnsOutcome = { outcome: 'timeout', latencyMs: 2000 };
type Script = (q: DnsQuery) => DnsOutcome;
/** A healthy DNS path: the cluster name, an external name, NXDOMAIN for probe names. */
const healthy: Script = (q) =>
  q.name.startsWith('kubernetes.default.svc')
    ? answer([KUBERNETES_IP])
    : q.name === 'amazon.com'
      ? answer(['205.251.242.103'])
      : answer([], 'NXDOMAIN');

function ctx(script: Script): ProbeContext {
  let n = 0;
  const client = Object.assign(async (q: DnsQuery) => script(q), {
    queryPair: async () => ({ first: answer([]), second: answer([]) }),
  }) as DnsClient;
  return { client, settings: DEFAULT_PROBE_SETTINGS, randomLabel: () => `label${n++}` };
}

// ---------------------------------------------------------------------------------------------
// The check results, each from its evaluator
// ---------------------------------------------------------------------------------------------

const clusterIpOk = { ok: true as const, value: CLUSTER_IP };

async function internal(script: Script): Promise<CheckResult> {
  return (await checkInternal(ctx(script), clusterIpOk, { ok: true, value: KUBERNETES_IP })).result;
}
const external = (script: Script): Promise<CheckResult> => checkExternal(ctx(script), clusterIpOk);

function perEndpoint(byPod: (pod: ProbeTarget, q: { name: string }) => DnsOutcome): CheckResult {
  const probes: EndpointProbe[] = PODS.map((target) => ({
    target,
    internal: byPod(target, { name: 'kubernetes.default.svc.cluster.local' }),
    external: byPod(target, { name: 'amazon.com' }),
  }));
  return evaluatePerEndpoint({
    endpoints: { ok: true, value: PODS },
    probes,
    latency: new Map(),
    kubernetesIp: KUBERNETES_IP,
    timeoutFailShare: 0.05,
  });
}
const podsHealthy = (): CheckResult =>
  perEndpoint((_p, q) => healthy({ ...q, server: '', type: 'A', transport: 'udp' }));

async function tcpFallback(tcp: (address: string) => DnsOutcome): Promise<CheckResult> {
  const targets: ProbeTarget[] = [{ address: CLUSTER_IP, role: 'clusterIP' }, ...PODS];
  const c = ctx((q) => (q.transport === 'tcp' ? tcp(q.server) : healthy(q)));
  return checkTcpFallback(c, targets, new Map(targets.map((t) => [t.address, true])));
}

function latency(opts: { pairs?: PairSample[]; singles?: DnsOutcome[] } = {}): CheckResult {
  const singles = opts.singles ?? Array.from({ length: 10 }, (_, i) => answer([], 'NXDOMAIN', 1 + (i % 3)));
  const pairs: PairSample[] =
    opts.pairs ?? Array.from({ length: 5 }, () => ({ first: 'answered', second: 'answered' }) as PairSample);
  const pairOutcomes = pairs.flatMap((p) => [
    p.first === 'answered' ? answer([], 'NXDOMAIN', 1) : TIMEOUT,
    p.second === 'answered' ? answer([], 'NXDOMAIN', 1) : TIMEOUT,
  ]);
  const unanswered = singles.filter((s) => s.outcome !== 'answer').length;
  const round: TargetLatency = {
    target: { address: CLUSTER_IP, role: 'clusterIP' },
    stats: latencyStats([...singles, ...pairOutcomes]),
    pairs: pairSignature(pairs, { sent: singles.length, unanswered }),
  };
  return evaluateLatency(
    [round],
    { internalP99WarnMs: 500, externalP99WarnMs: 500, timeoutFailShare: 0.05 },
    { sent: 20, maxInAnySecond: 20 },
  );
}

/** DNS-CAPTURE from a probe capture and a node capture of queries with the given fates. */
function capture(
  fate: 'answered' | 'lost-on-path' | 'unanswered-at-node' | 'answer-lost',
  firstTo: 'pod' | 'clusterIP' = 'pod',
): CheckResult {
  const queries: ProbeQuery[] = [];
  const client: CapturedPacket[] = [];
  const nodeA: CapturedPacket[] = [];
  const nodeB: CapturedPacket[] = [];
  PODS.forEach((pod, i) => {
    const name = `q${i}.fleet-dns-probe.cluster.local`;
    const q = {
      name,
      type: 'A',
      dnsId: 100 + i,
      transport: 'udp' as const,
      tsMs: i,
      srcPort: 40000 + i,
      dstPort: 53,
    };
    const r = { ...q, qr: 'response' as const, rcode: 'NXDOMAIN', srcPort: 53, dstPort: 40000 + i };
    // the second pod is fine; the first query shows the fate (sent to the first pod or the ClusterIP)
    const f = i === 0 ? fate : 'answered';
    const server = i === 0 && firstTo === 'clusterIP' ? CLUSTER_IP : pod.address;
    queries.push({
      name,
      type: 'A',
      server,
      transport: 'udp',
      sentAtMs: i,
      dnsId: 100 + i,
      ...(f === 'answered' ? { latencyMs: 1, rcode: 'NXDOMAIN' } : { error: 'timeout' }),
    });
    const node = i === 0 ? nodeA : nodeB;
    client.push({ ...q, qr: 'query', src: CLIENT, dst: server });
    if (f === 'answered') client.push({ ...r, src: server, dst: CLIENT });
    if (f !== 'lost-on-path') node.push({ ...q, qr: 'query', src: CLIENT, dst: pod.address });
    if (f === 'answered' || f === 'answer-lost') node.push({ ...r, src: pod.address, dst: CLIENT });
  });
  const base = {
    format: RUNNER_RESULT_FORMAT as typeof RUNNER_RESULT_FORMAT,
    scanId: 's',
    clusterId: '111122223333:eu-west-1:lab',
    startedAt: '2025-03-10T12:00:00Z',
    finishedAt: '2025-03-10T12:00:05Z',
    checks: [],
  };
  const probe: RunnerResult = {
    ...base,
    role: 'probe',
    nodeName: PROBE_NODE,
    observations: {
      queries,
      capture: { where: 'probe pod', packets: client },
      discovery: {
        clusterIp: CLUSTER_IP,
        endpoints: PODS.map((p) => ({ ip: p.address, pod: p.pod, nodeName: p.nodeName })),
      },
    },
  };
  const nodes: RunnerResult[] = [
    {
      ...base,
      role: 'node',
      nodeName: POD_A.node,
      observations: { capture: { where: 'a', packets: nodeA } },
    },
    {
      ...base,
      role: 'node',
      nodeName: POD_B.node,
      observations: { capture: { where: 'b', packets: nodeB } },
    },
  ];
  return correlateCapture(probe, nodes);
}

function corefile(dead: (zone: string) => boolean = () => false): CheckResult {
  const targets = PODS.map((p) => ({ name: p.pod as string, ip: p.address }));
  let n = 0;
  const plans = planForwarderProbes(parseCorefile(EKS_COREFILE), targets, {
    randomLabel: () => `fleetdns-${n++}`,
  });
  const probes: ForwarderProbeResult[] = plans.map((p) => ({
    ...p,
    attempts: dead(p.zone)
      ? [
          { outcome: 'timeout', latencyMs: 2000 },
          { outcome: 'answer', rcode: 'SERVFAIL', latencyMs: 5 },
        ]
      : [{ outcome: 'answer', rcode: 'NXDOMAIN', latencyMs: 3 }],
  }));
  const cm = object('ConfigMap', 'coredns') as unknown as { data: Record<string, string> };
  cm.data = { Corefile: EKS_COREFILE };
  return evaluateCorefile({ configMap: ok(cm), pods: targets, probes });
}

/** Two scrapes 10 s apart; each pod sees `perPod` more of each counter in between. */
function metrics(perPod: {
  noerror: number;
  nxdomain: number;
  servfail: number;
  forwarded: number;
}): CheckResult {
  const page = (k: number) =>
    [
      '# TYPE coredns_dns_requests_total counter',
      `coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",view="",zone="."} ${100000 + k * (perPod.noerror + perPod.nxdomain + perPod.servfail)}`,
      '# TYPE coredns_dns_responses_total counter',
      `coredns_dns_responses_total{plugin="",rcode="NOERROR",server="dns://:53",view="",zone="."} ${50000 + k * perPod.noerror}`,
      `coredns_dns_responses_total{plugin="",rcode="NXDOMAIN",server="dns://:53",view="",zone="."} ${40000 + k * perPod.nxdomain}`,
      `coredns_dns_responses_total{plugin="",rcode="SERVFAIL",server="dns://:53",view="",zone="."} ${10 + k * perPod.servfail}`,
      '# TYPE coredns_proxy_request_duration_seconds histogram',
      `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",to="10.0.0.2:53"} ${30000 + k * perPod.forwarded}`,
      '',
    ].join('\n');
  const pods: CorednsPodMetrics[] = [POD_A, POD_B].map((p) => ({
    pod: p.pod,
    podIp: p.address,
    node: p.node,
    first: { text: page(0), atMs: 0 },
    second: { text: page(1), atMs: 10_000 },
  }));
  return evaluateUpstreamMetrics(pods);
}
const QUIET = { noerror: 900, nxdomain: 100, servfail: 0, forwarded: 300 };

function nodeCounter(which: 'linklocal' | 'conntrack', before: number, after: number): CheckResult {
  const key = which === 'linklocal' ? 'linklocal_allowance_exceeded' : 'conntrack_allowance_exceeded';
  const input = {
    node: POD_A.node,
    before: [
      { interface: 'eth0', linklocal_allowance_exceeded: 0, conntrack_allowance_exceeded: 0, [key]: before },
    ],
    after: [
      { interface: 'eth0', linklocal_allowance_exceeded: 0, conntrack_allowance_exceeded: 0, [key]: after },
    ],
  };
  return which === 'linklocal' ? evaluateLinklocalAllowance(input) : evaluateConntrackAllowance(input);
}

const resolvConf = (text: string): CheckResult =>
  evaluateResolvConf({
    path: '/etc/resolv.conf',
    conf: { ok: true, value: parseResolvConf(text) },
    clusterIp: CLUSTER_IP,
    nodeLocalAddresses: ['169.254.20.10'],
    externalName: 'amazon.com',
  });
const POD_RESOLV_CONF = `search default.svc.cluster.local svc.cluster.local cluster.local eu-west-1.compute.internal\nnameserver ${CLUSTER_IP}\noptions ndots:5\n`;

function kubeProxy(logFor: (pod: string) => string = () => ''): CheckResult {
  const pods = kubeProxyPods();
  return evaluateKubeProxy({
    daemonSet: ok(object('DaemonSet', 'kube-proxy')),
    daemonSets: ok(objects('DaemonSet')),
    nodes: ok(objects('Node')),
    pods: ok(pods),
    config: ok(object('ConfigMap', 'kube-proxy-config')),
    logs: pods.map((p): KubeProxyLog => ({
      pod: p.metadata.name as string,
      log: ok(logFor(p.metadata.name as string)),
    })),
  });
}

const slices = () =>
  objects(
    'EndpointSlice',
    (o) => o.metadata.labels?.['kubernetes.io/service-name'] === 'kube-dns',
  ) as unknown as (KubeEndpointSlice & {
    endpoints: { conditions: Record<string, boolean> }[];
  })[];

function corednsPodsCheck(mutate: (pods: KubePod[]) => void = () => {}): CheckResult {
  const pods = corednsPods() as unknown as KubePod[];
  mutate(pods);
  return evaluateCorednsPods({
    pods: ok(pods),
    deployment: ok(object('Deployment', 'coredns')),
    pdbs: ok(objects('PodDisruptionBudget')),
    now: NOW,
  });
}

async function nodeLocalCheck(script: Script, corefileText?: string): Promise<CheckResult> {
  return (
    await checkNodeLocal(ctx(script), {
      daemonSet: { ok: true, value: corefileText !== undefined },
      ...(corefileText !== undefined ? { corefile: corefileText } : {}),
      linkLocalNameservers: [],
      clusterIp: CLUSTER_IP,
      acceptableForwarders: PODS.map((p) => p.address),
      kubernetesIp: KUBERNETES_IP,
      nodeName: PROBE_NODE,
    })
  ).result;
}
const NODELOCAL_COREFILE = `cluster.local:53 {
    cache 30
    bind 169.254.20.10 ${CLUSTER_IP}
    forward . __PILLAR__CLUSTER__DNS__ { force_tcp }
}
.:53 {
    bind 169.254.20.10 ${CLUSTER_IP}
    forward . __PILLAR__UPSTREAM__SERVERS__
}`;

/** A healthy cluster: every in-cluster result from its evaluator, the AWS side PASS. */
async function healthyCluster(): Promise<Map<CheckId, CheckResult>> {
  const byId = new Map<CheckId, CheckResult>();
  // § C checks have no evaluator yet (issue 22): a healthy cluster of today has no result for them.
  for (const id of CHECK_IDS.filter((i) => CHECK_CATALOG.find((m) => m.id === i)?.section !== 'C'))
    byId.set(id, makeResult(id, { status: 'PASS', evidence: { evaluated: 'fixture' } }));
  const set = (r: CheckResult) => byId.set(r.id as CheckId, r);
  set(evaluateDnsService({ service: ok(object('Service', 'kube-dns')) }));
  set(evaluateDnsEndpoints({ slices: ok(slices()) }));
  set(corednsPodsCheck());
  set(kubeProxy());
  set(corefile());
  set(await nodeLocalCheck(healthy));
  set(resolvConf(POD_RESOLV_CONF));
  set(await internal(healthy));
  set(await external(healthy));
  set(podsHealthy());
  set(await tcpFallback(() => answer([], 'NXDOMAIN')));
  set(latency());
  set(capture('answered'));
  set(metrics(QUIET));
  set(nodeCounter('linklocal', 0, 0));
  set(nodeCounter('conntrack', 0, 0));
  return byId;
}

async function diagnosed(...overrides: (CheckResult | Promise<CheckResult>)[]) {
  const byId = await healthyCluster();
  for (const o of await Promise.all(overrides)) byId.set(o.id as CheckId, o);
  const checks = [...byId.values()];
  for (const c of checks) expect(checkResultSchema.safeParse(c).success, c.id).toBe(true);
  return diagnose(checks);
}
const causes = (d: Awaited<ReturnType<typeof diagnosed>>) => d.map((x) => `${x.cause}/${x.confidence}`);

// ---------------------------------------------------------------------------------------------

describe('diagnosis from realistic check outputs (checks.md § Diagnosis, row by row)', () => {
  it('healthy: the evaluators on the fixtures give a healthy cluster, alone and confirmed', async () => {
    const byId = await healthyCluster();
    expect([...byId.values()].filter((c) => c.status !== 'PASS').map((c) => [c.id, c.status])).toEqual([
      ['K8S-NODELOCAL-DNS', 'SKIPPED'],
    ]);
    expect(causes(await diagnosed())).toEqual(['healthy/confirmed']);
  });

  describe('network-path', () => {
    it('NET-SG-DNS-UDP FAIL', async () => {
      const sg = makeResult('NET-SG-DNS-UDP', {
        status: 'FAIL',
        evidence: { blocked: [{ side: 'ingress', groups: ['sg-0a1b'] }], resources: ['sg-0a1b'] },
      });
      const d = await diagnosed(sg);
      expect(causes(d)).toEqual(['network-path/confirmed']);
      expect(d[0]?.resources).toEqual(['sg-0a1b']);
    });

    it.each(['lost-on-path', 'answer-lost'] as const)('DNS-CAPTURE FAIL, query %s', async (fate) => {
      const c = capture(fate);
      expect(c.status).toBe('FAIL');
      expect(causes(await diagnosed(c))).toEqual(['network-path/confirmed']);
    });
  });

  describe('tcp-blocked', () => {
    it('DNS-TCP-FALLBACK FAIL: UDP answers, TCP times out', async () => {
      const tcp = await tcpFallback(() => TIMEOUT);
      expect(tcp.status).toBe('FAIL');
      const d = await diagnosed(tcp);
      expect(causes(d)).toEqual(['tcp-blocked/confirmed']);
      expect(d[0]?.resources).toEqual([CLUSTER_IP, POD_A.pod, POD_B.pod]);
    });

    it('NET-NACL-DNS-TCP FAIL while the UDP twin passes', async () => {
      const nacl = makeResult('NET-NACL-DNS-TCP', {
        status: 'FAIL',
        evidence: {
          blocked: [{ nacl: 'acl-0f1e', direction: 'inbound', rule: 90 }],
          resources: ['acl-0f1e'],
        },
      });
      expect(causes(await diagnosed(nacl))).toEqual(['tcp-blocked/confirmed']);
    });
  });

  describe('no-endpoints', () => {
    it('K8S-DNS-ENDPOINTS FAIL (CoreDNS scaled to zero: no ready endpoints)', async () => {
      const s = slices();
      for (const ep of s[0]!.endpoints) ep.conditions = { ready: false };
      const eps = evaluateDnsEndpoints({ slices: ok(s) });
      expect(eps.status).toBe('FAIL');
      expect(causes(await diagnosed(eps))[0]).toBe('no-endpoints/confirmed');
    });

    it('K8S-DNS-SERVICE FAIL (missing)', async () => {
      const svc = evaluateDnsService({ service: fail(404, 'get', 'services') });
      expect(causes(await diagnosed(svc))).toEqual(['no-endpoints/confirmed']);
    });
  });

  describe('coredns-pod', () => {
    it('K8S-COREDNS-PODS FAIL (CrashLoopBackOff, OOMKilled), naming the pod', async () => {
      const pods = corednsPodsCheck((p) => {
        const pod = p[1] as {
          status: Record<string, unknown> & { containerStatuses: Record<string, unknown>[] };
        };
        pod.status.conditions = [{ type: 'Ready', status: 'False' }];
        pod.status.containerStatuses[0] = {
          ...pod.status.containerStatuses[0],
          ready: false,
          restartCount: 9,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: {
            terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-03-10T11:58:00Z' },
          },
        };
      });
      const d = await diagnosed(pods);
      expect(causes(d)).toEqual(['coredns-pod/confirmed']);
      expect(d[0]?.resources).toEqual([POD_B.pod]);
    });

    it('DNS-PER-ENDPOINT FAIL: one pod times out (hidden behind ClusterIP round-robin)', async () => {
      const pe = perEndpoint((pod, q) =>
        pod.address === POD_B.address ? TIMEOUT : healthy({ ...q, server: '', type: 'A', transport: 'udp' }),
      );
      const d = await diagnosed(pe);
      expect(causes(d)).toEqual(['coredns-pod/likely']);
      expect(d[0]?.resources).toEqual([POD_B.pod]);
    });

    it('DNS-CAPTURE FAIL: reached the CoreDNS node, no answer', async () => {
      const c = capture('unanswered-at-node');
      const d = await diagnosed(c);
      expect(causes(d)).toEqual(['coredns-pod/confirmed']);
      expect(d[0]?.resources).toEqual([POD_A.pod]);
    });
  });

  describe('kube-proxy', () => {
    it('K8S-KUBE-PROXY FAIL (403s in its log)', async () => {
      const kp = kubeProxy((pod) =>
        pod === 'kube-proxy-9bz7k'
          ? 'E0310 11:40:02.000001 1 reflector.go:158] failed to list *v1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden\n'
          : '',
      );
      expect(kp.status).toBe('FAIL');
      expect(causes(await diagnosed(kp))).toEqual(['kube-proxy/confirmed']);
    });

    it('the ClusterIP fails while every pod IP answers and no NodeLocal intercepts it (seed 000)', async () => {
      const deadVip: Script = (q) => (q.server === CLUSTER_IP ? TIMEOUT : healthy(q));
      const d = await diagnosed(
        internal(deadVip),
        external(deadVip),
        latency({ singles: Array(10).fill(TIMEOUT) }),
      );
      expect(d[0]).toMatchObject({ cause: 'kube-proxy', confidence: 'likely', resources: [CLUSTER_IP] });
      expect(d.map((x) => x.cause)).not.toContain('nodelocal-dns');
      expect(d.map((x) => x.cause)).not.toContain('coredns-pod');
    });

    it('the capture sees the ClusterIP queries leave and never reach a CoreDNS node: kube-proxy, not network-path', async () => {
      const deadVip: Script = (q) => (q.server === CLUSTER_IP ? TIMEOUT : healthy(q));
      const c = capture('lost-on-path', 'clusterIP');
      expect(c).toMatchObject({
        status: 'FAIL',
        evidence: {
          lostAt: { 'never-reached-coredns-node': 1 },
          lostViaClusterIp: { 'never-reached-coredns-node': 1 },
        },
      });
      const d = await diagnosed(c, internal(deadVip));
      expect(causes(d)).toEqual(['kube-proxy/likely']);
      expect(d[0]?.checks).toEqual(['DNS-INTERNAL', 'DNS-PER-ENDPOINT', 'DNS-CAPTURE']);
    });

    it('ClusterIP queries lost on the path while the ClusterIP itself resolves: still network-path', async () => {
      const d = await diagnosed(capture('lost-on-path', 'clusterIP'));
      expect(causes(d)).toEqual(['network-path/confirmed']);
    });

    it('ClusterIP queries lost on the path while the pods do not answer directly either: network-path', async () => {
      const c = capture('lost-on-path', 'clusterIP');
      const pe = perEndpoint(() => TIMEOUT);
      const d = await diagnosed(c, pe);
      expect(d.map((x) => x.cause)).toContain('network-path');
    });

    it('still kube-proxy when the pods answer the cluster name but the upstream is dead too (allPodsAnswered)', async () => {
      const deadVipAndUpstream: Script = (q) =>
        q.server === CLUSTER_IP ? TIMEOUT : q.name === 'amazon.com' ? answer([], 'SERVFAIL') : healthy(q);
      const pe = perEndpoint((_pod, q) =>
        deadVipAndUpstream({ ...q, server: '', type: 'A', transport: 'udp' }),
      );
      expect(pe).toMatchObject({ status: 'PASS', evidence: { allPodsAnswered: true } });
      // the root forwarder probed through each pod shows the dead upstream
      const cf = corefile((zone) => zone === '.');
      const d = await diagnosed(internal(deadVipAndUpstream), external(deadVipAndUpstream), pe, cf);
      expect(causes(d)).toEqual(['upstream/confirmed', 'kube-proxy/likely']);
      expect(d[0]?.checks).toEqual(['K8S-COREDNS-COREFILE', 'DNS-EXTERNAL']);
    });
  });

  describe('nodelocal-dns', () => {
    it('K8S-NODELOCAL-DNS FAIL: installed, intercepting the ClusterIP, not answering on the probe node', async () => {
      const silent: Script = (q) =>
        q.server === '169.254.20.10' || q.server === CLUSTER_IP ? TIMEOUT : healthy(q);
      const nl = await nodeLocalCheck(silent, NODELOCAL_COREFILE);
      expect(nl).toMatchObject({ status: 'FAIL', evidence: { interceptsClusterIP: true } });
      const d = await diagnosed(nl, internal(silent), external(silent));
      expect(d[0]).toMatchObject({ cause: 'nodelocal-dns', confidence: 'confirmed' });
      expect(d.map((x) => x.cause)).not.toContain('kube-proxy');
    });

    it('the ClusterIP fails while pod IPs answer on a node where NodeLocal intercepts it', async () => {
      const vipDead: Script = (q) => (q.server === CLUSTER_IP ? TIMEOUT : healthy(q));
      const nl = await nodeLocalCheck(healthy, NODELOCAL_COREFILE);
      expect(nl).toMatchObject({ status: 'PASS', evidence: { interceptsClusterIP: true } });
      const d = await diagnosed(nl, internal(vipDead));
      expect(causes(d)).toEqual(['nodelocal-dns/likely']);
    });
  });

  describe('upstream', () => {
    it('DNS-INTERNAL PASS and DNS-EXTERNAL FAIL; the pods failing the external name too are the upstream, not the pods', async () => {
      const deadUpstream: Script = (q) => (q.name === 'amazon.com' ? answer([], 'SERVFAIL') : healthy(q));
      const pe = perEndpoint((_pod, q) => deadUpstream({ ...q, server: '', type: 'A', transport: 'udp' }));
      // checks.md § B: the external name failing through every pod is no pod failure
      expect(pe).toMatchObject({ status: 'PASS', evidence: { externalFailedThroughEveryPod: true } });
      const d = await diagnosed(internal(deadUpstream), external(deadUpstream), pe);
      expect(causes(d)).toEqual(['upstream/likely']);
      expect(d[0]?.checks).toEqual(['DNS-EXTERNAL']);
    });

    it('K8S-COREDNS-COREFILE FAIL for the root zone forwarder: confirmed', async () => {
      const cf = corefile((zone) => zone === '.');
      expect(cf).toMatchObject({
        status: 'FAIL',
        evidence: { deadForwarders: [{ zone: '.', forwarder: '/etc/resolv.conf' }] },
      });
      const d = await diagnosed(
        cf,
        external((q) => (q.name === 'amazon.com' ? TIMEOUT : healthy(q))),
      );
      expect(causes(d)).toEqual(['upstream/confirmed']);
    });

    it('NET-UPSTREAM-REACH FAIL', async () => {
      const reach = makeResult('NET-UPSTREAM-REACH', {
        status: 'FAIL',
        evidence: { upstream: '10.20.0.53', resources: ['sg-0c0d'] },
      });
      expect(causes(await diagnosed(reach))).toEqual(['upstream/confirmed']);
    });
  });

  it('stub-domain: K8S-COREDNS-COREFILE FAIL for a non-root zone (seed 002)', async () => {
    const cf = corefile((zone) => zone === 'corp.example.');
    const d = await diagnosed(cf);
    expect(causes(d)).toEqual(['stub-domain/confirmed']);
    expect(d[0]?.resources).toEqual(['corp.example.', '198.18.7.53']);
  });

  it('conntrack-race: DNS-LATENCY FAIL with the pair signature (singles all answered)', async () => {
    const lat = latency({
      pairs: Array.from({ length: 5 }, () => ({ first: 'answered', second: 'unanswered' }) as PairSample),
    });
    expect(lat).toMatchObject({ status: 'FAIL', evidence: { conntrackRaceSignature: true } });
    expect(causes(await diagnosed(lat))).toEqual(['conntrack-race/confirmed']);
  });

  describe('resolver-throttling', () => {
    it('NODE-LINKLOCAL-ALLOWANCE FAIL (the counter rose during the scan): confirmed', async () => {
      const ll = nodeCounter('linklocal', 1200, 1384);
      expect(ll.status).toBe('FAIL');
      expect(causes(await diagnosed(ll))).toEqual(['resolver-throttling/confirmed']);
    });

    it('DNS-UPSTREAM-METRICS upstream pps above 80 % of 1024: likely', async () => {
      const m = metrics({ ...QUIET, forwarded: 9000 }); // 900/s per node
      expect(m).toMatchObject({ status: 'FAIL', evidence: { upstreamPpsVerdict: 'FAIL' } });
      expect(causes(await diagnosed(m))).toEqual(['resolver-throttling/likely']);
    });

    it('pps above 50 % of 1024, or NET-COREDNS-ENI-SPREAD WARN: risk', async () => {
      const m = metrics({ ...QUIET, forwarded: 6000 }); // 600/s
      expect(m).toMatchObject({ status: 'WARN', evidence: { upstreamPpsVerdict: 'WARN' } });
      expect(causes(await diagnosed(m))).toEqual(['resolver-throttling/risk']);
      const spread = makeResult('NET-COREDNS-ENI-SPREAD', {
        status: 'WARN',
        evidence: {
          sharedEnis: [{ eni: 'eni-0abc', pods: [POD_A.pod, POD_B.pod] }],
          resources: ['eni-0abc'],
        },
      });
      expect(causes(await diagnosed(spread))).toEqual(['resolver-throttling/risk']);
    });
  });

  it('conntrack-exhaustion: NODE-CONNTRACK-ALLOWANCE FAIL', async () => {
    const ct = nodeCounter('conntrack', 10, 250);
    expect(ct.status).toBe('FAIL');
    expect(causes(await diagnosed(ct))).toEqual(['conntrack-exhaustion/confirmed']);
  });

  it('ndots-amplification: NXDOMAIN share WARN with DNS-RESOLV-CONF evidence of ndots ≥ 2 and search domains', async () => {
    const m = metrics({ noerror: 200, nxdomain: 800, servfail: 0, forwarded: 300 });
    expect(m).toMatchObject({ status: 'WARN', evidence: { nxdomainShareVerdict: 'WARN' } });
    const rc = resolvConf(POD_RESOLV_CONF);
    expect(rc).toMatchObject({ status: 'PASS', evidence: { ndots: 5, search: expect.any(Array) } });
    expect(causes(await diagnosed(m, rc))).toEqual(['ndots-amplification/risk']);
    // without search domains the same share is no amplification
    expect(causes(await diagnosed(m, resolvConf(`nameserver ${CLUSTER_IP}\noptions ndots:5\n`)))).toEqual([
      'healthy/confirmed',
    ]);
  });

  describe('unknown', () => {
    it('a FAIL no row explains (DNS-RESOLV-CONF: the VPC resolver as nameserver)', async () => {
      const rc = resolvConf('nameserver 169.254.169.253\n');
      expect(rc.status).toBe('FAIL');
      const d = await diagnosed(rc);
      expect(causes(d)).toEqual(['unknown/likely']);
      expect(d[0]?.checks).toEqual(['DNS-RESOLV-CONF']);
    });

    it('DNS-LATENCY timeouts without the pair signature', async () => {
      const lat = latency({ singles: [...Array(8).fill(answer([], 'NXDOMAIN', 1)), TIMEOUT, TIMEOUT] });
      expect(lat).toMatchObject({ status: 'FAIL', evidence: { conntrackRaceSignature: false } });
      expect(causes(await diagnosed(lat))).toEqual(['unknown/likely']);
    });

    it('nothing FAILs but a check that would decide is ERROR', async () => {
      const err = evaluateDnsEndpoints({ slices: fail(403, 'list', 'endpointslices.discovery.k8s.io') });
      const d = await diagnosed(err);
      expect(causes(d)).toEqual(['unknown/likely']);
      expect(d[0]?.checks).toEqual(['K8S-DNS-ENDPOINTS']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Symptoms on a broken path belong to the cause of that path (review of the lab diagnoses)
// ---------------------------------------------------------------------------------------------

const NODELOCAL_ADDRESS = '169.254.20.10';
const CIP: ProbeTarget = { address: CLUSTER_IP, role: 'clusterIP' };
const NODELOCAL: ProbeTarget = { address: NODELOCAL_ADDRESS, role: 'nodelocal' };
const [TARGET_A, TARGET_B] = PODS as [ProbeTarget, ProbeTarget];
const ONE_SIDED = (): PairSample[] =>
  Array.from({ length: 5 }, () => ({ first: 'answered', second: 'unanswered' }) as PairSample);

/** One target's latency round: 10 singles (the first `singlesLost` unanswered) and 5 pairs. */
function round(
  target: ProbeTarget,
  opts: { singlesLost?: number; pairs?: PairSample[]; lost?: DnsOutcome } = {},
): TargetLatency {
  const lost = opts.lost ?? TIMEOUT;
  const singlesLost = opts.singlesLost ?? 0;
  const singles = Array.from({ length: 10 }, (_, i) => (i < singlesLost ? lost : answer([], 'NXDOMAIN', 2)));
  const pairs =
    opts.pairs ??
    Array.from({ length: 5 }, () =>
      singlesLost === 10
        ? ({ first: 'unanswered', second: 'unanswered' } as PairSample)
        : ({ first: 'answered', second: 'answered' } as PairSample),
    );
  const pairOutcomes = pairs.flatMap((p) => [
    p.first === 'answered' ? answer([], 'NXDOMAIN', 1) : lost,
    p.second === 'answered' ? answer([], 'NXDOMAIN', 1) : lost,
  ]);
  return {
    target,
    stats: latencyStats([...singles, ...pairOutcomes]),
    pairs: pairSignature(pairs, { sent: singles.length, unanswered: singlesLost }),
  };
}
const latencyOf = (...rounds: TargetLatency[]): CheckResult =>
  evaluateLatency(
    rounds,
    { internalP99WarnMs: 500, externalP99WarnMs: 500, timeoutFailShare: 0.05 },
    { sent: 20 * rounds.length },
  );

/** DNS-PER-ENDPOINT from direct answers per pod and the pods' latency rounds. */
function perEndpointWith(
  byPod: (pod: ProbeTarget, q: { name: string }) => DnsOutcome,
  rounds: readonly TargetLatency[],
): CheckResult {
  const probes: EndpointProbe[] = PODS.map((target) => ({
    target,
    internal: byPod(target, { name: 'kubernetes.default.svc.cluster.local' }),
    external: byPod(target, { name: 'amazon.com' }),
  }));
  return evaluatePerEndpoint({
    endpoints: { ok: true, value: PODS },
    probes,
    latency: new Map(rounds.map((r) => [r.target.address, r.stats])),
    pairs: new Map(rounds.map((r) => [r.target.address, r.pairs])),
    kubernetesIp: KUBERNETES_IP,
    timeoutFailShare: 0.05,
  });
}
const asked = (q: { name: string }): DnsQuery => ({ ...q, server: '', type: 'A', transport: 'udp' });

/**
 * DNS-CAPTURE of the conntrack race on the wire: to each pod, A/AAAA pairs from one socket; the
 * A is answered, the AAAA reaches the CoreDNS node and gets no answer there.
 */
function raceCapture(): CheckResult {
  const queries: ProbeQuery[] = [];
  const client: CapturedPacket[] = [];
  const nodes = new Map<string, CapturedPacket[]>([
    [POD_A.node, []],
    [POD_B.node, []],
  ]);
  PODS.forEach((pod, i) => {
    for (let k = 0; k < 2; k += 1) {
      const name = `p${i}${k}.fleet-dns-probe.cluster.local`;
      const ids = [200 + i * 10 + k * 2, 201 + i * 10 + k * 2] as const;
      const pairId = `${pod.address}/${ids[0]}/${ids[1]}`;
      (['A', 'AAAA'] as const).forEach((type, pairIndex) => {
        const dnsId = ids[pairIndex] as number;
        const answered = type === 'A';
        queries.push({
          name,
          type,
          server: pod.address,
          transport: 'udp',
          sentAtMs: i,
          dnsId,
          pairId,
          pairIndex,
          ...(answered ? { latencyMs: 1, rcode: 'NXDOMAIN' } : { error: 'timeout' }),
        });
        const q = { name, type, dnsId, transport: 'udp' as const, tsMs: i, srcPort: 41000 + i, dstPort: 53 };
        const r = { ...q, qr: 'response' as const, rcode: 'NXDOMAIN', srcPort: 53, dstPort: 41000 + i };
        client.push({ ...q, qr: 'query', src: CLIENT, dst: pod.address });
        nodes.get(pod.nodeName as string)?.push({ ...q, qr: 'query', src: CLIENT, dst: pod.address });
        if (answered) {
          client.push({ ...r, src: pod.address, dst: CLIENT });
          nodes.get(pod.nodeName as string)?.push({ ...r, src: pod.address, dst: CLIENT });
        }
      });
    }
  });
  const base = {
    format: RUNNER_RESULT_FORMAT as typeof RUNNER_RESULT_FORMAT,
    scanId: 's',
    clusterId: '111122223333:eu-west-1:lab',
    startedAt: '2025-03-10T12:00:00Z',
    finishedAt: '2025-03-10T12:00:05Z',
    checks: [],
  };
  return correlateCapture(
    {
      ...base,
      role: 'probe',
      nodeName: PROBE_NODE,
      observations: {
        queries,
        capture: { where: 'probe pod', packets: client },
        discovery: {
          clusterIp: CLUSTER_IP,
          endpoints: PODS.map((p) => ({ ip: p.address, pod: p.pod, nodeName: p.nodeName })),
        },
      },
    },
    [...nodes.entries()].map(([nodeName, packets]) => ({
      ...base,
      role: 'node' as const,
      nodeName,
      observations: { capture: { where: nodeName, packets } },
    })),
  );
}

describe('symptoms of a broken path are explained by its cause, not listed as unknown', () => {
  const deadVip: Script = (q) => (q.server === CLUSTER_IP ? TIMEOUT : healthy(q));

  it('kube-proxy: DNS-EXTERNAL and the ClusterIP latency timeouts through the untranslated ClusterIP', async () => {
    const lat = latencyOf(round(CIP, { singlesLost: 10 }), round(TARGET_A), round(TARGET_B));
    expect(lat).toMatchObject({
      status: 'FAIL',
      evidence: { timeoutTargets: [CLUSTER_IP], raceTargets: [] },
    });
    const ext = await external(deadVip);
    expect(ext).toMatchObject({ status: 'FAIL', evidence: { noAnswer: true } });
    const d = await diagnosed(internal(deadVip), ext, lat, capture('lost-on-path', 'clusterIP'));
    expect(causes(d)).toEqual(['kube-proxy/likely']);
    expect(d[0]?.checks).toEqual(
      expect.arrayContaining(['DNS-INTERNAL', 'DNS-EXTERNAL', 'DNS-LATENCY', 'DNS-CAPTURE']),
    );
  });

  it('nodelocal-dns: the ClusterIP it intercepts and its own address time out, lookups through it fail', async () => {
    const silent: Script = (q) =>
      q.server === NODELOCAL_ADDRESS || q.server === CLUSTER_IP ? TIMEOUT : healthy(q);
    const nl = await nodeLocalCheck(silent, NODELOCAL_COREFILE);
    const lat = latencyOf(
      round(CIP, { singlesLost: 10 }),
      round(TARGET_A),
      round(TARGET_B),
      round(NODELOCAL, { singlesLost: 10 }),
    );
    const d = await diagnosed(nl, internal(silent), external(silent), lat);
    expect(causes(d)).toEqual(['nodelocal-dns/confirmed']);
    expect(d[0]?.checks).toEqual(expect.arrayContaining(['DNS-INTERNAL', 'DNS-EXTERNAL', 'DNS-LATENCY']));
  });

  it('no-endpoints: lookups refused at the ClusterIP and its latency round are no-endpoints’, not unknown', async () => {
    const s = slices();
    for (const ep of s[0]!.endpoints) ep.conditions = { ready: false };
    const refused: DnsOutcome = { outcome: 'error', error: 'connection refused', latencyMs: 1 };
    const noBackend: Script = (q) => (q.server === CLUSTER_IP ? refused : healthy(q));
    const pe = evaluatePerEndpoint({
      endpoints: { ok: true, value: [] },
      probes: [],
      latency: new Map(),
      kubernetesIp: KUBERNETES_IP,
      timeoutFailShare: 0.05,
    });
    const d = await diagnosed(
      evaluateDnsEndpoints({ slices: ok(s) }),
      internal(noBackend),
      external(noBackend),
      pe,
      latencyOf(round(CIP, { singlesLost: 10, lost: refused })),
    );
    expect(causes(d)).toEqual(['no-endpoints/confirmed']);
    expect(d[0]?.checks).toEqual(
      expect.arrayContaining(['K8S-DNS-ENDPOINTS', 'DNS-INTERNAL', 'DNS-EXTERNAL', 'DNS-LATENCY']),
    );
  });

  it('coredns-pod: DNS-INTERNAL failing now and then through the ClusterIP while DNS-PER-ENDPOINT names the bad pod', async () => {
    const rounds = [round(CIP, { singlesLost: 5 }), round(TARGET_A), round(TARGET_B, { singlesLost: 10 })];
    const pe = perEndpointWith(
      (pod, q) => (pod.address === POD_B.address ? TIMEOUT : healthy(asked(q))),
      rounds,
    );
    expect(pe).toMatchObject({
      status: 'FAIL',
      evidence: {
        failedPods: [{ address: POD_B.address, pod: POD_B.pod, failed: ['internal', 'external', 'latency'] }],
      },
    });
    // the ClusterIP sent both tries of the cluster name to the bad pod
    const unlucky: Script = (q) =>
      q.server === CLUSTER_IP && q.name.startsWith('kubernetes.') ? TIMEOUT : healthy(q);
    const d = await diagnosed(internal(unlucky), pe, latencyOf(...rounds));
    expect(causes(d)).toEqual(['coredns-pod/likely']);
    expect(d[0]?.checks).toEqual(['DNS-PER-ENDPOINT', 'DNS-INTERNAL', 'DNS-LATENCY']);
    expect(d[0]?.resources).toEqual([POD_B.pod]);
  });

  it('still unknown: a FAIL beside the cause that no row explains (DNS-RESOLV-CONF)', async () => {
    const d = await diagnosed(
      internal(deadVip),
      external(deadVip),
      latencyOf(round(CIP, { singlesLost: 10 }), round(TARGET_A), round(TARGET_B)),
      resolvConf('nameserver 169.254.169.253\n'),
    );
    expect(causes(d)).toEqual(['kube-proxy/likely', 'unknown/likely']);
    expect(d[1]?.checks).toEqual(['DNS-RESOLV-CONF']);
  });

  it('still unknown: DNS-LATENCY timeouts on a target no cause covers, beside the cause that covers the rest', async () => {
    // the race on the pods is conntrack-race's; the ClusterIP losing single queries too is not
    const lat = latencyOf(
      round(CIP, { singlesLost: 3, pairs: ONE_SIDED() }),
      round(TARGET_A, { pairs: ONE_SIDED() }),
      round(TARGET_B, { pairs: ONE_SIDED() }),
    );
    expect(lat).toMatchObject({
      status: 'FAIL',
      evidence: { raceTargets: [POD_A.address, POD_B.address], timeoutTargets: [CLUSTER_IP] },
    });
    const d = await diagnosed(lat);
    expect(causes(d)).toEqual(['conntrack-race/confirmed', 'unknown/likely']);
    expect(d[1]?.checks).toEqual(['DNS-LATENCY']);
  });
});

describe('tcp-blocked only where UDP answers and TCP does not (per target)', () => {
  it('a pod that drops UDP and TCP alike, behind a round-robin ClusterIP, is not tcp-blocked', async () => {
    const tcp = evaluateTcpFallback([
      { target: CIP, udp: { sent: 21, answered: 11 }, tcp: TIMEOUT },
      { target: TARGET_A, udp: { sent: 22, answered: 22 }, tcp: answer([], 'NXDOMAIN') },
      { target: TARGET_B, udp: { sent: 22, answered: 0 }, tcp: TIMEOUT },
    ]);
    expect(tcp.status).toBe('PASS');
    const pe = perEndpoint((pod, q) => (pod.address === POD_B.address ? TIMEOUT : healthy(asked(q))));
    const d = await diagnosed(tcp, pe);
    expect(causes(d)).toEqual(['coredns-pod/likely']);
  });

  it('UDP answering everywhere and TCP timing out everywhere is still tcp-blocked', async () => {
    const tcp = evaluateTcpFallback(
      [CIP, TARGET_A, TARGET_B].map((target) => ({ target, udp: { sent: 21, answered: 21 }, tcp: TIMEOUT })),
    );
    expect(tcp).toMatchObject({
      status: 'FAIL',
      evidence: { resources: [CLUSTER_IP, POD_A.pod, POD_B.pod] },
    });
    expect(causes(await diagnosed(tcp))).toEqual(['tcp-blocked/confirmed']);
  });
});

describe('upstream is inferred from DNS-EXTERNAL only when the pods do not take the blame', () => {
  it('DNS-EXTERNAL failing through the ClusterIP behind one bad pod: coredns-pod, not upstream', async () => {
    const rounds = [round(CIP, { singlesLost: 5 }), round(TARGET_A), round(TARGET_B, { singlesLost: 10 })];
    const pe = perEndpointWith(
      (pod, q) => (pod.address === POD_B.address ? TIMEOUT : healthy(asked(q))),
      rounds,
    );
    const unlucky: Script = (q) =>
      q.server === CLUSTER_IP && q.name === 'amazon.com' ? TIMEOUT : healthy(q);
    const d = await diagnosed(internal(healthy), external(unlucky), pe, latencyOf(...rounds));
    expect(causes(d)).toEqual(['coredns-pod/likely']);
    expect(d[0]?.checks).toContain('DNS-EXTERNAL');
  });

  it('DNS-EXTERNAL failing while every pod answers directly: still upstream (likely)', async () => {
    const d = await diagnosed(external((q) => (q.name === 'amazon.com' ? TIMEOUT : healthy(q))));
    expect(causes(d)).toEqual(['upstream/likely']);
  });
});

describe('one-sided A/AAAA pair losses are the conntrack race, not a bad pod', () => {
  it('the race on every target: conntrack-race alone (not coredns-pod), the capture its evidence too', async () => {
    const rounds = [
      round(CIP, { pairs: ONE_SIDED() }),
      round(TARGET_A, { pairs: ONE_SIDED() }),
      round(TARGET_B, { pairs: ONE_SIDED() }),
    ];
    const pe = perEndpointWith((_pod, q) => healthy(asked(q)), rounds);
    expect(pe).toMatchObject({ status: 'PASS', evidence: { allPodsAnswered: true, failedPods: [] } });
    const cap = raceCapture();
    expect(cap).toMatchObject({
      status: 'FAIL',
      evidence: {
        lostAt: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 4 },
        oneSidedPairLosses: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 4 },
      },
    });
    expect(cap.evidence.resources).toBeUndefined();
    const d = await diagnosed(pe, cap, latencyOf(...rounds));
    expect(causes(d)).toEqual(['conntrack-race/confirmed']);
    expect(d[0]?.checks).toEqual(['DNS-LATENCY', 'DNS-CAPTURE']);
  });

  it('without the signature the same capture losses are a pod’s (coredns-pod)', async () => {
    const d = await diagnosed(raceCapture());
    expect(causes(d)).toEqual(['coredns-pod/confirmed']);
  });
});

describe('every in-cluster check result carries a one-line evidence.summary', () => {
  it('PASS results of a healthy cluster, and FAIL / WARN / ERROR / SKIPPED results', async () => {
    const byId = await healthyCluster();
    const inCluster = [...byId.values()].filter((c) => !/^(NET|EKS)-/.test(c.id));
    const s = slices();
    for (const ep of s[0]!.endpoints) ep.conditions = { ready: false };
    const results: CheckResult[] = [
      ...inCluster,
      evaluateDnsService({ service: fail(404, 'get', 'services') }),
      evaluateDnsService({ service: fail(403, 'get', 'services') }),
      evaluateDnsEndpoints({ slices: ok(s) }),
      evaluateDnsEndpoints({ slices: fail(403, 'list', 'endpointslices.discovery.k8s.io') }),
      corednsPodsCheck((p) => {
        (p[1] as { status: Record<string, unknown> }).status.conditions = [
          { type: 'Ready', status: 'False' },
        ];
      }),
      evaluateCorednsPods({
        pods: fail(403, 'list', 'pods'),
        deployment: ok(object('Deployment', 'coredns')),
        pdbs: ok([]),
        now: NOW,
      }),
      kubeProxy(() => 'E0310 11:40:02.000001 1 reflector.go:158] endpointslices is forbidden\n'),
      corefile((zone) => zone === 'corp.example.'),
      metrics({ ...QUIET, forwarded: 9000 }),
      metrics({ ...QUIET, forwarded: 6000 }),
      evaluateUpstreamMetrics([]),
      nodeCounter('linklocal', 1200, 1384),
      evaluateLinklocalAllowance({ node: POD_A.node, before: [], after: [], error: 'ethtool failed' }),
      latency({ pairs: ONE_SIDED() }),
      capture('unanswered-at-node'),
      resolvConf('nameserver 169.254.169.253\n'),
      await internal(deadVip),
      await external(deadVip),
      perEndpoint(() => TIMEOUT),
      await tcpFallback(() => TIMEOUT),
    ];
    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['ERROR', 'FAIL', 'PASS', 'SKIPPED', 'WARN']);
    for (const r of results) {
      const summary = (r.evidence as { summary?: unknown }).summary;
      expect(typeof summary, `${r.id} ${r.status}`).toBe('string');
      expect((summary as string).length, `${r.id} ${r.status}`).toBeGreaterThan(0);
      expect(summary as string, `${r.id} ${r.status}: one line`).not.toMatch(/\n/);
    }
  });

  const deadVip: Script = (q) => (q.server === CLUSTER_IP ? TIMEOUT : healthy(q));
});
