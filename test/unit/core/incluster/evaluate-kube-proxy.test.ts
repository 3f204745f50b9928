import { describe, expect, it } from 'vitest';
import {
  evaluateKubeProxy,
  kubeProxyMode,
  scanKubeProxyLog,
} from '../../../../lambdas/core/incluster/index.js';
import type { KubeNode, KubeProxyInput, KubeProxyLog } from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import { fail, kubeProxyPods, object, objects, ok } from './fixtures.js';

const CLEAN_LOG = `I0301 09:05:47.120001       1 server_linux.go:66] "Using iptables proxy"
I0301 09:05:47.130112       1 server.go:677] "Version info" version="v1.33.0-eks-1234567"
I0301 09:05:47.151004       1 proxier.go:260] "Setting route_localnet=1 to allow node-ports on localhost"
I0301 09:05:47.402311       1 shared_informer.go:320] Caches are synced for endpoint slice config
`;
const FORBIDDEN_LOG = `${CLEAN_LOG}E0310 11:40:02.000001       1 reflector.go:158] "Unhandled Error" err="k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.EndpointSlice: failed to list *v1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden: User \\"system:serviceaccount:kube-system:kube-proxy\\" cannot list resource \\"endpointslices\\" in API group \\"discovery.k8s.io\\" at the cluster scope"
E0310 11:40:33.000001       1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Service: Unauthorized"
`;
const RESTORE_LOG = `E0310 11:41:00.000001       1 proxier.go:1561] "Failed to execute iptables-restore" err="exit status 1: iptables-restore: line 37 failed"
I0310 11:41:00.000002       1 proxier.go:833] "Sync failed" retryingTime="30s"
`;
const TIMEOUT_LOG = `E0310 11:42:00.000001       1 reflector.go:158] failed to list *v1.Node: Get "https://198.18.0.100:443/api/v1/nodes?limit=500": dial tcp 198.18.0.100:443: i/o timeout
`;

function baseInput(logs: (pod: string, node: string) => string = () => CLEAN_LOG): KubeProxyInput {
  const pods = kubeProxyPods();
  return {
    daemonSet: ok(object('DaemonSet', 'kube-proxy')),
    daemonSets: ok(objects('DaemonSet')),
    nodes: ok(objects('Node')),
    pods: ok(pods),
    config: ok(object('ConfigMap', 'kube-proxy-config')),
    logs: pods.map((p): KubeProxyLog => ({
      pod: p.metadata.name!,
      node: (p.spec as { nodeName: string }).nodeName,
      log: ok(logs(p.metadata.name!, (p.spec as { nodeName: string }).nodeName)),
    })),
  };
}

