import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  Watch,
} from '@kubernetes/client-node';
import type { V1Job, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../../../lab/fake-kube-api/index.js';
import { loadKubeObjects } from '../../../lab/fixtures.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = path.join(ROOT, 'test/fixtures/kube');

function clientFor(api: FakeKubeApi, options?: Parameters<FakeKubeApi['kubeconfig']>[0]): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig(options));
  return kc;
}

/** The HTTP code and parsed Status body of a failed client-node call. */
async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const raw: unknown = error.body;
    const body = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
    return { code: error.code, body };
  }
  throw new Error('expected the call to fail');
}

describe('fake Kubernetes API server with @kubernetes/client-node 1.x', () => {
  let api: FakeKubeApi;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    api = await startFakeKubeApi({
      objects: loadKubeObjects(FIXTURES),
      podLogs: {
        'kube-system/kube-proxy-4xq2m': [
          '2025-03-02T07:00:00Z I0302 07:00:00.000000       1 proxier.go:1000] "Syncing iptables rules"',
          '2025-03-02T07:59:50Z E0302 07:59:50.000000       1 reflector.go:147] Failed to watch *v1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden',
          'I0302 08:00:00.000000       1 proxier.go:1000] "Syncing iptables rules" (written now)',
        ].join('\n'),
      },
    });
    kc = clientFor(api);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await api.stop();
  });
  afterEach(() => {
    api.clearFaults();
  });

  describe('TLS and authentication', () => {
    it('serves TLS that verifies against the generated CA, with the listen address in the SANs', async () => {
      const pods = await core.listNamespacedPod({ namespace: 'kube-system' });
      expect(pods.items.length).toBeGreaterThan(0);
      const other = await startFakeKubeApi({ host: '127.0.0.2' });
      try {
        // Node's default identity check matches the IP against the certificate's IP SANs.
        const san = await new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.2', port: other.port, ca: other.caPem }, () => {
            resolve(socket.getPeerCertificate().subjectaltname ?? '');
            socket.end();
          });
          socket.on('error', reject);
        });
        expect(san).toContain('IP Address:127.0.0.2');
        expect(other.url).toBe(`https://127.0.0.2:${other.port}`);
      } finally {
        await other.stop();
      }
    });

    it('is rejected by a client that does not trust the CA', async () => {
      const untrusting = clientFor(api, { omitCa: true }).makeApiClient(CoreV1Api);
      await expect(untrusting.listNamespacedPod({ namespace: 'kube-system' })).rejects.toThrow(
        /self[- ]signed|unable to verify|certificate/i,
      );
    });

    it('answers 401 with an Unauthorized Status for a wrong token', async () => {
      const wrong = clientFor(api, { token: 'not-the-token' }).makeApiClient(CoreV1Api);
      const before = api.requests.length;
      await expect(wrong.listNamespacedPod({ namespace: 'kube-system' })).rejects.toMatchObject({
        code: 401,
      });
      const logged = api.requests.slice(before);
      expect(logged).toEqual([expect.objectContaining({ status: 401, authenticated: false })]);
    });
  });

  describe('identities', () => {
    it('authenticates each extra token as its user and records who asked; an unknown token is 401', async () => {
      const multi = await startFakeKubeApi({ users: { 'scanner-token': 'fleet-dns-scanner' } });
      try {
        const asScanner = clientFor(multi, { token: 'scanner-token' }).makeApiClient(CoreV1Api);
        const asRunner = clientFor(multi).makeApiClient(CoreV1Api);
        await asScanner.listNamespacedPod({ namespace: 'default' });
        await asRunner.listNamespacedPod({ namespace: 'default' });
        await expect(
          clientFor(multi, { token: 'fleet-dns-scanner' }).makeApiClient(CoreV1Api).listNamespacedPod({
            namespace: 'default',
          }),
        ).rejects.toMatchObject({ code: 401 });
        expect(multi.requests.map((r) => [r.status, r.user, r.authenticated])).toEqual([
          [200, 'fleet-dns-scanner', true],
          [200, 'system:serviceaccount:fleet-dns:fleet-dns-runner', true],
          [401, undefined, false],
        ]);
      } finally {
        await multi.stop();
      }
    });
  });

  describe('identities (faults)', () => {
    it('applies a fault with a user only to that identity’s requests', async () => {
      const multi = await startFakeKubeApi({
        users: { 'scanner-token': 'fleet-dns-scanner' },
        faults: [
          { path: '/api/v1/namespaces/default/pods', status: 503, times: 1, user: 'fleet-dns-scanner' },
        ],
      });
      try {
        const asRunner = clientFor(multi).makeApiClient(CoreV1Api);
        const asScanner = clientFor(multi, { token: 'scanner-token' }).makeApiClient(CoreV1Api);
        await asRunner.listNamespacedPod({ namespace: 'default' }); // not the fault's user: served, fault kept
        await expect(asScanner.listNamespacedPod({ namespace: 'default' })).rejects.toMatchObject({
          code: 503,
        });
        await asScanner.listNamespacedPod({ namespace: 'default' }); // times: 1, used up
        expect(multi.requests.map((r) => r.status)).toEqual([200, 503, 200]);
      } finally {
        await multi.stop();
      }
    });
  });

  describe('reads', () => {
    it('lists the kube-dns EndpointSlices by the service-name label, without kind on items', async () => {
      const discovery = kc.makeApiClient(DiscoveryV1Api);
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: 'kube-system',
        labelSelector: 'kubernetes.io/service-name=kube-dns',
      });
      expect(slices.items).toHaveLength(1);
      expect(slices.items[0]?.endpoints.map((e) => e.addresses[0])).toEqual(['198.18.2.20', '198.18.3.20']);
      expect(slices.items[0]?.endpoints[0]?.conditions?.ready).toBe(true);
      expect(slices.metadata?.resourceVersion).toMatch(/^\d+$/);
    });

    it.each([
      ['k8s-app=kube-dns', ['coredns-787cb67946-7rtq2', 'coredns-787cb67946-xk9wd']],
      [
        'k8s-app==kube-proxy,pod-template-generation=1',
        ['kube-proxy-4xq2m', 'kube-proxy-9bz7k', 'kube-proxy-pl3vd'],
      ],
      [
        'k8s-app in (kube-dns),eks.amazonaws.com/component',
        ['coredns-787cb67946-7rtq2', 'coredns-787cb67946-xk9wd'],
      ],
      [
        'k8s-app notin (kube-dns),!pod-template-hash',
        ['kube-proxy-4xq2m', 'kube-proxy-9bz7k', 'kube-proxy-pl3vd'],
      ],
      ['k8s-app!=kube-proxy', ['coredns-787cb67946-7rtq2', 'coredns-787cb67946-xk9wd']],
      ['k8s-app=nothing', []],
    ])('labelSelector %s selects %j', async (labelSelector, names) => {
      const pods = await core.listNamespacedPod({ namespace: 'kube-system', labelSelector });
      expect(pods.items.map((p) => p.metadata?.name)).toEqual(names);
    });

    it('filters by fieldSelector spec.nodeName and status.phase, across namespaces', async () => {
      const pods = await core.listPodForAllNamespaces({
        fieldSelector: 'spec.nodeName=ip-198-18-2-10.eu-west-1.compute.internal,status.phase=Running',
      });
      expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual([
        'coredns-787cb67946-7rtq2',
        'kube-proxy-9bz7k',
      ]);
      const byName = await core.listNamespacedService({
        namespace: 'kube-system',
        fieldSelector: 'metadata.name=kube-dns',
      });
      expect(byName.items.map((s) => s.spec?.clusterIP)).toEqual(['198.19.0.10']);
    });

    it('rejects an unsupported field selector and a malformed label selector with 400 BadRequest', async () => {
      const field = await failure(
        core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: 'spec.foo=bar' }),
      );
      expect(field).toMatchObject({
        code: 400,
        body: { kind: 'Status', status: 'Failure', reason: 'BadRequest' },
      });
      const label = await failure(
        core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'a in (b' }),
      );
      expect(label.code).toBe(400);
    });

    it('answers a missing object with a 404 NotFound Status naming it', async () => {
      const { code, body } = await failure(
        core.readNamespacedService({ name: 'nope', namespace: 'kube-system' }),
      );
      expect(code).toBe(404);
      expect(body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'services "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: '', kind: 'services' },
        code: 404,
      });
    });

    it('serves nodes, the kube-proxy DaemonSet and config, the CoreDNS Deployment and PDB', async () => {
      const nodes = await core.listNode();
      expect(nodes.items.map((n) => n.spec?.providerID)).toEqual([
        'aws:///eu-west-1a/i-0a1b2c3d4e5f60001',
        'aws:///eu-west-1a/i-0a1b2c3d4e5f60002',
        'aws:///eu-west-1b/i-0a1b2c3d4e5f60003',
      ]);
      const apps = kc.makeApiClient(AppsV1Api);
      const ds = await apps.readNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' });
      expect(ds.status?.numberReady).toBe(3);
      const cm = await core.readNamespacedConfigMap({ name: 'kube-proxy-config', namespace: 'kube-system' });
      expect(cm.data?.config).toMatch(/mode: "iptables"/);
      const deploy = await apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
      expect(deploy.spec?.template.spec?.tolerations?.map((t) => t.key)).toContain('CriticalAddonsOnly');
      const pdbs = await kc
        .makeApiClient(PolicyV1Api)
        .listNamespacedPodDisruptionBudget({ namespace: 'kube-system' });
      expect(pdbs.items.map((p) => p.spec?.maxUnavailable)).toEqual([1]);
    });

    it('serves PodMetrics (metrics.k8s.io/v1beta1, read-only as the aggregated API is) and autoscaling/v2 HPAs', async () => {
      const custom = kc.makeApiClient(CustomObjectsApi);
      const list = (await custom.listNamespacedCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        namespace: 'kube-system',
        plural: 'pods',
        labelSelector: 'k8s-app=kube-dns',
      })) as {
        kind: string;
        items: { metadata: { name: string }; containers: { usage: Record<string, string> }[] }[];
      };
      expect(list.kind).toBe('PodMetricsList');
      expect(list.items.map((m) => [m.metadata.name, m.containers[0]?.usage.memory])).toEqual([
        ['coredns-787cb67946-7rtq2', '21344Ki'],
        ['coredns-787cb67946-xk9wd', '20116Ki'],
      ]);
      // the pod of the same name is still the core/v1 Pod
      const pod = await core.readNamespacedPod({
        name: 'coredns-787cb67946-7rtq2',
        namespace: 'kube-system',
      });
      expect(pod.kind).toBe('Pod');
      const write = await failure(
        custom.createNamespacedCustomObject({
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          namespace: 'kube-system',
          plural: 'pods',
          body: { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: 'x' } },
        }),
      );
      expect(write.code).toBe(405);

      const autoscaling = kc.makeApiClient(AutoscalingV2Api);
      await autoscaling.createNamespacedHorizontalPodAutoscaler({
        namespace: 'kube-system',
        body: {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'coredns' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns' },
            maxReplicas: 10,
          },
        },
      });
      const hpas = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: 'kube-system' });
      expect(hpas.items.map((h) => h.spec?.scaleTargetRef.name)).toEqual(['coredns']);
      await autoscaling.deleteNamespacedHorizontalPodAutoscaler({
        name: 'coredns',
        namespace: 'kube-system',
      });
    });

    it('pages a list with limit and continue', async () => {
      const first = await core.listNamespacedPod({ namespace: 'kube-system', limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.metadata?.remainingItemCount).toBe(3);
      const rest = await core.listNamespacedPod({
        namespace: 'kube-system',
        limit: 10,
        _continue: first.metadata?._continue,
      });
      expect(rest.items).toHaveLength(3);
      expect(rest.metadata?._continue).toBeUndefined();
    });

    it('serves discovery well enough for KubernetesObjectApi to read an object generically', async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const slice = await objects.read({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'kube-dns-7fjxk', namespace: 'kube-system' },
      });
      expect(slice.metadata?.uid).toBe('5d7c1a20-0007-4c3e-9a51-000000000007');
      const version = await new Promise<string>((resolve, reject) => {
        httpsGet(`${api.url}/version`, { ca: api.caPem }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(version)).toMatchObject({ major: '1', minor: '33+' });
    });
  });

  describe('networking.k8s.io/v1 NetworkPolicies', () => {
    it('creates, gets, lists (namespaced and all namespaces), watches and deletes them, with discovery', async () => {
      const net = kc.makeApiClient(NetworkingV1Api);
      const body: V1NetworkPolicy = {
        metadata: { name: 'default-deny-egress', labels: { team: 'shop' } },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
        },
      };
      const created = await net.createNamespacedNetworkPolicy({ namespace: 'default', body });
      expect(created).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
      expect(created.metadata?.uid).toBeTruthy();
      const got = await net.readNamespacedNetworkPolicy({
        name: 'default-deny-egress',
        namespace: 'default',
      });
      expect(got.spec?.egress?.[0]?.ports).toEqual([{ protocol: 'UDP', port: 53 }]);
      const all = await net.listNetworkPolicyForAllNamespaces({ labelSelector: 'team=shop' });
      expect(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual([
        'default/default-deny-egress',
      ]);
      expect((await net.listNamespacedNetworkPolicy({ namespace: 'kube-system' })).items).toEqual([]);
      expect(api.requests.map((r) => r.path)).toEqual(
        expect.arrayContaining([
          '/apis/networking.k8s.io/v1/networkpolicies',
          '/apis/networking.k8s.io/v1/namespaces/kube-system/networkpolicies',
        ]),
      );

      const events: string[] = [];
      const done = new Promise<void>((resolve) => {
        void new Watch(kc)
          .watch(
            '/apis/networking.k8s.io/v1/networkpolicies',
            {},
            (type, obj: V1NetworkPolicy) => {
              events.push(`${type} ${obj.metadata?.name}`);
              if (type === 'DELETED') resolve();
            },
            () => resolve(),
          )
          .then((controller) => done.then(() => controller.abort()));
      });
      await waitFor(() =>
        api.requests.some(
          (r) => r.path === '/apis/networking.k8s.io/v1/networkpolicies' && r.query.watch === 'true',
        ),
      );
      await net.deleteNamespacedNetworkPolicy({ name: 'default-deny-egress', namespace: 'default' });
      await done;
      expect(events).toEqual(['ADDED default-deny-egress', 'DELETED default-deny-egress']);

      const resources = await new Promise<string>((resolve, reject) => {
        httpsGet(
          `${api.url}/apis/networking.k8s.io/v1`,
          { ca: api.caPem, headers: { authorization: `Bearer ${api.token}` } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          },
        ).on('error', reject);
      });
      expect(JSON.parse(resources)).toMatchObject({
        kind: 'APIResourceList',
        groupVersion: 'networking.k8s.io/v1',
        resources: [
          expect.objectContaining({ name: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true }),
        ],
      });
    });
  });

  describe('pod logs', () => {
    it('returns the last tailLines lines', async () => {
      const log = await core.readNamespacedPodLog({
        name: 'kube-proxy-4xq2m',
        namespace: 'kube-system',
        tailLines: 2,
      });
      expect(log.split('\n').filter(Boolean)).toHaveLength(2);
      expect(log).toMatch(/^E0302 .*forbidden\n/);
    });

    it('honours sinceSeconds with the lines’ own timestamps', async () => {
      const log = await core.readNamespacedPodLog({
        name: 'kube-proxy-4xq2m',
        namespace: 'kube-system',
        sinceSeconds: 60,
      });
      expect(log).toBe(
        'I0302 08:00:00.000000       1 proxier.go:1000] "Syncing iptables rules" (written now)\n',
      );
    });

    it('adds timestamps on request and rejects an unknown container with 400', async () => {
      const log = await core.readNamespacedPodLog({
        name: 'kube-proxy-4xq2m',
        namespace: 'kube-system',
        timestamps: true,
        tailLines: 3,
      });
      expect(log.split('\n')[0]).toMatch(/^2025-03-02T07:00:00\.\d+Z I0302/);
      const bad = await failure(
        core.readNamespacedPodLog({ name: 'kube-proxy-4xq2m', namespace: 'kube-system', container: 'nope' }),
      );
      expect(bad).toMatchObject({
        code: 400,
        body: { reason: 'BadRequest', message: 'container nope is not valid for pod kube-proxy-4xq2m' },
      });
    });

    it('answers a log read for a missing pod with 404', async () => {
      const missing = await failure(core.readNamespacedPodLog({ name: 'gone', namespace: 'kube-system' }));
      expect(missing.code).toBe(404);
    });
  });

  describe('injected faults', () => {
    it('answers 403 Forbidden with the message the API server would write', async () => {
      api.addFault({ path: '^/api/v1/namespaces/kube-system/pods$', method: 'GET', status: 403 });
      const { code, body } = await failure(core.listNamespacedPod({ namespace: 'kube-system' }));
      expect(code).toBe(403);
      expect(body).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods is forbidden: User "system:serviceaccount:fleet-dns:fleet-dns-runner" cannot list resource "pods" in API group "" in the namespace "kube-system"',
      });
      // other paths are untouched
      await expect(core.listNamespacedService({ namespace: 'kube-system' })).resolves.toBeDefined();
    });

    it('answers 500 only for the first `times` requests', async () => {
      api.addFault({ path: /\/configmaps\/coredns$/, status: 500, times: 1 });
      expect(
        (await failure(core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' }))).code,
      ).toBe(500);
      const cm = await core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' });
      expect(cm.data?.Corefile).toMatch(/forward \. \/etc\/resolv\.conf/);
    });

    it('answers an injected 429 with Retry-After (default 1 s) and retryAfterSeconds, as priority and fairness does', async () => {
      api.addFault({ path: '^/api/v1/namespaces/kube-system/configmaps$', status: 429 });
      const answer = await getOverTls(api, '/api/v1/namespaces/kube-system/configmaps');
      expect(answer).toMatchObject({
        status: 429,
        retryAfter: '1',
        body: {
          kind: 'Status',
          reason: 'TooManyRequests',
          code: 429,
          message: 'Too many requests, please try again later.',
          details: { retryAfterSeconds: 1 },
        },
      });
    });

    it('throttles a burst (429 for the first N requests) and then serves, so a retrying client recovers', async () => {
      const path = '/api/v1/namespaces/kube-system/configmaps/coredns';
      api.addFault({ path: `^${path}$`, status: 429, times: 2, retryAfterSeconds: 0 });
      const answers: { status: number; retryAfter?: string }[] = [];
      let answer = await getOverTls(api, path);
      // A client that honours Retry-After and retries until served (bounded).
      while (answer.status === 429 && answers.length < 5) {
        answers.push({
          status: answer.status,
          ...(answer.retryAfter ? { retryAfter: answer.retryAfter } : {}),
        });
        await new Promise((r) => setTimeout(r, Number(answer.retryAfter) * 1000));
        answer = await getOverTls(api, path);
      }
      expect(answers).toEqual([
        { status: 429, retryAfter: '0' },
        { status: 429, retryAfter: '0' },
      ]);
      expect(answer.status).toBe(200);
      expect(answer.retryAfter).toBeUndefined();
      expect(answer.body).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'coredns' } });
    });

    it('delays a matching request: a later request to another path is answered first', async () => {
      api.addFault({ path: '/endpointslices', delayMs: 2000 });
      const answered: string[] = [];
      const delayed = kc
        .makeApiClient(DiscoveryV1Api)
        .listNamespacedEndpointSlice({ namespace: 'kube-system' })
        .then(() => answered.push('endpointslices'));
      await core.listNamespacedService({ namespace: 'kube-system' }).then(() => answered.push('services'));
      await delayed;
      expect(answered).toEqual(['services', 'endpointslices']);
    });

    it('reports a 403-faulted request as not allowed in a SelfSubjectAccessReview', async () => {
      api.addFault({ path: '^/api/v1/namespaces/kube-system/pods/[^/]+/log$', status: 403 });
      const res = await fetchJson(api, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'POST', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            namespace: 'kube-system',
            verb: 'get',
            resource: 'pods',
            subresource: 'log',
            name: 'x',
          },
        },
      });
      expect(res).toMatchObject({ status: { allowed: false } });
    });
  });

  describe('writes and watch', () => {
    it('watches pods: initial ADDED, then ADDED/MODIFIED/DELETED as JSON lines, selector applied', async () => {
      const events: string[] = [];
      const watch = new Watch(kc);
      const done = new Promise<void>((resolve) => {
        void watch
          .watch(
            '/api/v1/namespaces/kube-system/pods',
            { labelSelector: 'app=watched' },
            (type, obj: V1Pod) => {
              events.push(`${type} ${obj.metadata?.name} ${obj.status?.phase ?? ''}`);
              if (type === 'DELETED') resolve();
            },
            () => resolve(),
          )
          .then((controller) => done.then(() => controller.abort()));
      });
      await waitFor(() => api.requests.some((r) => r.query.watch === 'true' && r.status === 200));
      const pod = {
        metadata: { name: 'w1', labels: { app: 'watched' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      };
      await core.createNamespacedPod({ namespace: 'kube-system', body: pod });
      api.updateStatus(
        { apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system', name: 'w1' },
        { phase: 'Running' },
      );
      await core.createNamespacedPod({
        namespace: 'kube-system',
        body: { ...pod, metadata: { name: 'other' } },
      });
      await core.deleteNamespacedPod({ name: 'w1', namespace: 'kube-system' });
      await done;
      expect(events).toEqual(['ADDED w1 Pending', 'MODIFIED w1 Running', 'DELETED w1 Running']);
      await core.deleteNamespacedPod({ name: 'other', namespace: 'kube-system' });
    });

    it('replays changes after a resourceVersion, and answers an expired one with 410', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'after-list' }, data: { a: '1' } },
      });
      const lines = await readWatchLines(
        api,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata?.resourceVersion}&timeoutSeconds=1`,
      );
      expect(lines.map((l) => `${l.type} ${(l.object as KubeObject).metadata.name}`)).toEqual([
        'ADDED after-list',
      ]);
      const expired = await readWatchLines(
        api,
        '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1',
      );
      expect(expired).toEqual([
        { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
      ]);
    });

    it('creates a Job, runs the onJobCreated hook, and deletes the Job with its pods', async () => {
      const hooked = await startFakeKubeApi({
        objects: loadKubeObjects(FIXTURES),
        onJobCreated: (job, fake) => {
          const ns = job.metadata.namespace ?? '';
          const podName = `${job.metadata.name}-abcde`;
          fake.apply({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: podName,
              namespace: ns,
              labels: { 'job-name': job.metadata.name ?? '' },
              ownerReferences: [
                {
                  apiVersion: 'batch/v1',
                  kind: 'Job',
                  name: job.metadata.name ?? '',
                  uid: job.metadata.uid ?? '',
                  controller: true,
                },
              ],
            },
            spec: { containers: [{ name: 'runner', image: 'fleet-dns-runner' }] },
            status: { phase: 'Succeeded' },
          });
          fake.setPodLog(`${ns}/${podName}`, 'FLEETDNS-RESULT 1/1 abc\n');
          fake.updateStatus(
            { apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name: job.metadata.name ?? '' },
            { succeeded: 1 },
          );
        },
      });
      try {
        const hkc = clientFor(hooked);
        const hcore = hkc.makeApiClient(CoreV1Api);
        const batch = hkc.makeApiClient(BatchV1Api);
        await hcore.createNamespace({ body: { metadata: { name: 'fleet-dns' } } });
        const job: V1Job = {
          metadata: { name: 'fleet-dns-probe-s1', labels: { 'app.kubernetes.io/managed-by': 'fleet-dns' } },
          spec: {
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'runner', image: 'fleet-dns-runner' }] },
            },
          },
        };
        const created = await batch.createNamespacedJob({ namespace: 'fleet-dns', body: job });
        expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
        const conflict = await failure(batch.createNamespacedJob({ namespace: 'fleet-dns', body: job }));
        expect(conflict).toMatchObject({
          code: 409,
          body: { reason: 'AlreadyExists', message: 'jobs.batch "fleet-dns-probe-s1" already exists' },
        });

        await waitFor(
          async () =>
            (await batch.readNamespacedJob({ name: 'fleet-dns-probe-s1', namespace: 'fleet-dns' })).status
              ?.succeeded === 1,
        );
        const pods = await hcore.listNamespacedPod({
          namespace: 'fleet-dns',
          labelSelector: 'job-name=fleet-dns-probe-s1',
        });
        expect(pods.items.map((p) => p.metadata?.ownerReferences?.[0]?.uid)).toEqual([created.metadata?.uid]);
        const log = await hcore.readNamespacedPodLog({
          name: 'fleet-dns-probe-s1-abcde',
          namespace: 'fleet-dns',
          tailLines: 10,
        });
        expect(log).toBe('FLEETDNS-RESULT 1/1 abc\n');

        const deleted = await batch.deleteNamespacedJob({
          name: 'fleet-dns-probe-s1',
          namespace: 'fleet-dns',
          propagationPolicy: 'Background',
        });
        expect(deleted).toMatchObject({ status: 'Success' });
        expect((await hcore.listNamespacedPod({ namespace: 'fleet-dns' })).items).toEqual([]);
        expect(hooked.hookErrors).toEqual([]);
      } finally {
        await hooked.stop();
      }
    });

    it('creates and reads back secrets (stringData folded into data), RBAC and service accounts', async () => {
      await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: 'scan-key' }, stringData: { key: 'k1' } },
      });
      const secret = await core.readNamespacedSecret({ name: 'scan-key', namespace: 'default' });
      expect(secret.data).toEqual({ key: Buffer.from('k1').toString('base64') });
      expect(secret.type).toBe('Opaque');
      const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createClusterRole({
        body: {
          metadata: { name: 'fleet-dns-reader' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
        },
      });
      await rbac.createClusterRoleBinding({
        body: {
          metadata: { name: 'fleet-dns-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleet-dns-reader' },
          subjects: [{ kind: 'Group', name: 'fleet-dns-scanner', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      });
      expect((await rbac.listClusterRoleBinding()).items.map((b) => b.metadata?.name)).toEqual([
        'fleet-dns-reader',
      ]);
      await core.createNamespacedServiceAccount({
        namespace: 'default',
        body: { metadata: { name: 'runner' } },
      });
      await core.deleteNamespacedServiceAccount({ name: 'runner', namespace: 'default' });
      expect(
        (await failure(core.readNamespacedServiceAccount({ name: 'runner', namespace: 'default' }))).code,
      ).toBe(404);
    });

    it('refuses to create in a namespace that does not exist, and deletes a namespace with its objects', async () => {
      const missing = await failure(
        core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
      );
      expect(missing).toMatchObject({ code: 404, body: { message: 'namespaces "nowhere" not found' } });
      await core.createNamespace({ body: { metadata: { name: 'temp' } } });
      await core.createNamespacedConfigMap({ namespace: 'temp', body: { metadata: { name: 'x' } } });
      await core.deleteNamespace({ name: 'temp' });
      expect(
        (await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=temp' })).items,
      ).toEqual([]);
    });

    it('patches with the client’s default JSON patch and rejects a stale resourceVersion with 409', async () => {
      const cm = await core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' });
      const patched = await core.patchNamespacedConfigMap({
        name: 'coredns',
        namespace: 'kube-system',
        body: [{ op: 'add', path: '/metadata/annotations', value: { touched: 'yes' } }],
      });
      expect(patched.metadata?.annotations).toEqual({ touched: 'yes' });
      const stale = await failure(
        core.replaceNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system', body: cm }),
      );
      expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    });
  });
});

describe('lab/fake-kube-api/main.ts as a standalone process', () => {
  it('serves the objects given, writes a kubeconfig clients can use, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-kube-api-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'lab/fake-kube-api/main.ts',
        '--objects',
        FIXTURES,
        '--token',
        't0k3n',
        '--write-kubeconfig',
        kubeconfig,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface(child.stdout).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(JSON.parse(first)).toMatchObject({
        url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
        token: 't0k3n',
      });
      const kc = new KubeConfig();
      kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
      const svc = await kc
        .makeApiClient(CoreV1Api)
        .readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
      expect(svc.spec?.clusterIP).toBe('198.19.0.10');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 naming the file when an objects file is not Kubernetes objects', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-kube-api-'));
    const bad = path.join(dir, 'bad.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'lab/fake-kube-api/main.ts', '--objects', bad],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml \(document 1\) \(ConfigMap\): metadata\.name is required/);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function fetchJson(
  api: FakeKubeApi,
  urlPath: string,
  method: string,
  body?: unknown,
): Promise<unknown> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${urlPath}`,
      {
        method,
        ca: api.caPem,
        headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A GET over verified TLS: the status, the Retry-After header and the parsed body. */
async function getOverTls(
  api: FakeKubeApi,
  urlPath: string,
): Promise<{ status: number; retryAfter?: string; body: unknown }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${urlPath}`,
      { ca: api.caPem, headers: { Authorization: `Bearer ${api.token}` } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            ...(retryAfter === undefined ? {} : { retryAfter }),
            body: JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Reads a watch until the server closes it (timeoutSeconds), returning the parsed lines. */
async function readWatchLines(
  api: FakeKubeApi,
  urlPath: string,
): Promise<{ type: string; object: unknown }[]> {
  return new Promise((resolve, reject) => {
    httpsGet(
      `${api.url}${urlPath}`,
      { ca: api.caPem, headers: { Authorization: `Bearer ${api.token}` } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve(
            text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as { type: string; object: unknown }),
          ),
        );
      },
    ).on('error', reject);
  });
}
