/**
 * K8S-NETWORKPOLICY-DNS (checks.md § C): every pod a NetworkPolicy restricts for egress may still
 * reach cluster DNS — each kube-dns (CoreDNS) pod on UDP and TCP 53, and where NodeLocal
 * DNSCache runs, its link-local address on both too.
 *
 * NetworkPolicies are additive allow-lists: a pod selected by at least one policy whose
 * `policyTypes` holds `Egress` may send only what the union of those policies' egress rules
 * allows. So the unit of judgement is (namespace, the set of egress policies selecting a pod):
 * pods sharing both share the verdict, and the evaluation is done once per such group.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * @see https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 */
import { stringify } from 'yaml';
import { makeResult } from '../catalog/index.js';
import { rangeHoldsAddress, tryParseCidr, tryParseIpAddress } from '../network/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import { selectorMatches } from './kube-objects.js';
import type {
  KubeNamespace,
  KubeNetworkPolicy,
  KubePod,
  KubeService,
  NetworkPolicyEgressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './kube-objects.js';
import { COREDNS_POD_SELECTOR, KUBE_SYSTEM_NAMESPACE } from './kube-dns-names.js';

/** NodeLocal DNSCache's default link-local address (the address its manifests bind). */
export const NODELOCAL_DEFAULT_ADDRESS = '169.254.20.10';

/**
 * The label the API server puts on every namespace (immutable, its name) since Kubernetes 1.21
 * (NamespaceDefaultLabelName, GA in 1.22): a namespaceSelector may rely on it even when the
 * Namespace object read lacks it.
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NetworkPoliciesInput {
  /** every NetworkPolicy of the cluster */
  readonly policies: ApiRead<readonly KubeNetworkPolicy[]>;
  /** every pod of the cluster (the candidates a policy may select) */
  readonly pods: ApiRead<readonly KubePod[]>;
  /** the CoreDNS pods (labelled `k8s-app=kube-dns`): the destinations, with their labels and ports */
  readonly dnsPods: ApiRead<readonly KubePod[]>;
  /** the CoreDNS pods' Namespace (its labels decide namespaceSelectors) */
  readonly dnsNamespace: ApiRead<KubeNamespace>;
  /**
   * the kube-dns Service: its port 53's `targetPort` is the pod port a policy must allow (a
   * policy judges the pod's port, after the Service's translation). Absent or failed: 53.
   */
  readonly service?: ApiRead<KubeService>;
  /**
   * NodeLocal DNSCache: whether it runs, and the link-local address it binds (from its Corefile,
   * as the probe reads it). Absent: not running.
   */
  readonly nodeLocal?: ApiRead<{ readonly running: boolean; readonly address?: string }>;
}

/** failing namespaces the one-line summary spells out */
const SUMMARY_NAMESPACES = 3;

type Protocol = 'UDP' | 'TCP';
const PROTOCOLS: readonly Protocol[] = ['UDP', 'TCP'];

interface ContainerPortView {
  readonly name?: string;
  readonly port?: number;
  readonly protocol: string;
}

/** One place DNS is served, as a policy sees it. */
interface Destination {
  /** `pod kube-system/coredns-… (10.0.1.5)` or `NodeLocal DNSCache 169.254.20.10` */
  readonly label: string;
  readonly ip: string | undefined;
  /** absent: not a pod a selector can match (NodeLocal runs on the host network) */
  readonly pod?: {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly namespaceLabels: Readonly<Record<string, string>>;
    readonly containerPorts: readonly ContainerPortView[];
  };
  /** the destination port per protocol */
  readonly ports: Readonly<Record<Protocol, number>>;
}

/**
 * Whether a policy restricts egress: `Egress` in `policyTypes`; when `policyTypes` is unset, the
 * API defaults it to Ingress plus Egress if the policy has egress rules (an empty list is none).
 */
export function policyRestrictsEgress(policy: KubeNetworkPolicy): boolean {
  const types = policy.spec?.policyTypes;
  if (types !== undefined && types.length > 0) return types.includes('Egress');
  return (policy.spec?.egress?.length ?? 0) > 0;
}

/** Whether a policy selects a pod: same namespace, and its podSelector (`{}` = all) matches. */
export function policySelectsPod(policy: KubeNetworkPolicy, pod: KubePod): boolean {
  if ((policy.metadata?.namespace ?? 'default') !== (pod.metadata?.namespace ?? 'default')) return false;
  return selectorMatches(policy.spec?.podSelector ?? {}, pod.metadata?.labels ?? {});
}

