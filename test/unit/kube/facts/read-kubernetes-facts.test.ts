import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import { createKubeClient, KubeAccessError, readKubernetesFacts } from '../../../../lambdas/kube/index.js';
import { buildKubeObjects, buildVpc } from '../../aws/support/fake-aws.js';

const vpc = buildVpc({
  vpcId: 'vpc-k',
  octet: 80,
  accountId: '111122223333',
  region: 'eu-west-1',
  clusters: [{ name: 'k', nodes: 5 }],
});
const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

describe('readKubernetesFacts (against the fake API server over TLS)', () => {
  let api: FakeKubeApi;
  let other: FakeKubeApi;
  const client = (overrides: { token?: string; server?: string; caPem?: string; timeoutMs?: number } = {}) =>
    createKubeClient({
      server: overrides.server ?? api.url,
      caData: base64(overrides.caPem ?? api.caPem),
      token: overrides.token ?? api.token,
      timeoutMs: overrides.timeoutMs ?? 5_000,
    });

  beforeAll(async () => {
    api = await startFakeKubeApi({ objects: buildKubeObjects(vpc, 'k') });
    other = await startFakeKubeApi({});
  });
  afterAll(async () => {
    await api.stop();
    await other.stop();
  });

  it('reads the CoreDNS pods behind kube-dns, every node, and the root zone’s forwarders', async () => {
    const { facts, errors } = await readKubernetesFacts(client());
    const [n0, n1] = vpc.nodes;
    expect(facts.access).toEqual({ reachable: true });
    expect(facts.dnsPods).toEqual([
      {
        name: 'coredns-6b9575c64c-p8kdn',
        namespace: 'kube-system',
        podIP: n1?.secondaryIps[0],
        nodeName: n1?.nodeName,
      },
      {
        name: 'coredns-6b9575c64c-x2x5q',
        namespace: 'kube-system',
        podIP: n0?.secondaryIps[0],
        nodeName: n0?.nodeName,
      },
    ]);
    expect(facts.nodes).toHaveLength(5);
    expect(facts.nodes.find((n) => n.name === n0?.nodeName)).toEqual({
      name: n0?.nodeName,
      internalIP: n0?.primaryIp,
      providerID: `aws:///${n0?.availabilityZone}/${n0?.instanceId}`,
      labels: {},
    });
    expect(facts.upstreams).toEqual(['/etc/resolv.conf']);
    expect(facts.daemonSets).toEqual([]);
    expect(facts.ciliumKubeProxyReplacement).toBeUndefined();
    // @2: every kube-system image once (their registries are names the cluster needs)
    expect(facts.images).toEqual(['coredns:v1.11.3']);
    expect(errors).toEqual([]);
  });

  it('pages through large lists with limit/continue', async () => {
    const before = api.requests.length;
    const { facts } = await readKubernetesFacts(client(), { pageSize: 2 });
    expect(facts.nodes).toHaveLength(5);
    const nodeRequests = api.requests.slice(before).filter((r) => r.path === '/api/v1/nodes');
    expect(nodeRequests.map((r) => r.query.limit)).toEqual(['2', '2', '2']);
    expect(nodeRequests.filter((r) => r.query.continue !== undefined)).toHaveLength(2);
  });

  it('authenticates with the bearer token: a wrong one is "unauthorized"', async () => {
    const failure = await readKubernetesFacts(client({ token: 'k8s-aws-v1.wrong' })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KubeAccessError);
    expect(failure).toMatchObject({ failure: 'unauthorized', httpStatus: 401 });
  });

  it('reports RBAC refusing the node list as "forbidden", naming the read', async () => {
    const remove = api.addFault({ path: '/api/v1/nodes', status: 403 });
    try {
      const failure = await readKubernetesFacts(client()).catch((e: unknown) => e);
      expect(failure).toMatchObject({ failure: 'forbidden', what: 'list nodes', httpStatus: 403 });
    } finally {
      remove();
    }
  });

  it('lists the kube-system DaemonSets and, only where Cilium runs, reads its kube-proxy-replacement', async () => {
    const ciliumApi = await startFakeKubeApi({
      objects: [
        ...buildKubeObjects(vpc, 'k'),
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
          data: { 'kube-proxy-replacement': 'true', 'routing-mode': 'native', ipam: 'eni' },
        },
      ],
    });
    try {
      const kube = createKubeClient({
        server: ciliumApi.url,
        caData: base64(ciliumApi.caPem),
        token: ciliumApi.token,
        timeoutMs: 5_000,
      });
      const { facts, errors } = await readKubernetesFacts(kube);
      expect(facts.daemonSets).toEqual(['cilium']);
      expect(facts.ciliumKubeProxyReplacement).toBe('true');
      expect(errors).toEqual([]);
      expect(ciliumApi.requests.map((r) => r.path)).toContain(
        '/api/v1/namespaces/kube-system/configmaps/cilium-config',
      );
    } finally {
      await ciliumApi.stop();
    }
    // without Cilium, no read of its ConfigMap
    const before = api.requests.length;
    await readKubernetesFacts(client());
    expect(api.requests.slice(before).map((r) => r.path)).not.toContain(
      '/api/v1/namespaces/kube-system/configmaps/cilium-config',
    );
  });

  it('keeps the facts when the DaemonSets cannot be listed, as a collection error of EKS-COMPUTE-MODE', async () => {
    const remove = api.addFault({ path: '/apis/apps/v1/namespaces/kube-system/daemonsets', status: 403 });
    try {
      const { facts, errors } = await readKubernetesFacts(client());
      expect(facts.nodes).toHaveLength(5);
      expect(facts.daemonSets).toBeUndefined();
      expect(errors).toEqual([
        expect.objectContaining({
          call: 'k8s:ListDaemonSets/kube-system',
          code: 'HTTP403',
          checks: ['EKS-COMPUTE-MODE'],
        }),
      ]);
    } finally {
      remove();
    }
  });

  it('keeps the facts when only the Corefile is unreadable, as a collection error of NET-UPSTREAM-REACH', async () => {
    const remove = api.addFault({ path: '/api/v1/namespaces/kube-system/configmaps/coredns', status: 403 });
    try {
      const { facts, errors } = await readKubernetesFacts(client());
      expect(facts.dnsPods).toHaveLength(2);
      expect(facts.upstreams).toBeUndefined();
      expect(errors).toEqual([
        expect.objectContaining({
          call: 'k8s:ReadConfigMap/coredns',
          code: 'HTTP403',
          checks: ['NET-UPSTREAM-REACH'],
        }),
      ]);
    } finally {
      remove();
    }
  });

  it('keeps the facts when the kube-system pods cannot be listed, as a collection error of the two Resolver checks', async () => {
    const remove = api.addFault({ path: '/api/v1/namespaces/kube-system/pods', status: 403 });
    try {
      const { facts, errors } = await readKubernetesFacts(client());
      expect(facts.dnsPods).toHaveLength(2);
      expect(facts.images).toBeUndefined();
      expect(errors).toEqual([
        expect.objectContaining({
          call: 'k8s:ListPods/kube-system',
          code: 'HTTP403',
          checks: ['NET-RESOLVER-RULES', 'NET-DNS-FIREWALL'],
        }),
      ]);
    } finally {
      remove();
    }
  });

  it('gives up on a server that does not answer in time', async () => {
    const remove = api.addFault({ path: /.*/, delayMs: 1_500 });
    try {
      const failure = await readKubernetesFacts(client({ timeoutMs: 200 })).catch((e: unknown) => e);
      expect(failure).toMatchObject({ failure: 'timeout' });
    } finally {
      remove();
    }
  });

  it('verifies the server certificate against the cluster CA', async () => {
    const failure = await readKubernetesFacts(client({ caPem: other.caPem })).catch((e: unknown) => e);
    expect(failure).toMatchObject({ failure: 'tls' });
  });

  it('reports a closed endpoint as unreachable', async () => {
    const port = new URL(other.url).port;
    await other.stop();
    const failure = await readKubernetesFacts(client({ server: `https://127.0.0.1:${port}` })).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ failure: 'unreachable' });
    other = await startFakeKubeApi({});
  });
});
