/**
 * Finalizers and graceful deletion on the fake Kubernetes API, as the real API server does them:
 * a delete of an object with finalizers only marks it (deletionTimestamp, grace period, MODIFIED)
 * and answers it; it goes (DELETED, dependents handled) once an update leaves no finalizer.
 * Objects without finalizers still go at once.
 */
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject, ObjectRef } from '../../../../lab/fake-kube-api/index.js';

const NS = 'fleet-dns';
const FINALIZER = 'batch.kubernetes.io/job-tracking';

const pod = (
  name: string,
  over: { finalizers?: string[]; grace?: number; labels?: Record<string, string> } = {},
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: NS,
    labels: over.labels ?? { app: 'agent' },
    ...(over.finalizers ? { finalizers: over.finalizers } : {}),
  },
  spec: {
    containers: [{ name: 'c', image: 'example.invalid/runner:1' }],
    ...(over.grace !== undefined ? { terminationGracePeriodSeconds: over.grace } : {}),
  },
});
const podRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name });

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function started(
  objects: KubeObject[],
): Promise<{ fake: FakeKubeApi; core: CoreV1Api; kc: KubeConfig }> {
  const fake = (api = await startFakeKubeApi({ objects }));
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig());
  return { fake, core: kc.makeApiClient(CoreV1Api), kc };
}

describe('delete of an object with finalizers', () => {
  it('marks it terminating with the pod’s grace period, answers it (200), and a second delete changes nothing', async () => {
    const { fake, core } = await started([pod('agent', { finalizers: [FINALIZER], grace: 30 })]);

    const answered = await core.deleteNamespacedPod({ name: 'agent', namespace: NS });

    expect(answered.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(answered.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(answered.metadata?.finalizers).toEqual([FINALIZER]);
    const kept = fake.store.get(podRef('agent'));
    expect(kept?.metadata.deletionTimestamp).toBeDefined();
    const version = kept?.metadata.resourceVersion;

    const again = await core.deleteNamespacedPod({ name: 'agent', namespace: NS, gracePeriodSeconds: 1 });

    expect(again.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(fake.store.get(podRef('agent'))?.metadata.resourceVersion).toBe(version);
  });

  it('takes the grace period from DeleteOptions (query or body), else 30 s for a pod without one', async () => {
    const { fake, core } = await started([
      pod('by-query', { finalizers: [FINALIZER], grace: 30 }),
      pod('by-body', { finalizers: [FINALIZER], grace: 30 }),
      pod('defaulted', { finalizers: [FINALIZER] }),
    ]);

    await core.deleteNamespacedPod({ name: 'by-query', namespace: NS, gracePeriodSeconds: 5 });
    await core.deleteNamespacedPod({ name: 'by-body', namespace: NS, body: { gracePeriodSeconds: 7 } });
    await core.deleteNamespacedPod({ name: 'defaulted', namespace: NS });

    expect(fake.store.get(podRef('by-query'))?.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(fake.store.get(podRef('by-body'))?.metadata.deletionGracePeriodSeconds).toBe(7);
    expect(fake.store.get(podRef('defaulted'))?.metadata.deletionGracePeriodSeconds).toBe(30);
  });

  it('removing the last finalizer removes it: a watch sees MODIFIED (terminating) then DELETED', async () => {
    const { fake, core, kc } = await started([
      pod('agent', { finalizers: [FINALIZER, 'example.com/other'] }),
    ]);
    const events: string[] = [];
    const deleted = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          `/api/v1/namespaces/${NS}/pods`,
          { resourceVersion: fake.store.resourceVersion() },
          (type, obj: V1Pod) => {
            events.push(`${type} ${obj.metadata?.deletionTimestamp ? 'terminating' : 'live'}`);
            if (type === 'DELETED') resolve();
          },
          () => resolve(),
        )
        .then((controller) => deleted.then(() => controller.abort()));
    });

    await core.deleteNamespacedPod({ name: 'agent', namespace: NS });
    fake.removeFinalizer(podRef('agent'), FINALIZER);
    expect(fake.store.get(podRef('agent'))?.metadata.finalizers).toEqual(['example.com/other']);
    fake.removeFinalizer(podRef('agent'), 'example.com/other');
    await deleted;

    expect(fake.store.get(podRef('agent'))).toBeUndefined();
    expect(events).toEqual(['MODIFIED terminating', 'MODIFIED terminating', 'DELETED terminating']);
  });

  it('a patch or an apply that empties the finalizers removes a terminating object; an update cannot clear deletionTimestamp', async () => {
    const { fake, core } = await started([
      pod('patched', { finalizers: [FINALIZER] }),
      pod('applied', { finalizers: [FINALIZER] }),
    ]);
    await core.deleteNamespacedPod({ name: 'patched', namespace: NS });
    await core.deleteNamespacedPod({ name: 'applied', namespace: NS });

    // an update that keeps the finalizer and drops deletionTimestamp: still terminating
    const current = fake.store.get(podRef('applied')) as KubeObject;
    fake.apply({
      ...current,
      metadata: { ...current.metadata, deletionTimestamp: undefined, labels: { a: 'b' } },
    });
    expect(fake.store.get(podRef('applied'))?.metadata.deletionTimestamp).toBe(
      current.metadata.deletionTimestamp,
    );

    await core.patchNamespacedPod({
      name: 'patched',
      namespace: NS,
      body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }],
    });
    fake.apply({ ...current, metadata: { ...current.metadata, finalizers: [] } });

    expect(fake.store.get(podRef('patched'))).toBeUndefined();
    expect(fake.store.get(podRef('applied'))).toBeUndefined();
  });

  it('deletecollection marks the objects with finalizers and removes the others', async () => {
    const { fake, core } = await started([
      pod('kept', { finalizers: [FINALIZER], grace: 12 }),
      pod('gone'),
      pod('untouched', { labels: { app: 'other' } }),
    ]);

    const answered = await core.deleteCollectionNamespacedPod({
      namespace: NS,
      labelSelector: 'app=agent',
    });

    expect(answered).toBeDefined();
    expect(fake.store.get(podRef('gone'))).toBeUndefined();
    expect(fake.store.get(podRef('kept'))?.metadata).toMatchObject({ deletionGracePeriodSeconds: 12 });
    expect(fake.store.get(podRef('untouched'))?.metadata.deletionTimestamp).toBeUndefined();

    fake.removeFinalizer(podRef('kept'), FINALIZER);
    expect(fake.store.get(podRef('kept'))).toBeUndefined();
  });

  it('handles the dependents when the owner really goes: a Job kept by a finalizer takes its pods only then', async () => {
    const { fake } = await started([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    const job = fake.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: NS, finalizers: ['example.com/hold'] },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    fake.apply({
      ...pod('j-abcde'),
      metadata: {
        ...pod('j-abcde').metadata,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: job.metadata.uid ?? '' }],
      },
    });
    const jobs = fake.store.resourceFor('batch/v1', 'Job');

    const marked = fake.store.delete(jobs, NS, 'j', 'Background');

    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(fake.store.get(podRef('j-abcde'))).toBeDefined();
    fake.removeFinalizer(
      { apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: 'j' },
      'example.com/hold',
    );
    expect(fake.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: 'j' })).toBeUndefined();
    expect(fake.store.get(podRef('j-abcde'))).toBeUndefined();
  });

  it('objects without finalizers go at once, as before', async () => {
    const { fake, core } = await started([pod('plain', { grace: 30 })]);
    await core.deleteNamespacedPod({ name: 'plain', namespace: NS });
    expect(fake.store.get(podRef('plain'))).toBeUndefined();
  });
});