function protocolOf(p: { protocol?: string }): string {
  // The API defaults a port's protocol to TCP.
  return (p.protocol ?? 'TCP').toUpperCase();
}

/**
 * Whether a rule's port entry admits `protocol`/`port` at the destination: the protocol (TCP when
 * unset) must agree; no port = every port of it; a number, or the range port..endPort; a name
 * resolves against the destination pod's container ports (name and protocol), so it admits
 * nothing at a destination that is not a pod.
 */
function portAdmits(entry: NetworkPolicyPort, protocol: Protocol, dest: Destination): boolean {
  if (protocolOf(entry) !== protocol) return false;
  const port = dest.ports[protocol];
  if (entry.port === undefined || entry.port === null) return true;
  if (typeof entry.port === 'number') {
    if (entry.endPort !== undefined && entry.endPort !== null)
      return port >= entry.port && port <= entry.endPort;
    return port === entry.port;
  }
  const named = dest.pod?.containerPorts.find((c) => c.name === entry.port && c.protocol === protocol);
  return named !== undefined && named.port === port;
}

/**
 * Whether an ipBlock holds the address and no `except` does. checks.md counts an ipBlock over a
 * CoreDNS pod IP as reaching it, as iptables-based plugins such as Calico enforce it; Cilium does
 * not apply CIDR rules to addresses of endpoints it manages, so there only selectors reach pods.
 * @see https://docs.cilium.io/en/latest/security/policy/layer3/ ("IP/CIDR based … if the remote peer is not an endpoint")
 */
function ipBlockCovers(block: NonNullable<NetworkPolicyPeer['ipBlock']>, ip: string | undefined): boolean {
  if (ip === undefined || block.cidr === undefined) return false;
  const address = tryParseIpAddress(ip);
  const cidr = tryParseCidr(block.cidr);
  if (address === undefined || cidr === undefined || !rangeHoldsAddress(cidr, address)) return false;
  return !(block.except ?? []).some((e) => {
    const hole = tryParseCidr(e);
    return hole !== undefined && rangeHoldsAddress(hole, address);
  });
}

/**
 * Whether a peer of a policy in `policyNamespace` admits the destination. `ipBlock` excludes the
 * selectors. namespaceSelector alone: every pod of the matching namespaces; podSelector alone:
 * the policy's own namespace; both: the matching pods of the matching namespaces. A selector
 * never matches a destination that is not a pod (NodeLocal's host-network pods are not
 * selectable; their behaviour under policy is left to the plugin), so only an ipBlock reaches it.
 */
function peerAdmits(peer: NetworkPolicyPeer, policyNamespace: string, dest: Destination): boolean {
  if (peer.ipBlock !== undefined && peer.ipBlock !== null) return ipBlockCovers(peer.ipBlock, dest.ip);
  const pod = dest.pod;
  if (pod === undefined) return false;
  const hasNs = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  const hasPod = peer.podSelector !== undefined && peer.podSelector !== null;
  if (!hasNs && !hasPod) return false; // the API rejects an empty peer
  const nsOk = hasNs
    ? selectorMatches(peer.namespaceSelector, pod.namespaceLabels)
    : pod.namespace === policyNamespace;
  return nsOk && (!hasPod || selectorMatches(peer.podSelector, pod.labels));
}

/** Whether one egress rule admits `protocol` to the destination: no `to` = every destination, no `ports` = every port. */
function ruleAdmits(
  rule: NetworkPolicyEgressRule,
  policyNamespace: string,
  protocol: Protocol,
  dest: Destination,
): boolean {
  const to = rule.to ?? [];
  const ports = rule.ports ?? [];
  const peerOk = to.length === 0 || to.some((p) => peerAdmits(p, policyNamespace, dest));
  return peerOk && (ports.length === 0 || ports.some((p) => portAdmits(p, protocol, dest)));
}

/**
 * Whether the union of `policies` (all in `namespace`, all restricting egress) lets a pod of that
 * namespace reach the destination over `protocol`. Only pod IPs count for CoreDNS: a query to the
 * kube-dns ClusterIP is DNAT'd to a pod IP by kube-proxy, and the Kubernetes docs leave it to the
 * plugin whether policy sees the address before or after that rewrite (iptables-based plugins
 * such as Calico filter in FORWARD, after kube-proxy's PREROUTING DNAT) — so an ipBlock holding
 * only the ClusterIP is no portable allowance (noted in the evidence when found).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
 *   (ipBlock: "it is not defined whether this happens before or after NetworkPolicy processing")
 */
