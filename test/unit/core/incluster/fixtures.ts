/**
 * The EKS-shaped objects of test/fixtures/kube, picked by kind and name, cloned per call so a
 * test can break one without touching the others.
 */
import { fileURLToPath } from 'node:url';
import { loadKubeObjects } from '../../../../lab/fixtures.js';
import type { KubeObject } from '../../../../lab/fake-kube-api/index.js';
import type { ApiFailure, ApiRead } from '../../../../lambdas/core/incluster/index.js';

const dir = fileURLToPath(new URL('../../../fixtures/kube', import.meta.url));
const all: readonly KubeObject[] = loadKubeObjects(dir);

export function objects(kind: string, filter: (o: KubeObject) => boolean = () => true): KubeObject[] {
  return structuredClone(all.filter((o) => o.kind === kind && filter(o)));
}

export function object(kind: string, name: string): KubeObject {
  const found = objects(kind, (o) => o.metadata.name === name)[0];
  if (!found) throw new Error(`fixture ${kind}/${name} not found`);
  return found;
}

export const ok = <T>(value: T): ApiRead<T> => ({ ok: true, value });
export const fail = (
  status: number,
  verb = 'get',
  resource = 'pods',
  namespace = 'kube-system',
): ApiRead<never> => ({
  ok: false,
  failure: { status, message: `status ${status}`, verb, resource, namespace } satisfies ApiFailure,
});

export const corednsPods = (): KubeObject[] =>
  objects(
    'Pod',
    (o) => o.metadata.namespace === 'kube-system' && o.metadata.labels?.['k8s-app'] === 'kube-dns',
  );
export const kubeProxyPods = (): KubeObject[] =>
  objects(
    'Pod',
    (o) => o.metadata.namespace === 'kube-system' && o.metadata.labels?.['k8s-app'] === 'kube-proxy',
  );
