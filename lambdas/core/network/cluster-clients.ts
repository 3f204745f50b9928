/**
 * Which ENIs are this cluster's DNS clients. VPCs are often shared by several clusters and other
 * workloads, so only these count: the node ENIs (every ENI attached to an instance named by a
 * node's `providerID` — pods on the VPC CNI send from their node ENI's addresses, with its
 * security groups and subnet) and the cluster's branch ENIs (security groups for pods), recognised
 * by a `kubernetes.io/cluster/<name>` tag or by their trunk ENI being attached to a node.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html
 * @see https://kubernetes.io/docs/reference/node/node-status/ (providerID)
 */
import type { NetworkSnapshot } from '../snapshot/network-snapshot-schema.js';
import { TRUNK_ENI_TAG } from './eni-index.js';
import type { EniIndex, IndexedEni } from './eni-index.js';

export type ClientKind = 'node' | 'branch';

export interface ClientEni {
  readonly eni: IndexedEni;
  readonly kind: ClientKind;
}

/** `aws:///eu-west-1a/i-0abc123` → `i-0abc123`; `undefined` for anything else. */
export function instanceIdFromProviderId(providerID: string | undefined): string | undefined {
  if (!providerID) return undefined;
  const match = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerID.trim());
  return match?.[1];
}

/** The EC2 instances behind `kubernetes.nodes`, mapped to their node names. */
export function clusterInstances(snapshot: NetworkSnapshot): Map<string, string> {
  const instances = new Map<string, string>();
  for (const node of snapshot.kubernetes?.nodes ?? []) {
    const instanceId = instanceIdFromProviderId(node.providerID);
    if (instanceId) instances.set(instanceId, node.name);
  }
  return instances;
}

/**
 * The cluster's client ENIs: node ENIs plus this cluster's branch ENIs, in snapshot order.
 *
 * @see ../../../../shared/network-snapshot.md ("Whose ENIs are clients")
 */
export function clusterClientEnis(snapshot: NetworkSnapshot, enis: EniIndex): ClientEni[] {
  const instances = clusterInstances(snapshot);
  const clusterTag = `kubernetes.io/cluster/${snapshot.cluster.name}`;
  const clients: ClientEni[] = [];
  for (const eni of enis.all()) {
    if (eni.isBranch) {
      const trunk = eni.tags.get(TRUNK_ENI_TAG);
      const trunkInstance = trunk === undefined ? undefined : enis.get(trunk)?.instanceId;
      if (eni.tags.has(clusterTag) || (trunkInstance !== undefined && instances.has(trunkInstance))) {
        clients.push({ eni, kind: 'branch' });
      }
    } else if (eni.instanceId !== undefined && instances.has(eni.instanceId)) {
      clients.push({ eni, kind: 'node' });
    }
  }
  return clients;
}
