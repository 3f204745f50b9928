import type { V1DaemonSet, V1EndpointSlice, V1Node, V1Pod } from '@kubernetes/client-node';
import { COMPUTE_NODE_LABELS } from '../../core/compute/index.js';
import { collectionError } from '../../core/snapshot/index.js';
import {
  COREDNS_NAME,
  KUBE_DNS_SERVICE,
  KUBE_DNS_SLICE_SELECTOR,
  KUBE_SYSTEM_NAMESPACE,
} from '../../core/incluster/index.js';
import type { SnapshotCollectionError, SnapshotDnsPod, SnapshotNode } from '../../core/snapshot/index.js';
import type { KubeApis } from '../client/index.js';
import { KubeAccessError, toKubeAccessError } from '../errors.js';
import { rootZoneUpstreams } from './corefile-upstreams.js';

export interface ReadKubernetesFactsOptions {
  /** which address family the cluster runs (EKS `kubernetesNetworkConfig.ipFamily`); @default 'ipv4' */
  readonly ipFamily?: 'ipv4' | 'ipv6';
  /** objects per list request (the API server pages large lists); @default 500 */
  readonly pageSize?: number;
}

/** The Kubernetes facts of a network snapshot, as `kubernetes` carries them when reachable. */
export type KubernetesFacts = {
  readonly access: { readonly reachable: true };
  readonly dnsPods: SnapshotDnsPod[];
  readonly nodes: SnapshotNode[];
  readonly upstreams?: string[];
  /** names of the kube-system DaemonSets (absent when they could not be listed) */
  readonly daemonSets?: string[];
  /** Cilium's `kube-proxy-replacement`, when a cilium DaemonSet runs and its ConfigMap says */
  readonly ciliumKubeProxyReplacement?: string;
  /** @2: the image references of the kube-system pods (their registries are names the cluster needs) */
  readonly images?: string[];
};

export interface KubernetesFactsResult {
  readonly facts: KubernetesFacts;
  /** reads that failed without making the cluster unreachable (the Corefile, the DaemonSets, Cilium's config) */
  readonly errors: SnapshotCollectionError[];
}

async function guarded<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw toKubeAccessError(what, err) ?? err;
  }
}

/** Every container and init container image of `pods`, once each, sorted. */
export function kubeSystemImages(pods: readonly V1Pod[]): string[] {
  const images = new Set<string>();
  for (const pod of pods)
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])])
      if (c.image) images.add(c.image);
  return [...images].sort();
}

/**
 * The CoreDNS pods behind the kube-dns Service, from its EndpointSlices: pod name, pod IP (of
 * the cluster's address family) and node. Terminating endpoints are left out (kube-proxy no
 * longer sends them new queries); not-yet-ready ones stay (they get traffic once ready, and
 * the network path to them is what the audit judges).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/
 */