function unionAdmits(
  policies: readonly KubeNetworkPolicy[],
  namespace: string,
  protocol: Protocol,
  dest: Destination,
): boolean {
  return policies.some((p) =>
    (p.spec?.egress ?? []).some((rule) => ruleAdmits(rule, namespace, protocol, dest)),
  );
}

/** `Deployment/web`, `StatefulSet/db`, `Pod/debug`: the workload that owns a pod, for evidence. */
export function workloadOf(pod: KubePod): string {
  const owners = pod.metadata?.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  if (owner?.kind === undefined || owner.name === undefined)
    return `Pod/${pod.metadata?.name ?? '(unnamed)'}`;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  // A Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
  if (owner.kind === 'ReplicaSet' && hash !== undefined && owner.name.endsWith(`-${hash}`))
    return `Deployment/${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind}/${owner.name}`;
}

function podIsLive(pod: KubePod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** The pod port a Service port resolves to on `pod`: targetPort (number or name), else the port. */
function targetPortOn(
  service: KubeService | undefined,
  protocol: Protocol,
  containerPorts: readonly ContainerPortView[],
): number {
  const sp = service?.spec?.ports?.find((p) => p.port === 53 && protocolOf(p) === protocol);
  const target = sp?.targetPort;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && target !== '') {
    const named = containerPorts.find((c) => c.name === target && c.protocol === protocol)?.port;
    if (named !== undefined) return named;
  }
  return 53;
}

function parseSelector(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map((kv) => {
      const [k, v] = kv.split('=');
      return [k ?? '', v ?? ''];
    }),
  );
}

interface Group {
  readonly namespace: string;
  readonly policies: KubeNetworkPolicy[];
  readonly pods: KubePod[];
}

interface Missing {
  readonly destination: string;
  readonly protocols: Protocol[];
}

const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '(unnamed)';

/**
 * The NetworkPolicies a person can apply to fix one namespace: one per podSelector of a policy
 * already restricting the failing pods (greedy cover), so the fix isolates no pod that was not
 * isolated before, allowing UDP and TCP to the kube-dns pods (their namespace by the name label
 * the API server guarantees, their pods by `k8s-app=kube-dns`) and to NodeLocal's /32.
 */
function fixPolicies(
  namespace: string,
  failing: readonly KubePod[],
  policies: readonly KubeNetworkPolicy[],
  dnsNamespace: string,
  dnsPorts: readonly number[],
  nodeLocal: string | undefined,
): object[] {
  const uncovered = new Set(failing);
  const chosen: KubeNetworkPolicy[] = [];
  const candidates = [...policies].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  while (uncovered.size > 0) {
    let best: KubeNetworkPolicy | undefined;
    let bestCount = 0;
    for (const p of candidates) {
      const count = [...uncovered].filter((pod) => policySelectsPod(p, pod)).length;
      if (count > bestCount) [best, bestCount] = [p, count];
    }
    if (best === undefined) break;
    chosen.push(best);
    for (const pod of [...uncovered]) if (policySelectsPod(best, pod)) uncovered.delete(pod);
  }
  const ports = dnsPorts.flatMap((port) => PROTOCOLS.map((protocol) => ({ protocol, port })));
  const linkLocalPorts = PROTOCOLS.map((protocol) => ({ protocol, port: 53 }));
  return chosen.map((p) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: (chosen.length === 1 ? 'allow-dns-egress' : `allow-dns-egress-${nameOf(p)}`).slice(0, 63),
      namespace,
    },
    spec: {
      podSelector: p.spec?.podSelector ?? {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dnsNamespace } },
              podSelector: { matchLabels: parseSelector(COREDNS_POD_SELECTOR) },
            },
          ],
          ports,
        },
        ...(nodeLocal !== undefined
          ? [
              {
                to: [{ ipBlock: { cidr: `${nodeLocal}/${nodeLocal.includes(':') ? 128 : 32}` } }],
                ports: linkLocalPorts,
              },
            ]
          : []),
      ],
    },
  }));
}

function errorResult(reason: string): CheckResult {
  return makeResult('K8S-NETWORKPOLICY-DNS', { status: 'ERROR', evidence: { summary: reason, reason } });
}

/**
 * Evaluates K8S-NETWORKPOLICY-DNS. Host-network pods are not judged (NetworkPolicy does not
 * govern them), nor finished ones. ERROR when a read it needs failed; SKIPPED when no policy
 * restricts the egress of any pod; FAIL when some restricted pods cannot reach every CoreDNS pod,
 * or NodeLocal's address, on both UDP and TCP; PASS otherwise.
 *
 * @example
 * evaluateNetworkPolicies({ policies, pods, dnsPods, dnsNamespace, service, nodeLocal });
 */
