/**
 * applyOnboarding against the fake Kubernetes API (TLS, real REST paths) through a kubeconfig,
 * as `fleet-dns onboard` runs it: created, then unchanged with no write at all, drift configured
 * back, a binding with another roleRef re-created, a 403 naming verb and resource.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, FaultRule, KubeObject } from '../../../../lab/fake-kube-api/index.js';
import {
  applyOnboarding,
  buildOnboardingManifests,
  DISPATCHER_ROLE,
  KubeAccessError,
  READER_CLUSTER_ROLE,
  RUNNER_ROLE,
} from '../../../../lambdas/kube/index.js';
import { recordingClock } from '../../../support/recording-clock.js';

const NS = 'fleet-dns';
const manifests = buildOnboardingManifests();
const RBAC = 'rbac.authorization.k8s.io';

const ALL_REFS = [
  'namespace/fleet-dns',
  'serviceaccount/fleet-dns-runner',
  `clusterrole.${RBAC}/fleet-dns-reader`,
  `clusterrolebinding.${RBAC}/fleet-dns-reader`,
  `role.${RBAC}/fleet-dns-dispatcher`,
  `rolebinding.${RBAC}/fleet-dns-dispatcher`,
  `role.${RBAC}/fleet-dns-runner`,
  `rolebinding.${RBAC}/fleet-dns-runner`,
];

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function start(options: { objects?: KubeObject[]; faults?: FaultRule[] } = {}) {
  api = await startFakeKubeApi({ objects: options.objects ?? [], faults: options.faults ?? [] });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(api.kubeconfig());
  const clock = recordingClock();
  const apply = () =>
    applyOnboarding({ kubeConfig, objects: manifests.all, retry: { clock } }).then((r) =>
      r.objects.map((o) => `${o.ref} ${o.action}`),
    );
  return { api, apply, clock };
}

const writes = (fake: FakeKubeApi, from: number) =>
  fake.requests
    .slice(from)
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);

const stored = (fake: FakeKubeApi, apiVersion: string, kind: string, name: string, namespace?: string) =>
  fake.store.get({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) });

describe('applyOnboarding', () => {
  it('creates every object in order, then a second run reports all unchanged and writes nothing', async () => {
    const { api: fake, apply } = await start();
    expect(await apply()).toEqual(ALL_REFS.map((r) => `${r} created`));
    // the namespace was created before anything in it
    const posts = fake.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    expect(posts[0]).toBe('/api/v1/namespaces');
    expect(posts).toHaveLength(8);
    for (const object of manifests.all) {
      const there = stored(
        fake,
        object.apiVersion ?? '',
        object.kind ?? '',
        object.metadata?.name ?? '',
        object.metadata?.namespace,
      );
      expect(there).toMatchObject(object);
    }

    const mark = fake.requests.length;
    expect(await apply()).toEqual(ALL_REFS.map((r) => `${r} unchanged`));
    expect(writes(fake, mark)).toEqual([]);
    expect(fake.requests.slice(mark)).toHaveLength(8);
  });

  it('configures a drifted ClusterRole back (a verb removed, a rule narrowed), keeping what is not ours', async () => {
    const { api: fake, apply } = await start();
    await apply();
    const role = stored(fake, `${RBAC}/v1`, 'ClusterRole', READER_CLUSTER_ROLE) as KubeObject & {
      rules: { verbs: string[] }[];
    };
    role.rules[0] = { ...role.rules[0], verbs: ['get'] } as { verbs: string[] };
    fake.apply({
      ...role,
      metadata: { ...role.metadata, labels: { ...role.metadata.labels, team: 'platform' } },
    });

    const mark = fake.requests.length;
    const second = await apply();
    expect(second).toContain(`clusterrole.${RBAC}/fleet-dns-reader configured`);
    expect(second.filter((l) => l.endsWith(' unchanged'))).toHaveLength(7);
    expect(writes(fake, mark)).toEqual([`PUT /apis/${RBAC}/v1/clusterroles/${READER_CLUSTER_ROLE}`]);
    const back = stored(fake, `${RBAC}/v1`, 'ClusterRole', READER_CLUSTER_ROLE);
    expect(back?.rules).toEqual(manifests.readerClusterRole.rules);
    expect(back?.metadata.labels).toEqual({
      ...manifests.readerClusterRole.metadata?.labels,
      team: 'platform',
    });

    // a rule narrowed with resourceNames is a difference too: the rules are ours, exactly
    const now = stored(fake, `${RBAC}/v1`, 'ClusterRole', READER_CLUSTER_ROLE) as KubeObject & {
      rules: Record<string, unknown>[];
    };
    fake.apply({ ...now, rules: [{ ...now.rules[0], resourceNames: ['kube-dns'] }, ...now.rules.slice(1)] });
    const third = await applyOnboarding({
      kubeConfig: kubeConfigOf(fake),
      objects: [manifests.readerClusterRole],
    });
    expect(third.objects).toEqual([
      expect.objectContaining({ action: 'configured', difference: 'rules[0].resourceNames' }),
    ]);
    expect(stored(fake, `${RBAC}/v1`, 'ClusterRole', READER_CLUSTER_ROLE)?.rules).toEqual(
      manifests.readerClusterRole.rules,
    );
  });

  it('configures a namespace whose Pod Security label was changed, and a ServiceAccount that automounts', async () => {
    const { api: fake, apply } = await start();
    await apply();
    const ns = stored(fake, 'v1', 'Namespace', NS) as KubeObject;
    fake.apply({
      ...ns,
      metadata: {
        ...ns.metadata,
        labels: { ...ns.metadata.labels, 'pod-security.kubernetes.io/enforce': 'baseline' },
      },
    });
    const sa = stored(fake, 'v1', 'ServiceAccount', 'fleet-dns-runner', NS) as KubeObject;
    fake.apply({ ...sa, automountServiceAccountToken: true });

    const result = await applyOnboarding({ kubeConfig: kubeConfigOf(fake), objects: manifests.all });
    expect(result.objects.slice(0, 2)).toEqual([
      expect.objectContaining({
        ref: 'namespace/fleet-dns',
        action: 'configured',
        difference: 'metadata.labels.pod-security.kubernetes.io/enforce',
      }),
      expect.objectContaining({
        ref: 'serviceaccount/fleet-dns-runner',
        action: 'configured',
        difference: 'automountServiceAccountToken',
      }),
    ]);
    expect(stored(fake, 'v1', 'Namespace', NS)?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
    });
    expect(stored(fake, 'v1', 'ServiceAccount', 'fleet-dns-runner', NS)?.automountServiceAccountToken).toBe(
      false,
    );
  });

  it('re-creates a RoleBinding whose roleRef differs (roleRef is immutable)', async () => {
    const other: KubeObject = {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: DISPATCHER_ROLE, namespace: NS },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'someone-else' }],
    };
    const { api: fake, apply } = await start({ objects: [other] });
    const before = stored(fake, `${RBAC}/v1`, 'RoleBinding', DISPATCHER_ROLE, NS)?.metadata.uid;

    const lines = await apply();
    expect(lines).toContain(`rolebinding.${RBAC}/fleet-dns-dispatcher configured`);
    const path = `/apis/${RBAC}/v1/namespaces/${NS}/rolebindings`;
    expect(writes(fake, 0).filter((w) => w.includes('/rolebindings'))).toEqual([
      `DELETE ${path}/${DISPATCHER_ROLE}`,
      `POST ${path}`,
      `POST ${path}`, // the runner's binding, created
    ]);
    const after = stored(fake, `${RBAC}/v1`, 'RoleBinding', DISPATCHER_ROLE, NS);
    expect(after?.metadata.uid).not.toBe(before);
    expect(after).toMatchObject(manifests.dispatcherBinding);
  });

  it('replaces a binding whose subjects differ in place (same roleRef), keeping its resourceVersion check', async () => {
    const { api: fake, apply } = await start();
    await apply();
    const binding = stored(fake, `${RBAC}/v1`, 'RoleBinding', RUNNER_ROLE, NS) as KubeObject;
    fake.apply({ ...binding, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }] });
    const mark = fake.requests.length;
    await apply();
    const puts = fake.requests.slice(mark).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual([
      `/apis/${RBAC}/v1/namespaces/${NS}/rolebindings/${RUNNER_ROLE}`,
    ]);
    expect((puts[0]?.body as KubeObject).metadata.resourceVersion).toBeTruthy();
    expect(stored(fake, `${RBAC}/v1`, 'RoleBinding', RUNNER_ROLE, NS)?.subjects).toEqual(
      manifests.runnerBinding.subjects,
    );
  });

  it('a 403 is a KubeAccessError naming the verb and the resource; what came before stays', async () => {
    const { api: fake, apply } = await start({
      faults: [{ path: `^/apis/${RBAC}/v1/clusterroles$`, method: 'POST', status: 403 }],
    });
    const error = await apply().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAccessError);
    expect((error as KubeAccessError).failure).toBe('forbidden');
    expect((error as Error).message).toMatch(
      /^create clusterroles: HTTP 403: clusterroles is forbidden: User ".*" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope$/,
    );
    expect(stored(fake, 'v1', 'ServiceAccount', 'fleet-dns-runner', NS)).toBeDefined();
    expect(stored(fake, `${RBAC}/v1`, 'ClusterRoleBinding', READER_CLUSTER_ROLE)).toBeUndefined();
  });

  it('a 401 on the first read names it too', async () => {
    const { apply } = await start({ faults: [{ path: '^/api/v1/namespaces/fleet-dns$', status: 401 }] });
    await expect(apply()).rejects.toThrow(/^get namespaces fleet-dns: HTTP 401\b/);
  });

  it('retries a throttled write with the kube client policy', async () => {
    const {
      api: fake,
      apply,
      clock,
    } = await start({
      faults: [{ path: `^/apis/${RBAC}/v1/clusterroles$`, method: 'POST', status: 429, times: 1 }],
    });
    expect(await apply()).toEqual(ALL_REFS.map((r) => `${r} created`));
    expect(clock.sleeps).toHaveLength(1);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });
});

function kubeConfigOf(fake: FakeKubeApi): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig());
  return kc;
}