export function dnsPodsFromEndpointSlices(
  slices: readonly V1EndpointSlice[],
  ipFamily: 'ipv4' | 'ipv6' = 'ipv4',
): SnapshotDnsPod[] {
  const wanted = ipFamily === 'ipv6' ? 'IPv6' : 'IPv4';
  const ipSlices = slices.filter((s) => s.addressType === 'IPv4' || s.addressType === 'IPv6');
  const chosen = ipSlices.some((s) => s.addressType === wanted)
    ? ipSlices.filter((s) => s.addressType === wanted)
    : ipSlices;
  const pods = new Map<string, SnapshotDnsPod>();
  for (const slice of chosen) {
    for (const endpoint of slice.endpoints) {
      if (endpoint.conditions?.terminating === true) continue;
      const podIP = endpoint.addresses[0];
      if (podIP === undefined) continue;
      const name =
        endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name ? endpoint.targetRef.name : podIP;
      const key = `${name}/${podIP}`;
      if (pods.has(key)) continue;
      pods.set(key, {
        name,
        namespace: endpoint.targetRef?.namespace ?? slice.metadata?.namespace ?? KUBE_SYSTEM_NAMESPACE,
        podIP,
        ...(endpoint.nodeName ? { nodeName: endpoint.nodeName } : {}),
      });
    }
  }
  return [...pods.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A node as the audit needs it: name, InternalIP (of the cluster's family when it has both)
 * and providerID (`aws:///<az>/<instance-id>`, which ties the node to its EC2 instance and so
 * to its ENIs).
 *
 * @see https://kubernetes.io/docs/reference/node/node-status/#addresses
 */
export function nodeFact(node: V1Node, ipFamily: 'ipv4' | 'ipv6' = 'ipv4'): SnapshotNode | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const internal = (node.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP')
    .map((a) => a.address);
  const isV6 = (ip: string) => ip.includes(':');
  const internalIP = internal.find((ip) => (ipFamily === 'ipv6' ? isV6(ip) : !isV6(ip))) ?? internal[0];
  const providerID = node.spec?.providerID;
  // Only the compute labels (EKS-COMPUTE-MODE): a node carries dozens, a snapshot thousands of nodes.
  const all = node.metadata?.labels ?? {};
  const labels = Object.fromEntries(
    COMPUTE_NODE_LABELS.filter((k) => all[k] !== undefined).map((k) => [k, all[k] as string]),
  );
  return {
    name,
    ...(internalIP !== undefined ? { internalIP } : {}),
    ...(providerID ? { providerID } : {}),
    labels,
  };
}

/**
 * Reads the Kubernetes facts of a network snapshot from the cluster API: the CoreDNS pods
 * behind kube-dns (EndpointSlices), every node (paged, with its compute labels), the root zone's
 * forwarders from the `coredns` ConfigMap, the kube-system DaemonSets' names and — only when a
 * `cilium` DaemonSet runs — Cilium's `kube-proxy-replacement` (EKS-COMPUTE-MODE). Read-only.
 *
 * @throws KubeAccessError when the pods or nodes cannot be read (the cluster API is then
 *   "not reachable" for the audit); a Corefile that cannot be read is only a collection error
 *   for NET-UPSTREAM-REACH, DaemonSets or Cilium's config one for EKS-COMPUTE-MODE.
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
 */
export async function readKubernetesFacts(
  apis: KubeApis,
  options: ReadKubernetesFactsOptions = {},
): Promise<KubernetesFactsResult> {
  const ipFamily = options.ipFamily ?? 'ipv4';
  const limit = options.pageSize ?? 500;

  /** Every item of a paged list (each page `limit` items, followed by its `_continue` token). */
  const allPages = async <T>(
    list: (page: { limit: number; _continue?: string }) => Promise<{
      items: T[];
      metadata?: { _continue?: string };
    }>,
  ): Promise<T[]> => {
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = await list({ limit, ...(cont ? { _continue: cont } : {}) });
      items.push(...page.items);
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return items;
  };

  const slicesRead = guarded(`list EndpointSlices of ${KUBE_SYSTEM_NAMESPACE}/${KUBE_DNS_SERVICE}`, () =>
    allPages<V1EndpointSlice>((page) =>
      apis.discovery.listNamespacedEndpointSlice({
        namespace: KUBE_SYSTEM_NAMESPACE,
        labelSelector: KUBE_DNS_SLICE_SELECTOR,
        ...page,
      }),
    ),
  );
  const nodesRead = guarded('list nodes', () => allPages<V1Node>((page) => apis.core.listNode(page)));
  const corefileRead = guarded(`read ConfigMap ${KUBE_SYSTEM_NAMESPACE}/${COREDNS_NAME}`, async () => {
    const cm = await apis.core.readNamespacedConfigMap({
      name: COREDNS_NAME,
      namespace: KUBE_SYSTEM_NAMESPACE,
    });
    return cm.data?.Corefile;
  });
  const daemonSetsRead = guarded(`list DaemonSets in namespace ${KUBE_SYSTEM_NAMESPACE}`, async () =>
    (
      await allPages<V1DaemonSet>((page) =>
        apis.apps.listNamespacedDaemonSet({ namespace: KUBE_SYSTEM_NAMESPACE, ...page }),
      )
    )
      .flatMap((d) => d.metadata?.name ?? [])
      .sort(),
  );
  const podsRead = guarded(`list pods of ${KUBE_SYSTEM_NAMESPACE}`, () =>
    allPages<V1Pod>((page) => apis.core.listNamespacedPod({ namespace: KUBE_SYSTEM_NAMESPACE, ...page })),
  );
  // Observe every outcome before throwing, so no rejection is left unhandled.
  const [slices, nodes, corefile, daemonSets, pods] = await Promise.allSettled([
    slicesRead,
    nodesRead,
    corefileRead,
    daemonSetsRead,
    podsRead,
  ]);
  if (slices.status === 'rejected') throw slices.reason;
  if (nodes.status === 'rejected') throw nodes.reason;

  const errors: SnapshotCollectionError[] = [];
  let upstreams: string[] | undefined;
  if (corefile.status === 'rejected') {
    const err = corefile.reason as unknown;
    if (!(err instanceof KubeAccessError)) throw err;
    errors.push(
      collectionError(
        'k8s:ReadConfigMap/coredns',
        err.httpStatus !== undefined ? `HTTP${err.httpStatus}` : err.failure,
        err.message,
      ),
    );
  } else if (corefile.value === undefined) {
    errors.push(
      collectionError(
        'k8s:ReadConfigMap/coredns',
        'NoCorefile',
        `ConfigMap ${KUBE_SYSTEM_NAMESPACE}/${COREDNS_NAME} has no Corefile key`,
      ),
    );
  } else {
    upstreams = rootZoneUpstreams(corefile.value);
  }

  let daemonSetNames: string[] | undefined;
  let ciliumKubeProxyReplacement: string | undefined;
  if (daemonSets.status === 'rejected') {
    errors.push(accessCollectionError('k8s:ListDaemonSets/kube-system', daemonSets.reason));
  } else {
    daemonSetNames = daemonSets.value;
    // One more read, only where Cilium runs: whether it replaces kube-proxy.
    if (daemonSetNames.includes('cilium')) {
      try {
        const cm = await guarded(`read ConfigMap ${KUBE_SYSTEM_NAMESPACE}/cilium-config`, () =>
          apis.core.readNamespacedConfigMap({ name: 'cilium-config', namespace: KUBE_SYSTEM_NAMESPACE }),
        );
        ciliumKubeProxyReplacement = cm.data?.['kube-proxy-replacement'];
      } catch (err) {
        if (!(err instanceof KubeAccessError && err.httpStatus === 404))
          errors.push(accessCollectionError('k8s:ReadConfigMap/cilium-config', err));
      }
    }
  }

  // The kube-system images only feed the Resolver checks' "names the cluster needs": a refused
  // list is a collection error of those two checks, not an unreachable cluster.
  let images: string[] | undefined;
  if (pods.status === 'rejected') {
    const err = pods.reason as unknown;
    if (!(err instanceof KubeAccessError)) throw err;
    errors.push(
      collectionError(
        'k8s:ListPods/kube-system',
        err.httpStatus !== undefined ? `HTTP${err.httpStatus}` : err.failure,
        err.message,
      ),
    );
  } else {
    images = kubeSystemImages(pods.value);
  }

  return {
    facts: {
      access: { reachable: true },
      dnsPods: dnsPodsFromEndpointSlices(slices.value, ipFamily),
      nodes: nodes.value
        .flatMap((n) => nodeFact(n, ipFamily) ?? [])
        .sort((a, b) => a.name.localeCompare(b.name)),
      ...(upstreams !== undefined ? { upstreams } : {}),
      ...(daemonSetNames !== undefined ? { daemonSets: daemonSetNames } : {}),
      ...(ciliumKubeProxyReplacement !== undefined ? { ciliumKubeProxyReplacement } : {}),
      ...(images !== undefined ? { images } : {}),
    },
    errors,
  };
}

/** A failed, non-fatal read as a `collectionErrors` entry (a non-access error is rethrown). */
function accessCollectionError(
  call: 'k8s:ListDaemonSets/kube-system' | 'k8s:ReadConfigMap/cilium-config',
  err: unknown,
): SnapshotCollectionError {
  if (!(err instanceof KubeAccessError)) throw err;
  return collectionError(
    call,
    err.httpStatus !== undefined ? `HTTP${err.httpStatus}` : err.failure,
    err.message,
  );
}
