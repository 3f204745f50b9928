/**
 * K8S-NETWORKPOLICY-DNS's reads against the fake API: every NetworkPolicy and the pods of the
 * egress-restricted namespaces are read page by page (limit + continue), only those namespaces'
 * pods are listed, and nothing beyond the policy list is read when no policy restricts egress.
 */
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../../../../lab/fake-kube-api/index.js';
import { loadKubeObjects } from '../../../../lab/fixtures.js';
import type { KubePod, KubeService, KubeWorkload } from '../../../../lambdas/core/incluster/index.js';
import { checkNetworkPolicies } from '../../../../runner-image/src/kube/network-policies.js';
import { readApi, timeoutOptions } from '../../../../runner-image/src/kube/read-api.js';
import type { ReadTarget } from '../../../../runner-image/src/kube/read-api.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/kube', import.meta.url));
const apis: FakeKubeApi[] = [];
afterEach(async () => {
  while (apis.length > 0) await apis.pop()?.stop();
});

const netpol = (name: string, namespace: string, spec: object): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const appPod = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running', podIP: `198.18.5.${name.length}` },
});

async function run(extra: KubeObject[]) {
  const objects = [...loadKubeObjects(FIXTURES), ...extra];
  const api = await startFakeKubeApi({ objects });
  apis.push(api);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(api.kubeconfig());
  const of = <T>(kind: string, ns = 'kube-system'): T =>
    objects.filter((o) => o.kind === kind && o.metadata.namespace === ns) as unknown as T;
  const result = await checkNetworkPolicies({
    kubeConfig,
    read: <T>(target: ReadTarget, call: () => Promise<T>) => readApi(target, call, 2000),
    opts: timeoutOptions(2000),
    namespace: 'kube-system',
    dnsPods: {
      ok: true,
      value: of<KubePod[]>('Pod').filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns'),
    },
    service: { ok: true, value: of<KubeService[]>('Service').find((s) => s.metadata?.name === 'kube-dns')! },
    daemonSets: { ok: true, value: of<KubeWorkload[]>('DaemonSet') },
    pageSize: 1,
  });
  return { api, result };
}

describe('checkNetworkPolicies', () => {
  it('pages through every policy and the pods of the egress-restricted namespaces only', async () => {
    const { api, result } = await run([
      netpol('deny-a', 'shop', { podSelector: {}, policyTypes: ['Egress'] }),
      netpol('deny-b', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
      netpol('ingress', 'blog', { podSelector: {}, policyTypes: ['Ingress'] }),
      appPod('web', 'shop'),
      appPod('cart', 'shop'),
      appPod('api', 'blog'),
    ]);
    expect(result.status).toBe('FAIL');
    expect(result.evidence.egressRestrictedPods).toBe(2);
    const gets = api.requests.filter((r) => r.method === 'GET');
    const policyPages = gets.filter((r) => r.path === '/apis/networking.k8s.io/v1/networkpolicies');
    expect(policyPages).toHaveLength(3);
    expect(policyPages.slice(1).every((r) => r.query.continue)).toBe(true);
    const podPages = gets.filter((r) => r.path === '/api/v1/namespaces/shop/pods');
    expect(podPages).toHaveLength(2);
    expect(podPages.every((r) => r.query.limit === '1')).toBe(true);
    expect(gets.some((r) => r.path === '/api/v1/namespaces/blog/pods')).toBe(false);
  });

  it('without an egress policy reads nothing but the policy list, and SKIPs', async () => {
    const { api, result } = await run([
      netpol('ingress', 'blog', { podSelector: {}, policyTypes: ['Ingress'] }),
    ]);
    expect(result.status).toBe('SKIPPED');
    expect(api.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      '/apis/networking.k8s.io/v1/networkpolicies',
    ]);
  });
});
