/**
 * runKubeChecks end to end on loopback: the fake Kubernetes API (TLS, bearer token) serving the
 * EKS fixtures, two real DNS servers standing in for the CoreDNS pods (127.0.0.2 and 127.0.0.3,
 * same port, as pods share the Corefile's port), two real metrics endpoints, and the runner's
 * own budgeted DNS client.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, FaultRule, KubeObject } from '../../../../lab/fake-kube-api/index.js';
import { loadKubeObjects } from '../../../../lab/fixtures.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult, ProbeQuery } from '../../../../lambdas/core/schema/index.js';
import { createProbeBudget } from '../../../../runner-image/src/budget/index.js';
import { createQueryDns } from '../../../../runner-image/src/dns/index.js';
import { runKubeChecks } from '../../../../runner-image/src/kube/index.js';
import type { KubeRetryOptions } from '../../../../runner-image/src/kube/read-api.js';
import { startTestDnsServer } from '../../../integration/runner/dns-test-server.js';
import type { Behaviour, TestDnsServer } from '../../../integration/runner/dns-test-server.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/kube', import.meta.url));
const POD_IPS = { 'coredns-787cb67946-7rtq2': '127.0.0.2', 'coredns-787cb67946-xk9wd': '127.0.0.3' } as const;
const FORBIDDEN_LINE =
  'E0310 11:40:02.000001       1 reflector.go:158] "Unhandled Error" err="failed to list *v1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden: User \\"system:serviceaccount:kube-system:kube-proxy\\" cannot list resource \\"endpointslices\\""\n';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A metrics endpoint whose counters grow by `perScrape` each time it is scraped. */
