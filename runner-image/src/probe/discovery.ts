/**
 * What the probe needs from the Kubernetes API before it can send a query: the kube-dns
 * ClusterIP and ports, the CoreDNS pod IPs behind it (EndpointSlices), the `kubernetes`
 * Service ClusterIP (the right answer for DNS-INTERNAL) and NodeLocal DNSCache's DaemonSet and
 * Corefile. Each read fails on its own: a missing permission on one object leaves the others.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
import { AppsV1Api, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  KUBE_DNS_SERVICE,
  KUBE_DNS_SLICE_SELECTOR,
  KUBE_SYSTEM_NAMESPACE,
  NODELOCAL_NAME,
} from '../../../lambdas/core/incluster/index.js';
import { apiRetryRecord, attemptWithRetries } from '../../../lambdas/core/retry/index.js';
import type { ApiRetryRecord } from '../../../lambdas/core/retry/index.js';
import { transientKubeFault } from '../kube/read-api.js';
import type { KubeRetryOptions } from '../kube/read-api.js';

export interface DiscoveredEndpoint {
  readonly ip: string;
  readonly ready: boolean;
  readonly pod?: string;
  readonly nodeName?: string;
}

/** One read's outcome: the value, or why it could not be had. */
export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A discovery read, with the calls that had to be retried for it (checks.md § Transient failures). */
export type DiscoveryRead<T> = Read<T> & { readonly retried?: readonly ApiRetryRecord[] };

export interface Discovery {
  /** kube-dns Service: ClusterIP (null when the Service has none) and ports as `53/UDP` */
  readonly kubeDns: DiscoveryRead<{ clusterIp: string | null; ports: string[] }>;
  readonly endpoints: DiscoveryRead<DiscoveredEndpoint[]>;
  readonly kubernetesServiceIp: DiscoveryRead<string | null>;
  /** the `kube-dns-upstream` Service NodeLocal forwards cluster zones to (null when absent) */
  readonly kubeDnsUpstreamIp: DiscoveryRead<string | null>;
  /** NodeLocal DNSCache: whether its DaemonSet exists, and its Corefile when readable */
  readonly nodeLocal: DiscoveryRead<{ daemonSet: boolean; corefile?: string; corefileError?: string }>;
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (code === 401) return 'unauthorized (401): the runner could not authenticate to the cluster API';
  if (code === 403) return `forbidden (403): the runner's ServiceAccount may not read this (${message})`;
  if (code === 404) return 'not found (404)';
  return typeof code === 'number' ? `API error ${code}: ${message}` : `cluster API unreachable: ${message}`;
}

/** Runs one client-node call, retrying transient failures; resolves or rethrows its last outcome. */
type RetryingCall = <R>(call: string, thunk: () => Promise<R>) => Promise<R>;

async function read<T>(
  retry: KubeRetryOptions,
  fn: (retrying: RetryingCall) => Promise<T>,
): Promise<DiscoveryRead<T>> {
  const retried: ApiRetryRecord[] = [];
  const retrying: RetryingCall = async (call, thunk) => {
    const attempted = await attemptWithRetries(thunk, { faultOf: transientKubeFault, ...retry });
    const record = apiRetryRecord(call, attempted);
    if (record !== undefined) retried.push(record);
    if (attempted.ok) return attempted.value;
    throw attempted.error;
  };
  const withRetries = (): { retried?: readonly ApiRetryRecord[] } => (retried.length > 0 ? { retried } : {});
  try {
    const value = await fn(retrying);
    return { ok: true, value, ...withRetries() };
  } catch (err) {
    const gaveUp = retried.find((r) => !r.cleared);
    const tries = gaveUp ? ` (after ${gaveUp.attempts} attempts)` : '';
    return { ok: false, error: `${describe(err)}${tries}`, ...withRetries() };
  }
}

const is404 = (err: unknown): boolean => (err as { code?: unknown }).code === 404;

/** Reads everything the probe needs, in parallel. Never throws. */
export async function discover(kubeConfig: KubeConfig, retry: KubeRetryOptions = {}): Promise<Discovery> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);

  const [kubeDns, endpoints, kubernetesServiceIp, nodeLocal, kubeDnsUpstreamIp] = await Promise.all([
    read(retry, async (retrying) => {
      const svc = await retrying(`get services ${KUBE_SYSTEM_NAMESPACE}/${KUBE_DNS_SERVICE}`, () =>
        core.readNamespacedService({ name: KUBE_DNS_SERVICE, namespace: KUBE_SYSTEM_NAMESPACE }),
      );
      const ip = svc.spec?.clusterIP;
      return {
        clusterIp: ip && ip !== 'None' ? ip : null,
        ports: (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
      };
    }),
    read(retry, async (retrying) => {
      const slices = await retrying(`list endpointslices.discovery.k8s.io ${KUBE_SYSTEM_NAMESPACE}`, () =>
        discovery.listNamespacedEndpointSlice({
          namespace: KUBE_SYSTEM_NAMESPACE,
          labelSelector: KUBE_DNS_SLICE_SELECTOR,
        }),
      );
      const seen = new Map<string, DiscoveredEndpoint>();
      for (const slice of slices.items) {
        for (const ep of slice.endpoints ?? []) {
          // `ready` absent means ready (EndpointConditions: "nil should be interpreted as true")
          const ready = ep.conditions?.ready !== false;
          for (const ip of ep.addresses) {
            if (seen.has(ip)) continue;
            seen.set(ip, {
              ip,
              ready,
              ...(ep.targetRef?.kind === 'Pod' && ep.targetRef.name ? { pod: ep.targetRef.name } : {}),
              ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
            });
          }
        }
      }
      return [...seen.values()];
    }),
    read(retry, async (retrying) => {
      const svc = await retrying('get services default/kubernetes', () =>
        core.readNamespacedService({ name: 'kubernetes', namespace: 'default' }),
      );
      return svc.spec?.clusterIP ?? null;
    }),
    read(retry, async (retrying) => {
      let daemonSet = true;
      try {
        await retrying(`get daemonsets.apps ${KUBE_SYSTEM_NAMESPACE}/${NODELOCAL_NAME}`, () =>
          apps.readNamespacedDaemonSet({ name: NODELOCAL_NAME, namespace: KUBE_SYSTEM_NAMESPACE }),
        );
      } catch (err) {
        if (!is404(err)) throw err;
        daemonSet = false;
      }
      if (!daemonSet) return { daemonSet };
      try {
        const cm = await retrying(`get configmaps ${KUBE_SYSTEM_NAMESPACE}/${NODELOCAL_NAME}`, () =>
          core.readNamespacedConfigMap({ name: NODELOCAL_NAME, namespace: KUBE_SYSTEM_NAMESPACE }),
        );
        const corefile = cm.data?.Corefile;
        return corefile === undefined
          ? { daemonSet, corefileError: 'the node-local-dns ConfigMap has no Corefile key' }
          : { daemonSet, corefile };
      } catch (err) {
        return { daemonSet, corefileError: `node-local-dns ConfigMap: ${describe(err)}` };
      }
    }),
    read(retry, async (retrying) => {
      try {
        const svc = await retrying(`get services ${KUBE_SYSTEM_NAMESPACE}/kube-dns-upstream`, () =>
          core.readNamespacedService({ name: 'kube-dns-upstream', namespace: KUBE_SYSTEM_NAMESPACE }),
        );
        return svc.spec?.clusterIP ?? null;
      } catch (err) {
        if (is404(err)) return null;
        throw err;
      }
    }),
  ]);
  return { kubeDns, endpoints, kubernetesServiceIp, nodeLocal, kubeDnsUpstreamIp };
}
