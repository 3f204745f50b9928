/**
 * Where CoreDNS runs, for the dispatch: the pods behind kube-dns (label `k8s-app=kube-dns` in
 * kube-system, as the EKS add-on and kubeadm label them), each with its node and tolerations —
 * a node agent goes to every node that hosts one, tolerating what CoreDNS tolerates.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import type { CoreDnsPodPlacement } from '../dispatch/dispatch-runner.js';
import { toKubeAccessError } from '../errors.js';
import { COREDNS_POD_SELECTOR, KUBE_SYSTEM_NAMESPACE } from '../../core/incluster/kube-dns-names.js';

/**
 * The CoreDNS pods and their placement; pods being deleted are left out (their node agent would
 * watch a pod that is going away). A 401/403/timeout is a KubeAccessError naming `list pods`.
 */
export async function readCoreDnsPlacement(input: {
  readonly apis: RunnerApis | KubeConfig;
}): Promise<CoreDnsPodPlacement[]> {
  const apis = runnerApis(input.apis);
  const list = await apis.core
    .listNamespacedPod({ namespace: KUBE_SYSTEM_NAMESPACE, labelSelector: COREDNS_POD_SELECTOR })
    .catch((err: unknown) =>
      Promise.reject(toKubeAccessError(`list pods in namespace ${KUBE_SYSTEM_NAMESPACE}`, err) ?? err),
    );
  return list.items
    .filter((p) => p.metadata?.deletionTimestamp === undefined)
    .map((p) => ({
      name: p.metadata?.name ?? '',
      ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      ...(p.spec?.tolerations ? { tolerations: p.spec.tolerations } : {}),
    }))
    .filter((p) => p.name !== '');
}
