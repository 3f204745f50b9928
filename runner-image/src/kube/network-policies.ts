/**
 * K8S-NETWORKPOLICY-DNS's reads (checks.md § C): every NetworkPolicy (cluster-wide, paged), the
 * pods of the namespaces where one restricts egress (only those: a cluster without egress
 * policies costs one list), the CoreDNS pods' Namespace (its labels decide namespaceSelectors),
 * and NodeLocal DNSCache's address from its Corefile; the verdict is the pure evaluator's.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  NODELOCAL_NAME,
  evaluateNetworkPolicies,
  nodeLocalBindAddress,
  policyRestrictsEgress,
} from '../../../lambdas/core/incluster/index.js';
import type {
  KubeConfigMap,
  KubeNamespace,
  KubeNetworkPolicy,
  KubePod,
  KubeService,
  KubeWorkload,
} from '../../../lambdas/core/incluster/index.js';
import { withApiRetries } from '../../../lambdas/core/retry/index.js';
import type { CheckResult } from '../../../lambdas/core/schema/index.js';
import { mapBounded } from './read-api.js';
import type { ReadTarget, RetriedApiRead } from './read-api.js';

export interface NetworkPolicyCheckInputs {
  readonly kubeConfig: KubeConfig;
  /** the run's API reader (timeout, retries) */
  readonly read: <T>(target: ReadTarget, call: () => Promise<T>) => Promise<RetriedApiRead<T>>;
  /** per-call client options (the timeout middleware) */
  readonly opts: Parameters<CoreV1Api['listNamespacedPod']>[1];
  /** the CoreDNS namespace */
  readonly namespace: string;
  /** already read by the other checks: CoreDNS pods, the kube-dns Service, kube-system's DaemonSets */
  readonly dnsPods: RetriedApiRead<KubePod[]>;
  readonly service: RetriedApiRead<KubeService>;
  readonly daemonSets: RetriedApiRead<KubeWorkload[]>;
  /** objects per list request (the API server pages large lists). @default 500 */
  readonly pageSize?: number;
}

interface Page<T> {
  readonly items: T[];
  readonly metadata?: { readonly _continue?: string };
}

/** Every item of a paged list (`limit` + `continue`, as client-go's pager). */
async function listAll<T>(fetch: (cont: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await fetch(cont);
    items.push(...page.items);
    cont = page.metadata?._continue || undefined;
  } while (cont !== undefined);
  return items;
}

/** Reads what K8S-NETWORKPOLICY-DNS needs and evaluates it. Never rejects for an API failure. */
export async function checkNetworkPolicies(inputs: NetworkPolicyCheckInputs): Promise<CheckResult> {
  const { read, opts, namespace: ns } = inputs;
  const limit = inputs.pageSize ?? 500;
  const core = inputs.kubeConfig.makeApiClient(CoreV1Api);
  const net = inputs.kubeConfig.makeApiClient(NetworkingV1Api);

  const policies = await read<KubeNetworkPolicy[]>(
    { verb: 'list', resource: 'networkpolicies.networking.k8s.io' },
    () =>
      listAll((cont) =>
        net.listNetworkPolicyForAllNamespaces({ limit, ...(cont && { _continue: cont }) }, opts),
      ) as Promise<KubeNetworkPolicy[]>,
  );
  const egressNamespaces = policies.ok
    ? [
        ...new Set(
          policies.value.filter(policyRestrictsEgress).map((p) => p.metadata?.namespace ?? 'default'),
        ),
      ].sort()
    : [];
  const podReads = await mapBounded(egressNamespaces, 4, (namespace) =>
    read<KubePod[]>(
      { verb: 'list', resource: 'pods', namespace },
      () =>
        listAll((cont) =>
          core.listNamespacedPod({ namespace, limit, ...(cont && { _continue: cont }) }, opts),
        ) as Promise<KubePod[]>,
    ),
  );
  const podsFailure = podReads.find((r) => !r.ok);
  const pods: RetriedApiRead<KubePod[]> =
    podsFailure ?? ({ ok: true, value: podReads.flatMap((r) => (r.ok ? r.value : [])) } as const);

  // Only read when some pod may be judged: a cluster without egress policies needs neither.
  const needed = egressNamespaces.length > 0;
  const dnsNamespace: RetriedApiRead<KubeNamespace> = needed
    ? await read<KubeNamespace>({ verb: 'get', resource: 'namespaces', name: ns }, () =>
        core.readNamespace({ name: ns }, opts),
      )
    : { ok: true, value: { metadata: { name: ns } } };
  let nodeLocalConfig: RetriedApiRead<KubeConfigMap> | undefined;
  const running =
    inputs.daemonSets.ok && inputs.daemonSets.value.some((d) => d.metadata?.name === NODELOCAL_NAME);
  if (needed && running) {
    nodeLocalConfig = await read<KubeConfigMap>(
      { verb: 'get', resource: 'configmaps', namespace: ns, name: NODELOCAL_NAME },
      () => core.readNamespacedConfigMap({ name: NODELOCAL_NAME, namespace: ns }, opts),
    );
  }
  const corefile = nodeLocalConfig?.ok ? nodeLocalConfig.value.data?.Corefile : undefined;
  // The address its Corefile binds; without a readable Corefile the evaluator's default
  // (169.254.20.10, the upstream manifests' address).
  const address = corefile !== undefined ? nodeLocalBindAddress(corefile) : undefined;

  const result = evaluateNetworkPolicies({
    policies,
    pods,
    dnsPods: inputs.dnsPods,
    dnsNamespace,
    service: inputs.service,
    nodeLocal: inputs.daemonSets.ok
      ? { ok: true, value: { running, ...(address !== undefined && { address }) } }
      : inputs.daemonSets,
  });
  return withApiRetries(result, [
    policies.retried,
    ...podReads.map((r) => r.retried),
    dnsNamespace.retried,
    nodeLocalConfig?.retried,
    ...(needed ? [inputs.dnsPods.retried, inputs.daemonSets.retried] : []),
  ]);
}