export function evaluateNetworkPolicies(input: NetworkPoliciesInput): CheckResult {
  if (!input.policies.ok) return errorResult(apiFailureReason(input.policies.failure));
  if (!input.pods.ok) return errorResult(apiFailureReason(input.pods.failure));
  const egressPolicies = input.policies.value.filter(policyRestrictsEgress);
  const judged = input.pods.value.filter((p) => podIsLive(p) && p.spec?.hostNetwork !== true);
  // A policy selects pods of its own namespace only: index them by namespace (a fleet cluster
  // has thousands of pods and hundreds of policies).
  const byNamespace = new Map<string, KubeNetworkPolicy[]>();
  for (const p of egressPolicies) {
    const ns = p.metadata?.namespace ?? 'default';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p]);
  }
  const groups = new Map<string, Group>();
  for (const pod of judged) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const selecting = (byNamespace.get(namespace) ?? []).filter((p) => policySelectsPod(p, pod));
    if (selecting.length === 0) continue;
    const key = `${namespace}\u0000${selecting.map(nameOf).join('\u0000')}`;
    const group = groups.get(key) ?? { namespace, policies: selecting, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);
  }
  if (groups.size === 0) {
    const reason =
      egressPolicies.length === 0
        ? `no NetworkPolicy restricts egress (${input.policies.value.length} NetworkPolicies, none with Egress in policyTypes)`
        : `the ${egressPolicies.length} NetworkPolicies restricting egress select no running pod`;
    return makeResult('K8S-NETWORKPOLICY-DNS', {
      status: 'SKIPPED',
      evidence: { summary: reason, reason, policies: input.policies.value.length },
    });
  }
  if (!input.dnsPods.ok) return errorResult(apiFailureReason(input.dnsPods.failure));
  if (!input.dnsNamespace.ok) return errorResult(apiFailureReason(input.dnsNamespace.failure));
  if (input.nodeLocal !== undefined && !input.nodeLocal.ok)
    return errorResult(
      `could not tell whether NodeLocal DNSCache runs: ${apiFailureReason(input.nodeLocal.failure)}`,
    );

  const dnsNamespace = input.dnsNamespace.value.metadata?.name ?? KUBE_SYSTEM_NAMESPACE;
  const namespaceLabels = {
    ...(input.dnsNamespace.value.metadata?.labels ?? {}),
    [NAMESPACE_NAME_LABEL]: dnsNamespace,
  };
  const service = input.service?.ok ? input.service.value : undefined;
  const notes: string[] = [];
  const destinations: Destination[] = [];
  for (const pod of input.dnsPods.value.filter(podIsLive)) {
    const containerPorts = (pod.spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? []).map((p) => ({
        ...(p.name !== undefined && { name: p.name }),
        ...(p.containerPort !== undefined && { port: p.containerPort }),
        protocol: protocolOf(p),
      })),
    );
    const ip = pod.status?.podIP;
    destinations.push({
      label: `pod ${pod.metadata?.namespace ?? dnsNamespace}/${nameOf(pod)}${ip ? ` (${ip})` : ''}`,
      ip,
      pod: {
        namespace: pod.metadata?.namespace ?? dnsNamespace,
        labels: pod.metadata?.labels ?? {},
        namespaceLabels,
        containerPorts,
      },
      ports: {
        UDP: targetPortOn(service, 'UDP', containerPorts),
        TCP: targetPortOn(service, 'TCP', containerPorts),
      },
    });
  }
  if (destinations.length === 0)
    notes.push('no CoreDNS pod to judge against: only NodeLocal DNSCache was judged');
  const nodeLocal =
    input.nodeLocal?.ok && input.nodeLocal.value.running
      ? (input.nodeLocal.value.address ?? NODELOCAL_DEFAULT_ADDRESS)
      : undefined;
  if (nodeLocal !== undefined)
    destinations.push({
      label: `NodeLocal DNSCache ${nodeLocal}`,
      ip: nodeLocal,
      ports: { UDP: 53, TCP: 53 },
    });

  const clusterIp = service?.spec?.clusterIP;
  const failing = new Map<
    string,
    { policies: Set<string>; pods: KubePod[]; missing: Map<string, Set<Protocol>> }
  >();
  for (const group of groups.values()) {
    const missing: Missing[] = [];
    for (const dest of destinations) {
      const protocols = PROTOCOLS.filter(
        (proto) => !unionAdmits(group.policies, group.namespace, proto, dest),
      );
      if (protocols.length > 0) missing.push({ destination: dest.label, protocols });
    }
    if (missing.length === 0) continue;
    const entry = failing.get(group.namespace) ?? {
      policies: new Set<string>(),
      pods: [] as KubePod[],
      missing: new Map<string, Set<Protocol>>(),
    };
    for (const p of group.policies) entry.policies.add(nameOf(p));
    entry.pods.push(...group.pods);
    for (const m of missing) {
      const set = entry.missing.get(m.destination) ?? new Set<Protocol>();
      for (const proto of m.protocols) set.add(proto);
      entry.missing.set(m.destination, set);
    }
    failing.set(group.namespace, entry);
    if (clusterIp && clusterIp !== 'None') {
      const viaClusterIp = group.policies.filter((p) =>
        (p.spec?.egress ?? []).some((r) =>
          (r.to ?? []).some((peer) => peer.ipBlock && ipBlockCovers(peer.ipBlock, clusterIp)),
        ),
      );
      for (const p of viaClusterIp)
        notes.push(
          `${group.namespace}/${nameOf(p)} allows the kube-dns ClusterIP ${clusterIp} by ipBlock: that does not count, policy judges the CoreDNS pod IPs the ClusterIP is translated to`,
        );
    }
  }

  const restricted = [...groups.values()].reduce((n, g) => n + g.pods.length, 0);
  const dnsPorts = [...new Set(destinations.filter((d) => d.pod).flatMap((d) => [d.ports.UDP, d.ports.TCP]))];
  const evidenceBase = {
    egressPolicies: egressPolicies.length,
    egressRestrictedPods: restricted,
    namespaces: [...new Set([...groups.values()].map((g) => g.namespace))].sort(),
    destinations: destinations.map((d) => ({ destination: d.label, udp: d.ports.UDP, tcp: d.ports.TCP })),
    nodeLocal: nodeLocal ?? null,
  };
  const uniqueNotes = [...new Set(notes)];
  if (failing.size === 0) {
    return makeResult('K8S-NETWORKPOLICY-DNS', {
      status: 'PASS',
      evidence: {
        summary: `all ${restricted} egress-restricted pods in ${evidenceBase.namespaces.length} namespaces may reach ${destinations.length} DNS destinations on UDP and TCP`,
        ...evidenceBase,
        ...(uniqueNotes.length > 0 && { notes: uniqueNotes }),
      },
    });
  }
  const namespaces = [...failing.keys()].sort();
  const failingEvidence = namespaces.map((namespace) => {
    const entry = failing.get(namespace)!;
    const policiesHere = egressPolicies.filter((p) => (p.metadata?.namespace ?? 'default') === namespace);
    const fix = fixPolicies(
      namespace,
      entry.pods,
      policiesHere,
      dnsNamespace,
      dnsPorts.length ? dnsPorts : [53],
      nodeLocal,
    );
    return {
      namespace,
      policies: [...entry.policies].sort(),
      workloads: [...new Set(entry.pods.map(workloadOf))].sort(),
      pods: entry.pods.length,
      missing: [...entry.missing].map(([destination, protocols]) => ({
        destination,
        protocols: PROTOCOLS.filter((p) => protocols.has(p)),
      })),
      fix: fix.map((doc) => stringify(doc)).join('---\n'),
    };
  });
  const failingPods = failingEvidence.reduce((n, f) => n + f.pods, 0);
  return makeResult('K8S-NETWORKPOLICY-DNS', {
    status: 'FAIL',
    evidence: {
      // One line for the terminal table: the first namespaces in full, then a count (`failing`
      // lists every one).
      summary: `${failingPods} of ${restricted} egress-restricted pods cannot reach cluster DNS on UDP and TCP 53: ${failingEvidence
        .slice(0, SUMMARY_NAMESPACES)
        .map(
          (f) =>
            `${f.namespace} (${f.policies.join(', ')}: ${f.missing.map((m) => `${m.destination} ${m.protocols.join('+')}`).join('; ')})`,
        )
        .join('; ')}${
        failingEvidence.length > SUMMARY_NAMESPACES
          ? `; and ${failingEvidence.length - SUMMARY_NAMESPACES} more namespaces`
          : ''
      }`,
      ...evidenceBase,
      failing: failingEvidence,
      ...(uniqueNotes.length > 0 && { notes: uniqueNotes }),
      resources: failingEvidence.flatMap((f) => [
        `namespace/${f.namespace}`,
        ...f.policies.map((p) => `networkpolicy/${f.namespace}/${p}`),
      ]),
    },
  });
}