async function startMetrics(
  host: string,
  perScrape: { noerror: number; servfail: number },
  port = 0,
): Promise<number> {
  let scrapes = 0;
  const server: Server = createServer((_req, res) => {
    scrapes++;
    const n = (x: number) => 1000 + x * scrapes;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# TYPE coredns_dns_requests_total counter',
        `coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",view="",zone="."} ${n(perScrape.noerror + perScrape.servfail)}`,
        `coredns_dns_responses_total{plugin="forward",rcode="NOERROR",server="dns://:53",view="",zone="."} ${n(perScrape.noerror)}`,
        `coredns_dns_responses_total{plugin="forward",rcode="SERVFAIL",server="dns://:53",view="",zone="."} ${n(perScrape.servfail)}`,
        `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",to="198.18.0.2:53"} ${n(perScrape.noerror)}`,
        'coredns_forward_max_concurrent_rejects_total 0',
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

interface Setup {
  readonly dnsBehaviour?: (name: string) => Behaviour;
  readonly servfailPerScrape?: number;
  readonly proxyLogs?: Record<string, string>;
  readonly faults?: FaultRule[];
  readonly mutate?: (objects: KubeObject[]) => void;
  readonly apiRetry?: KubeRetryOptions;
}

async function setUp(setup: Setup = {}): Promise<{
  api: FakeKubeApi;
  servers: TestDnsServer[];
  results: CheckResult[];
  log: ProbeQuery[];
  kubeConfig: KubeConfig;
  run: () => Promise<CheckResult[]>;
}> {
  const behaviour = setup.dnsBehaviour ?? (() => 'nxdomain' as const);
  const first = await startTestDnsServer({
    host: '127.0.0.2',
    tcp: false,
    behaviour: (q) => behaviour(q.name),
  });
  cleanups.push(() => first.close());
  const second = await startTestDnsServer({
    host: '127.0.0.3',
    port: first.port,
    tcp: false,
    behaviour: (q) => behaviour(q.name),
  });
  cleanups.push(() => second.close());
  const metricsPort = await startMetrics('127.0.0.2', {
    noerror: 50,
    servfail: setup.servfailPerScrape ?? 0,
  });
  await startMetrics('127.0.0.3', { noerror: 50, servfail: 0 }, metricsPort);

  const objects = loadKubeObjects(FIXTURES);
  for (const o of objects) {
    const name = o.metadata.name as keyof typeof POD_IPS;
    if (o.kind === 'Pod' && POD_IPS[name]) {
      (o.status as { podIP: string }).podIP = POD_IPS[name];
      const c = (o.spec as { containers: { ports: { name: string; containerPort: number }[] }[] })
        .containers[0]!;
      c.ports = c.ports.map((p) => (p.name === 'metrics' ? { ...p, containerPort: metricsPort } : p));
    }
    if (o.kind === 'ConfigMap' && o.metadata.name === 'coredns' && o.metadata.namespace === 'kube-system') {
      const data = o.data as { Corefile: string };
      data.Corefile = `${data.Corefile.replace('.:53', `.:${first.port}`)}corp.example:${first.port} {\n    errors\n    cache 30\n    forward . 198.18.7.53 {\n        max_concurrent 100\n    }\n}\n`;
    }
  }
  setup.mutate?.(objects);
  const api = await startFakeKubeApi({ objects, podLogs: setup.proxyLogs ?? {}, faults: setup.faults ?? [] });
  cleanups.push(() => api.stop());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(api.kubeconfig());
  const budget = createProbeBudget({});
  const log: ProbeQuery[] = [];
  const run = (): Promise<CheckResult[]> =>
    runKubeChecks({
      kubeConfig,
      queryDns: createQueryDns({ budget, log }),
      budget,
      now: () => new Date('2025-03-10T12:00:00Z'),
      metricsIntervalMs: 300,
      probeTimeoutMs: 300,
      apiTimeoutMs: 1500,
      rootZoneProbeDomain: 'example.net',
      vpcResolverAddresses: ['198.18.0.2'],
      probeNodeName: 'ip-198-18-1-10.eu-west-1.compute.internal',
      ...(setup.apiRetry !== undefined && { apiRetry: setup.apiRetry }),
    });
  const results = await run();
  return { api, servers: [first, second], results, log, kubeConfig, run };
}

const statusOf = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
const byId = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;

describe('runKubeChecks', () => {
  it('a healthy EKS cluster: the seven checks PASS (no NetworkPolicy: SKIPPED), forwarders probed through each CoreDNS pod', async () => {
    const { results, servers, log } = await setUp();

    for (const r of results) expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(statusOf(results)).toEqual({
      'K8S-DNS-SERVICE': 'PASS',
      'K8S-DNS-ENDPOINTS': 'PASS',
      'K8S-COREDNS-PODS': 'PASS',
      'K8S-KUBE-PROXY': 'PASS',
      'K8S-COREDNS-COREFILE': 'PASS',
      'DNS-UPSTREAM-METRICS': 'PASS',
      // no NetworkPolicy in the fixtures
      'K8S-NETWORKPOLICY-DNS': 'SKIPPED',
      'K8S-COREDNS-RESOURCES': 'PASS',
    });
    // Each pod got, per forwarded zone (root and the stub domain), the zone's SOA and one random name.
    for (const s of servers) {
      expect(
        s.received.map((q) => `${q.name.replace(/^fleetdns-[0-9a-f]+\./, '*.')} ${q.type}`).sort(),
      ).toEqual(['*.corp.example A', '*.example.net A', '. SOA', 'corp.example SOA']);
    }
    expect(log).toHaveLength(8);
    expect(byId(results, 'K8S-KUBE-PROXY').evidence).toMatchObject({
      mode: 'iptables',
      logsScanned: 3,
      probeNode: 'ip-198-18-1-10.eu-west-1.compute.internal',
    });
    expect(byId(results, 'DNS-UPSTREAM-METRICS').evidence.pods).toHaveLength(2);
  });

  it('seed 002 dead stub forwarder, kube-proxy 403s and SERVFAIL metrics: FAIL, FAIL and WARN with evidence', async () => {
    const { results } = await setUp({
      dnsBehaviour: (name) => (name.endsWith('corp.example') ? 'drop' : 'nxdomain'),
      servfailPerScrape: 5,
      proxyLogs: { 'kube-system/kube-proxy-9bz7k': FORBIDDEN_LINE },
    });

    expect(statusOf(results)).toMatchObject({
      'K8S-COREDNS-COREFILE': 'FAIL',
      'K8S-KUBE-PROXY': 'FAIL',
      'DNS-UPSTREAM-METRICS': 'WARN',
      // no NetworkPolicy in the fixtures
      'K8S-NETWORKPOLICY-DNS': 'SKIPPED',
    });
    expect(byId(results, 'K8S-COREDNS-COREFILE').evidence.deadForwarders).toEqual([
      {
        zone: 'corp.example.',
        forwarder: '198.18.7.53',
        pods: ['coredns-787cb67946-7rtq2', 'coredns-787cb67946-xk9wd'],
      },
    ]);
    expect(byId(results, 'K8S-KUBE-PROXY').evidence.logMatches).toEqual([
      expect.objectContaining({
        pod: 'kube-proxy-9bz7k',
        pattern: 'unauthorized',
        lines: [FORBIDDEN_LINE.trimEnd()],
      }),
    ]);
    expect(byId(results, 'DNS-UPSTREAM-METRICS').evidence.findings).toEqual([
      expect.objectContaining({ kind: 'servfail-share', resources: ['coredns-787cb67946-7rtq2'] }),
    ]);
  });

  it('a CoreDNS pod in CrashLoopBackOff: PODS FAIL, ENDPOINTS WARN, the forwarders still probed through the ready pod', async () => {
    const { results, servers } = await setUp({
      mutate: (objects) => {
        const pod = objects.find((o) => o.kind === 'Pod' && o.metadata.name === 'coredns-787cb67946-xk9wd')!;
        const status = pod.status as Record<string, unknown>;
        status.conditions = [{ type: 'Ready', status: 'False' }];
        status.containerStatuses = [
          {
            name: 'coredns',
            ready: false,
            restartCount: 9,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-03-10T11:57:00Z' },
            },
          },
        ];
        const slice = objects.find(
          (o) => o.kind === 'EndpointSlice' && o.metadata.name === 'kube-dns-7fjxk',
        )!;
        (slice.endpoints as { conditions: Record<string, boolean> }[])[1]!.conditions = {
          ready: false,
          serving: false,
          terminating: false,
        };
      },
    });

    expect(statusOf(results)).toMatchObject({
      'K8S-COREDNS-PODS': 'FAIL',
      'K8S-DNS-ENDPOINTS': 'WARN',
      'K8S-COREDNS-COREFILE': 'PASS',
    });
    expect(byId(results, 'K8S-COREDNS-PODS').evidence.failures).toEqual([
      'coredns-787cb67946-xk9wd is in CrashLoopBackOff (9 restarts, last exit OOMKilled)',
    ]);
    expect(servers[1]!.received).toHaveLength(0);
    expect(byId(results, 'K8S-COREDNS-COREFILE').evidence.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/not probed through.*coredns-787cb67946-xk9wd/)]),
    );
  });

  it('a 403 on listing pods makes only the checks that need pods ERROR, naming the permission', async () => {
    const { results } = await setUp({
      faults: [{ path: '^/api/v1/namespaces/kube-system/pods$', method: 'GET', status: 403 }],
    });

    expect(statusOf(results)).toEqual({
      'K8S-DNS-SERVICE': 'PASS',
      'K8S-DNS-ENDPOINTS': 'PASS',
      'K8S-COREDNS-PODS': 'ERROR',
      'K8S-KUBE-PROXY': 'ERROR',
      'K8S-COREDNS-COREFILE': 'ERROR',
      'DNS-UPSTREAM-METRICS': 'ERROR',
      // no NetworkPolicy in the fixtures
      'K8S-NETWORKPOLICY-DNS': 'SKIPPED',
      'K8S-COREDNS-RESOURCES': 'ERROR',
    });
    for (const r of results.filter((x) => x.status === 'ERROR')) {
      expect(checkResultSchema.safeParse(r).success).toBe(true);
      expect(r.evidence.reason).toMatch(/list pods in namespace kube-system/);
    }
    expect(byId(results, 'K8S-COREDNS-PODS').evidence.reason).toMatch(/^missing permission/);
  });

  it('a 403 on pods/log makes K8S-KUBE-PROXY ERROR; a slow ConfigMap read times out into ERROR', async () => {
    const { results } = await setUp({
      faults: [
        { path: '/log$', status: 403 },
        { path: '^/api/v1/namespaces/kube-system/configmaps/coredns$', delayMs: 4000 },
      ],
    });

    expect(byId(results, 'K8S-KUBE-PROXY').status).toBe('ERROR');
    expect(byId(results, 'K8S-KUBE-PROXY').evidence.reason).toMatch(/get pods\/log/);
    expect(byId(results, 'K8S-COREDNS-COREFILE').status).toBe('ERROR');
    expect(byId(results, 'K8S-COREDNS-COREFILE').evidence.reason).toMatch(/no answer within 1500 ms/);
    expect(byId(results, 'K8S-DNS-SERVICE').status).toBe('PASS');
  });

  describe('through a burst of 429s on the CoreDNS ConfigMap (checks.md § Transient failures)', () => {
    /** waits recorded, none slept: the test does not depend on the machine's speed */
    const instantClock = () => {
      let t = 0;
      return { now: () => t, sleep: async (ms: number) => void (t += ms) };
    };
    const COREFILE_PATH = '^/api/v1/namespaces/kube-system/configmaps/coredns$';

    it('a burst that clears changes no status; K8S-COREDNS-COREFILE lists the retried read', async () => {
      const { results } = await setUp({
        faults: [{ path: COREFILE_PATH, status: 429, times: 2 }],
        apiRetry: { clock: instantClock() },
      });

      expect(byId(results, 'K8S-COREDNS-COREFILE').status).toBe('PASS');
      expect(byId(results, 'K8S-COREDNS-COREFILE').evidence.apiRetries).toEqual([
        { call: 'get configmaps kube-system/coredns', status: 429, attempts: 3, cleared: true },
      ]);
      expect(byId(results, 'K8S-DNS-SERVICE').evidence.apiRetries).toBeUndefined();
    });

    it('throttling that outlasts the retries is ERROR naming the status', async () => {
      const { results, api } = await setUp({
        faults: [{ path: COREFILE_PATH, status: 429 }],
        apiRetry: { clock: instantClock(), policy: { maxAttempts: 3 } },
      });

      expect(byId(results, 'K8S-COREDNS-COREFILE').status).toBe('ERROR');
      expect(byId(results, 'K8S-COREDNS-COREFILE').evidence.reason).toMatch(
        /answered 429 .*after 3 attempts/,
      );
      expect(api.requests.filter((r) => new RegExp(COREFILE_PATH).test(r.path))).toHaveLength(3);
    });
  });

  describe('K8S-NETWORKPOLICY-DNS through the fake API', () => {
    const NODELOCAL_COREFILE = readFileSync(
      fileURLToPath(
        new URL('../../../fixtures/kube/incluster-corefile-seed002-nodelocal.txt', import.meta.url),
      ),
      'utf8',
    );
    /** a `shop` namespace: a Deployment's pod under default-deny egress, NodeLocal bound to 169.254.25.10 */
    const shopWithDefaultDeny = (objects: KubeObject[]): void => {
      objects.push(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'web-5d8f7c9b4-x2x7q',
            namespace: 'shop',
            labels: { app: 'web', 'pod-template-hash': '5d8f7c9b4' },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'web-5d8f7c9b4',
                uid: 'u-rs',
                controller: true,
              },
            ],
          },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
          status: { phase: 'Running', podIP: '198.18.5.7' },
        },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'default-deny-egress', namespace: 'shop' },
          spec: { podSelector: {}, policyTypes: ['Egress'] },
        },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'ingress-only', namespace: 'other' },
          spec: { podSelector: {}, policyTypes: ['Ingress'] },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: {
            name: 'node-local-dns',
            namespace: 'kube-system',
            labels: { 'k8s-app': 'node-local-dns' },
          },
          spec: {
            selector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
            template: {
              metadata: { labels: { 'k8s-app': 'node-local-dns' } },
              spec: { hostNetwork: true, containers: [{ name: 'node-cache', image: 'k8s-dns-node-cache' }] },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'node-local-dns', namespace: 'kube-system' },
          data: { Corefile: NODELOCAL_COREFILE },
        },
      );
    };

    it('default-deny egress: FAIL naming the namespace, policy, workload and NodeLocal; its fix, applied, PASSes', async () => {
      const { results, api, kubeConfig, run } = await setUp({ mutate: shopWithDefaultDeny });
      const result = byId(results, 'K8S-NETWORKPOLICY-DNS');
      expect(checkResultSchema.safeParse(result).success).toBe(true);
      expect(result.status).toBe('FAIL');
      expect(result.evidence.nodeLocal).toBe('169.254.25.10');
      const failing = result.evidence.failing as {
        namespace: string;
        policies: string[];
        workloads: string[];
        missing: { destination: string }[];
        fix: string;
      }[];
      expect(failing).toHaveLength(1);
      expect(failing[0]).toMatchObject({
        namespace: 'shop',
        policies: ['default-deny-egress'],
        workloads: ['Deployment/web'],
      });
      expect(failing[0]!.missing.map((m) => m.destination)).toEqual([
        'pod kube-system/coredns-787cb67946-7rtq2 (127.0.0.2)',
        'pod kube-system/coredns-787cb67946-xk9wd (127.0.0.3)',
        'NodeLocal DNSCache 169.254.25.10',
      ]);
      expect(result.evidence.resources).toEqual(['namespace/shop', 'networkpolicy/shop/default-deny-egress']);
      // read: every policy, the pods of `shop` only, kube-system's Namespace and NodeLocal's config
      const paths = api.requests.map((r) => r.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/apis/networking.k8s.io/v1/networkpolicies',
          '/api/v1/namespaces/shop/pods',
          '/api/v1/namespaces/kube-system',
          '/api/v1/namespaces/kube-system/configmaps/node-local-dns',
        ]),
      );
      expect(paths).not.toContain('/api/v1/namespaces/other/pods');

      const net = kubeConfig.makeApiClient(NetworkingV1Api);
      for (const doc of parseAllDocuments(failing[0]!.fix)) {
        await net.createNamespacedNetworkPolicy({ namespace: 'shop', body: doc.toJS() as V1NetworkPolicy });
      }
      const after = byId(await run(), 'K8S-NETWORKPOLICY-DNS');
      expect(after.status, JSON.stringify(after.evidence)).toBe('PASS');
      expect(after.evidence).toMatchObject({ egressRestrictedPods: 1, namespaces: ['shop'] });
    });

    it('a 403 on listing NetworkPolicies is ERROR naming the permission; the other checks are unaffected', async () => {
      const { results } = await setUp({
        mutate: shopWithDefaultDeny,
        faults: [{ path: '^/apis/networking.k8s.io/v1/networkpolicies$', method: 'GET', status: 403 }],
      });
      const result = byId(results, 'K8S-NETWORKPOLICY-DNS');
      expect(result.status).toBe('ERROR');
      expect(result.evidence.reason).toMatch(
        /^missing permission: .*"list" on "networkpolicies.networking.k8s.io"/,
      );
      expect(byId(results, 'K8S-DNS-SERVICE').status).toBe('PASS');
    });
  });

  it('Cilium with kube-proxy-replacement beside a kube-proxy that logs 403s: K8S-KUBE-PROXY SKIPPED, cilium-config read because Cilium runs', async () => {
    const { results, api } = await setUp({
      proxyLogs: { 'kube-system/kube-proxy-9bz7k': FORBIDDEN_LINE },
      mutate: (objects) => {
        objects.push(
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'cilium', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' } },
            spec: {
              selector: { matchLabels: { 'k8s-app': 'cilium' } },
              template: {
                metadata: { labels: { 'k8s-app': 'cilium' } },
                spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.5' }] },
              },
            },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'cilium-config', namespace: 'kube-system' },
            data: { 'kube-proxy-replacement': 'true', ipam: 'eni' },
          },
        );
      },
    });

    expect(byId(results, 'K8S-KUBE-PROXY')).toMatchObject({
      status: 'SKIPPED',
      evidence: { replacement: 'cilium', kubeProxyDaemonSet: true },
    });
    expect(api.requests.map((r) => r.path)).toContain(
      '/api/v1/namespaces/kube-system/configmaps/cilium-config',
    );
  });

  it('without Cilium, its ConfigMap is not read', async () => {
    const { api } = await setUp();
    expect(api.requests.map((r) => r.path)).not.toContain(
      '/api/v1/namespaces/kube-system/configmaps/cilium-config',
    );
  });

  describe('K8S-COREDNS-RESOURCES through the fake API', () => {
    const NODE_TEMPLATE = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Node')!;
    const RESOURCES = (results: CheckResult[]) => byId(results, 'K8S-COREDNS-RESOURCES');

    it('PASS on the fixtures: PodMetrics read (≈ 21 MiB of 170 MiB), no CPU limit, 3 nodes; evidence says what was looked at', async () => {
      const { results, api } = await setUp();
      const r = RESOURCES(results);

      expect(r.status).toBe('PASS');
      expect(r.evidence.memory).toEqual({
        metricsServed: true,
        containers: [
          expect.objectContaining({
            pod: 'coredns-787cb67946-7rtq2',
            workingSetBytes: 21344 * 1024,
            ratio: 0.123,
          }),
          expect.objectContaining({ pod: 'coredns-787cb67946-xk9wd', workingSetBytes: 20116 * 1024 }),
        ],
      });
      expect(r.evidence.cpuThrottling).toMatchObject({ evaluated: true, cpuLimited: [] });
      expect(r.evidence.autoscaler).toMatchObject({ nodes: 3, hpas: [], clusterProportionalAutoscalers: [] });
      expect((r.evidence.looked as string[]).join('\n')).toMatch(/PodMetrics/);
      // the real REST paths, with the CoreDNS label selector on PodMetrics
      const paths = api.requests.map((q) => q.path);
      expect(paths).toContain('/apis/metrics.k8s.io/v1beta1/namespaces/kube-system/pods');
      expect(paths).toContain('/apis/autoscaling/v2/namespaces/kube-system/horizontalpodautoscalers');
      expect(paths).toContain('/apis/apps/v1/namespaces/kube-system/deployments');
    });

    it('FAIL for an OOMKill 3 h ago in lastState, naming pod, container and time', async () => {
      const { results } = await setUp({
        mutate: (objects) => {
          const pod = objects.find(
            (o) => o.kind === 'Pod' && o.metadata.name === 'coredns-787cb67946-xk9wd',
          )!;
          const status = (pod.status as { containerStatuses: Record<string, unknown>[] })
            .containerStatuses[0]!;
          status.restartCount = 1;
          status.lastState = {
            terminated: {
              exitCode: 137,
              reason: 'OOMKilled',
              startedAt: '2025-03-09T08:00:00Z',
              finishedAt: '2025-03-10T09:00:00Z',
              containerID: 'containerd://4f1c',
            },
          };
        },
      });
      const r = RESOURCES(results);

      expect(r.status).toBe('FAIL');
      expect(r.evidence.oomKills).toEqual([
        {
          pod: 'coredns-787cb67946-xk9wd',
          container: 'coredns',
          finishedAt: '2025-03-10T09:00:00.000Z',
          state: 'lastState',
        },
      ]);
      expect(r.evidence.resources).toEqual(['coredns-787cb67946-xk9wd']);
    });

    it('no metrics-server (404 on metrics.k8s.io) and 60 nodes without an autoscaler: WARN, the memory part noted as not judged', async () => {
      const { results } = await setUp({
        faults: [{ path: '^/apis/metrics.k8s.io/', status: 404 }],
        mutate: (objects) => {
          const template = NODE_TEMPLATE(objects);
          for (let i = 0; i < 57; i++) {
            const node = structuredClone(template);
            node.metadata = {
              ...node.metadata,
              name: `ip-198-18-9-${i}.eu-west-1.compute.internal`,
              uid: `node-extra-${i}`,
            };
            objects.push(node);
          }
        },
      });
      const r = RESOURCES(results);

      expect(r.status).toBe('WARN');
      expect(r.evidence.memory).toEqual({ metricsServed: false, containers: [] });
      expect(r.evidence.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/metrics\.k8s\.io is not served \(no metrics-server\)/),
        ]),
      );
      expect(r.evidence.warnings).toEqual([
        expect.stringMatching(/^60 nodes and no autoscaler for deployment\/coredns/),
      ]);
    });

    it('60 nodes with an autoscaling/v2 HPA on deployment/coredns: PASS, the HPA named', async () => {
      const { results } = await setUp({
        mutate: (objects) => {
          const template = NODE_TEMPLATE(objects);
          for (let i = 0; i < 57; i++) {
            const node = structuredClone(template);
            node.metadata = {
              ...node.metadata,
              name: `ip-198-18-9-${i}.eu-west-1.compute.internal`,
              uid: `node-extra-${i}`,
            };
            objects.push(node);
          }
          objects.push({
            apiVersion: 'autoscaling/v2',
            kind: 'HorizontalPodAutoscaler',
            metadata: { name: 'coredns', namespace: 'kube-system' },
            spec: {
              scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns' },
              minReplicas: 2,
              maxReplicas: 10,
              metrics: [
                {
                  type: 'Resource',
                  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
                },
              ],
            },
          });
        },
      });
      const r = RESOURCES(results);

      expect(r.status).toBe('PASS');
      expect(r.evidence.autoscaler).toMatchObject({ nodes: 60, hpas: ['coredns'] });
    });

    it('a 403 on HPAs is a note, never an ERROR of the whole check; it names the permission', async () => {
      const { results } = await setUp({
        faults: [{ path: 'horizontalpodautoscalers', status: 403 }],
      });
      const r = RESOURCES(results);

      expect(r.status).toBe('PASS');
      expect(r.evidence.notes).toEqual([
        expect.stringMatching(
          /^HorizontalPodAutoscalers not read: missing permission.*list horizontalpodautoscalers\.autoscaling/,
        ),
      ]);
    });
  });
});
