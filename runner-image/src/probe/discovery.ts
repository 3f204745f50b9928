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

export interface DiscoveredEndpoint {
  readonly ip: string;
  readonly ready: boolean;
  readonly pod?: string;
  readonly nodeName?: string;
}

/** One read's outcome: the value, or why it could not be had. */
export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface Discovery {
  /** kube-dns Service: ClusterIP (null when the Service has none) and ports as `53/UDP` */
  readonly kubeDns: Read<{ clusterIp: string | null; ports: string[] }>;
  readonly endpoints: Read<DiscoveredEndpoint[]>;
  readonly kubernetesServiceIp: Read<string | null>;
  /** the `kube-dns-upstream` Service NodeLocal forwards cluster zones to (null when absent) */
  readonly kubeDnsUpstreamIp: Read<string | null>;
  /** NodeLocal DNSCache: whether its DaemonSet exists, and its Corefile when readable */
  readonly nodeLocal: Read<{ daemonSet: boolean; corefile?: string; corefileError?: string }>;
}

export const KUBE_SYSTEM = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';
export const NODELOCAL_NAME = 'node-local-dns';

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (code === 401) return 'unauthorized (401): the runner could not authenticate to the cluster API';
  if (code === 403) return `forbidden (403): the runner's ServiceAccount may not read this (${message})`;
  if (code === 404) return 'not found (404)';
  return typeof code === 'number' ? `API error ${code}: ${message}` : `cluster API unreachable: ${message}`;
}

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

const is404 = (err: unknown): boolean => (err as { code?: unknown }).code === 404;

/** Reads everything the probe needs, in parallel. Never throws. */
export async function discover(kubeConfig: KubeConfig): Promise<Discovery> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);

  const [kubeDns, endpoints, kubernetesServiceIp, nodeLocal, kubeDnsUpstreamIp] = await Promise.all([
    read(async () => {
      const svc = await core.readNamespacedService({ name: KUBE_DNS_SERVICE, namespace: KUBE_SYSTEM });
      const ip = svc.spec?.clusterIP;
      return {
        clusterIp: ip && ip !== 'None' ? ip : null,
        ports: (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`),
      };
    }),
    read(async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace: KUBE_SYSTEM,
        labelSelector: `kubernetes.io/service-name=${KUBE_DNS_SERVICE}`,
      });
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
    read(async () => {
      const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
      return svc.spec?.clusterIP ?? null;
    }),
    read(async () => {
      let daemonSet = true;
      try {
        await apps.readNamespacedDaemonSet({ name: NODELOCAL_NAME, namespace: KUBE_SYSTEM });
      } catch (err) {
        if (!is404(err)) throw err;
        daemonSet = false;
      }
      if (!daemonSet) return { daemonSet };
      try {
        const cm = await core.readNamespacedConfigMap({ name: NODELOCAL_NAME, namespace: KUBE_SYSTEM });
        const corefile = cm.data?.Corefile;
        return corefile === undefined
          ? { daemonSet, corefileError: 'the node-local-dns ConfigMap has no Corefile key' }
          : { daemonSet, corefile };
      } catch (err) {
        return { daemonSet, corefileError: `node-local-dns ConfigMap: ${describe(err)}` };
      }
    }),
    read(async () => {
      try {
        const svc = await core.readNamespacedService({ name: 'kube-dns-upstream', namespace: KUBE_SYSTEM });
        return svc.spec?.clusterIP ?? null;
      } catch (err) {
        if (is404(err)) return null;
        throw err;
      }
    }),
  ]);
  return { kubeDns, endpoints, kubernetesServiceIp, nodeLocal, kubeDnsUpstreamIp };
}