describe('evaluateKubeProxy (K8S-KUBE-PROXY)', () => {
  it('PASS: a ready kube-proxy on each of the 3 nodes, clean logs, iptables mode', () => {
    const r = evaluateKubeProxy(baseInput());

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('PASS');
    expect(r.evidence).toMatchObject({
      mode: 'iptables',
      nodesNeedingProxy: 3,
      logsScanned: 3,
      logMatches: [],
    });
  });

  it('FAIL when kube-proxy logs 403/Unauthorized, quoting the lines (lab scenario)', () => {
    const r = evaluateKubeProxy(baseInput((pod) => (pod === 'kube-proxy-9bz7k' ? FORBIDDEN_LOG : CLEAN_LOG)));

    expect(r.status).toBe('FAIL');
    expect(r.evidence.logMatches).toEqual([
      expect.objectContaining({ pod: 'kube-proxy-9bz7k', pattern: 'unauthorized', count: 2 }),
    ]);
    const lines = (r.evidence.logMatches as { lines: string[] }[])[0]!.lines;
    expect(lines[0]).toMatch(/is forbidden/);
    expect(lines[1]).toMatch(/Unauthorized/);
    expect(r.evidence.resources).toEqual(['kube-proxy-9bz7k']);
  });

  it('FAIL on iptables-restore failures and API-server timeouts', () => {
    const r = evaluateKubeProxy(
      baseInput((pod) => (pod === 'kube-proxy-4xq2m' ? RESTORE_LOG + TIMEOUT_LOG : CLEAN_LOG)),
    );

    expect(r.status).toBe('FAIL');
    expect(
      (r.evidence.logMatches as { pattern: string; count: number }[]).map((m) => [m.pattern, m.count]),
    ).toEqual([
      ['restore-failure', 2],
      ['apiserver-timeout', 1],
    ]);
  });

  it('bounds the quoted lines and marks the evidence truncated', () => {
    const noisy = Array.from(
      { length: 50 },
      (_, i) => `E0310 11:40:${i} x "Failed to execute iptables-restore" ${'x'.repeat(500)}`,
    ).join('\n');
    const r = evaluateKubeProxy({
      ...baseInput((pod) => (pod === 'kube-proxy-4xq2m' ? noisy : CLEAN_LOG)),
      maxLinesPerPattern: 3,
    });

    const m = (r.evidence.logMatches as { lines: string[]; count: number; truncated?: boolean }[])[0]!;
    expect(m.count).toBe(50);
    expect(m.lines).toHaveLength(3);
    expect(m.lines[0]!.length).toBeLessThanOrEqual(301);
    expect(m.truncated).toBe(true);
    expect(r.evidence.truncated).toBe(true);
  });

  it('FAIL when a node has no ready kube-proxy pod', () => {
    const input = baseInput();
    const pods = kubeProxyPods().filter(
      (p) => (p.spec as { nodeName: string }).nodeName !== 'ip-198-18-3-10.eu-west-1.compute.internal',
    );
    const r = evaluateKubeProxy({ ...input, pods: ok(pods) });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.problems).toEqual([
      'node ip-198-18-3-10.eu-west-1.compute.internal has no kube-proxy pod',
    ]);
  });

  it('does not expect kube-proxy on Fargate/Auto Mode nodes the DaemonSet excludes', () => {
    const nodes = objects('Node') as unknown as (KubeNode & {
      metadata: { labels: Record<string, string> };
    })[];
    const fargate = structuredClone(nodes[0]!);
    fargate.metadata = {
      ...fargate.metadata,
      name: 'fargate-ip-198-18-9-9',
      labels: { ...fargate.metadata.labels, 'eks.amazonaws.com/compute-type': 'fargate' },
    };
    const r = evaluateKubeProxy({ ...baseInput(), nodes: ok([...nodes, fargate]) });

    expect(r.status).toBe('PASS');
    expect(r.evidence.nodesNotTargeted).toEqual(['fargate-ip-198-18-9-9']);
  });

  it('does not expect a kube-proxy pod on an Auto Mode node even when a self-managed DaemonSet lacks the compute-type affinity', () => {
    const ds = object('DaemonSet', 'kube-proxy') as unknown as {
      spec: { template: { spec: { affinity?: unknown } } };
    };
    delete ds.spec.template.spec.affinity;
    const nodes = objects('Node') as unknown as (KubeNode & {
      metadata: { labels: Record<string, string> };
    })[];
    const auto = structuredClone(nodes[0]!);
    auto.metadata = {
      ...auto.metadata,
      name: 'i-0123456789abcdef0',
      labels: { ...auto.metadata.labels, 'eks.amazonaws.com/compute-type': 'auto' },
    };
    const r = evaluateKubeProxy({
      ...baseInput(),
      daemonSet: ok(ds as never),
      nodes: ok([...nodes, auto]),
    });

    expect(r.status).toBe('PASS');
    expect(r.evidence.nodesNeedingProxy).toBe(3);
    expect(r.evidence.notes).toEqual([
      expect.stringMatching(/1 EKS Auto Mode\/Fargate node\(s\) need no kube-proxy pod/),
    ]);
  });

  it('SKIPPED without kube-proxy when Cilium replaces it, or every node is Auto Mode', () => {
    const cilium = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'cilium', namespace: 'kube-system' },
    };
    const r = evaluateKubeProxy({
      ...baseInput(),
      daemonSet: fail(404, 'get', 'daemonsets.apps'),
      daemonSets: ok([cilium]),
    });
    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('SKIPPED');
    expect(r.evidence.reason).toMatch(/Cilium/);

    const auto = (objects('Node') as unknown as { metadata: { labels: Record<string, string> } }[]).map(
      (n) => ({
        ...n,
        metadata: {
          ...n.metadata,
          labels: { ...n.metadata.labels, 'eks.amazonaws.com/compute-type': 'auto' },
        },
      }),
    );
    const r2 = evaluateKubeProxy({
      ...baseInput(),
      daemonSet: fail(404),
      daemonSets: ok([]),
      nodes: ok(auto),
    });
    expect(r2.status).toBe('SKIPPED');
    expect(r2.evidence.reason).toMatch(/Auto Mode/);
  });

  it('SKIPPED with a kube-proxy DaemonSet left behind when Cilium runs with kube-proxy-replacement true; judged as usual otherwise', () => {
    const ciliumConfig = (value: string) =>
      ok({
        metadata: { name: 'cilium-config', namespace: 'kube-system' },
        data: { 'kube-proxy-replacement': value, ipam: 'eni' },
      });
    const broken = baseInput((pod) => (pod === 'kube-proxy-9bz7k' ? FORBIDDEN_LOG : CLEAN_LOG));
    expect(evaluateKubeProxy(broken).status).toBe('FAIL');
    for (const value of ['true', 'strict']) {
      const r = evaluateKubeProxy({ ...broken, ciliumConfig: ciliumConfig(value) });
      expect(checkResultSchema.safeParse(r).success).toBe(true);
      expect(r.status, value).toBe('SKIPPED');
      expect(r.evidence).toMatchObject({
        reason: `kube-proxy does not apply: Services are handled by Cilium (ConfigMap kube-system/cilium-config has kube-proxy-replacement: "${value}")`,
        kubeProxyDaemonSet: true,
      });
    }
    for (const value of ['false', 'partial'])
      expect(evaluateKubeProxy({ ...broken, ciliumConfig: ciliumConfig(value) }).status, value).toBe('FAIL');
    expect(evaluateKubeProxy({ ...broken, ciliumConfig: fail(404, 'get', 'configmaps') }).status).toBe(
      'FAIL',
    );
  });

  it('FAIL without kube-proxy and without a known replacement', () => {
    const r = evaluateKubeProxy({ ...baseInput(), daemonSet: fail(404), daemonSets: ok([]) });

    expect(r.status).toBe('FAIL');
  });

  it('ERROR when no log could be read (403 on pods/log) and nothing else failed; the permission is named', () => {
    const input = baseInput();
    const r = evaluateKubeProxy({
      ...input,
      logs: input.logs.map((l) => ({ ...l, log: fail(403, 'get', 'pods/log') })),
    });

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(/get pods\/log/);
  });

  it('ERROR when nodes cannot be listed', () => {
    expect(evaluateKubeProxy({ ...baseInput(), nodes: fail(403, 'list', 'nodes', '') }).status).toBe('ERROR');
  });
});

describe('scanKubeProxyLog and kubeProxyMode', () => {
  it('does not mistake a klog date like E0403 for a 403', () => {
    expect(scanKubeProxyLog('E0403 10:00:00.000000 1 proxier.go:100] "Syncing iptables rules"\n')).toEqual(
      [],
    );
  });

  it.each([
    ['', 'iptables'],
    ['ipvs', 'ipvs'],
    ['nftables', 'nftables'],
  ])('reads mode %j as %s', (mode, expected) => {
    expect(
      kubeProxyMode({ data: { config: `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: "${mode}"\n` } }),
    ).toBe(expected);
  });

  it('returns undefined for an unreadable config instead of throwing', () => {
    expect(kubeProxyMode({ data: { config: 'mode: [unclosed' } })).toBeUndefined();
    expect(kubeProxyMode({ data: {} })).toBeUndefined();
  });
});
