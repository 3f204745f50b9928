/**
 * Where the CoreDNS pods sit: each pod IP mapped to the ENI that owns it (a secondary IP, an
 * address inside a delegated prefix, a branch ENI's address, or a node's primary address for
 * host-network pods). A pod whose IP no ENI owns is reported, never dropped.
 */
import { KUBE_SYSTEM_NAMESPACE } from '../incluster/kube-dns-names.js';
import type { NetworkSnapshot } from '../snapshot/network-snapshot-schema.js';
import { parseIpAddress } from './cidr.js';
import type { IpAddress } from './cidr.js';
import { clusterInstances, instanceIdFromProviderId } from './cluster-clients.js';
import type { AddressHolding, EniIndex, IndexedEni } from './eni-index.js';

export interface PlacedDnsPod {
  readonly name: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly address: IpAddress;
  readonly eni: IndexedEni;
  readonly holding: AddressHolding;
  /** the instance the pod runs on (the ENI's attachment, its trunk's, or the node's providerID) */
  readonly instanceId: string | undefined;
  readonly nodeName: string | undefined;
}

export interface UnplacedDnsPod {
  readonly name: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly reason: string;
}

export interface DnsPodPlacement {
  readonly placed: readonly PlacedDnsPod[];
  readonly unplaced: readonly UnplacedDnsPod[];
}

/** Maps every `kubernetes.dnsPods` entry to its ENI. */
export function placeDnsPods(snapshot: NetworkSnapshot, enis: EniIndex): DnsPodPlacement {
  const placed: PlacedDnsPod[] = [];
  const unplaced: UnplacedDnsPod[] = [];
  const nodes = new Map((snapshot.kubernetes?.nodes ?? []).map((n) => [n.name, n]));
  const instances = clusterInstances(snapshot);
  for (const pod of snapshot.kubernetes?.dnsPods ?? []) {
    const namespace = pod.namespace ?? KUBE_SYSTEM_NAMESPACE;
    const address = parseIpAddress(pod.podIP);
    const owner = enis.ownerOf(address);
    if (!owner) {
      unplaced.push({
        name: pod.name,
        namespace,
        podIP: pod.podIP,
        reason: `no network interface in the snapshot owns ${pod.podIP} (not a primary, secondary, IPv6 or delegated-prefix address of any ENI)`,
      });
      continue;
    }
    const nodeInstance = instanceIdFromProviderId(nodes.get(pod.nodeName ?? '')?.providerID);
    const instanceId = owner.eni.instanceId ?? nodeInstance;
    placed.push({
      name: pod.name,
      namespace,
      podIP: pod.podIP,
      address,
      eni: owner.eni,
      holding: owner.holding,
      instanceId,
      nodeName: pod.nodeName ?? (instanceId === undefined ? undefined : instances.get(instanceId)),
    });
  }
  return { placed, unplaced };
}
