/**
 * Who owns an address: every ENI of the snapshot with all its addresses — the primary and
 * secondary private IPv4 addresses, IPv6 addresses, and delegated prefixes (`Ipv4Prefixes` /
 * `Ipv6Prefixes`, from which the VPC CNI hands out pod IPs in prefix mode). A pod's traffic
 * carries the security groups and subnet of the ENI that owns its IP.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-increase-ip-addresses.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html
 */
import type { SnapshotNetworkInterface } from '../snapshot/network-snapshot-schema.js';
import { addressAsRange, addressKey, parseCidr, parseIpAddress, rangeHoldsAddress } from './cidr.js';
import type { AddressRange, IpAddress, IpFamily } from './cidr.js';

/** The tag the VPC resource controller puts on a branch ENI, naming its trunk ENI. */
export const TRUNK_ENI_TAG = 'vpcresources.k8s.aws/trunk-eni-id';

/** The description the VPC resource controller gives a branch ENI (security groups for pods). */
export const BRANCH_ENI_DESCRIPTION = 'aws-k8s-branch-eni';

/**
 * A branch ENI: `InterfaceType: "branch"`; or, when a snapshot leaves `InterfaceType` out, the
 * controller's description on an ENI with no attachment (the other two marks network-snapshot.md
 * names). An attached ENI is never a branch.
 */
function isBranchEni(raw: SnapshotNetworkInterface): boolean {
  if (raw.InterfaceType !== undefined) return raw.InterfaceType === 'branch';
  return raw.Description === BRANCH_ENI_DESCRIPTION && raw.Attachment === undefined;
}

/** How an ENI holds an address. */
export type AddressHolding = 'primary' | 'secondary' | 'ipv6' | 'prefix';

export interface OwnedRange {
  readonly range: AddressRange;
  readonly holding: AddressHolding;
}

export interface IndexedEni {
  readonly id: string;
  readonly subnetId: string;
  /** `interface` (default), `branch`, `trunk`, … as EC2 reports it */
  readonly interfaceType: string;
  readonly isBranch: boolean;
  /** the instance it is attached to; for a branch ENI, its trunk ENI's instance */
  readonly instanceId: string | undefined;
  /** sorted, deduplicated */
  readonly groupIds: readonly string[];
  /** `groupIds` joined: equal keys mean equal security-group treatment */
  readonly groupKey: string;
  readonly ranges: readonly OwnedRange[];
  readonly tags: ReadonlyMap<string, string>;
}

export interface AddressOwner {
  readonly eni: IndexedEni;
  readonly holding: AddressHolding;
}

function ownedRanges(raw: SnapshotNetworkInterface): OwnedRange[] {
  const ranges: OwnedRange[] = [];
  const seen = new Set<number | string>();
  const addSingle = (text: string, holding: AddressHolding) => {
    const address = parseIpAddress(text);
    const key = addressKey(address);
    if (seen.has(key)) return;
    seen.add(key);
    ranges.push({ range: addressAsRange(address), holding });
  };
  if (raw.PrivateIpAddress) addSingle(raw.PrivateIpAddress, 'primary');
  for (const p of raw.PrivateIpAddresses) addSingle(p.PrivateIpAddress, p.Primary ? 'primary' : 'secondary');
  if (raw.Ipv6Address) addSingle(raw.Ipv6Address, 'ipv6');
  for (const a of raw.Ipv6Addresses) addSingle(a.Ipv6Address, 'ipv6');
  for (const p of raw.Ipv4Prefixes) ranges.push({ range: parseCidr(p.Ipv4Prefix), holding: 'prefix' });
  for (const p of raw.Ipv6Prefixes) ranges.push({ range: parseCidr(p.Ipv6Prefix), holding: 'prefix' });
  return ranges;
}

/**
 * Every ENI of a snapshot, indexed by id and by address (exact addresses in a map, delegated
 * prefixes by range).
 */
export class EniIndex {
  private readonly byId = new Map<string, IndexedEni>();
  private readonly byAddress = new Map<number | string, AddressOwner>();
  private readonly prefixes: { range: AddressRange; eni: IndexedEni }[] = [];

  constructor(networkInterfaces: readonly SnapshotNetworkInterface[]) {
    const attachedInstance = new Map<string, string>();
    for (const raw of networkInterfaces) {
      if (raw.Attachment?.InstanceId) attachedInstance.set(raw.NetworkInterfaceId, raw.Attachment.InstanceId);
    }
    for (const raw of networkInterfaces) {
      const tags = new Map(raw.TagSet.map((t) => [t.Key, t.Value ?? '']));
      const isBranch = isBranchEni(raw);
      const interfaceType = raw.InterfaceType ?? (isBranch ? 'branch' : 'interface');
      const trunk = tags.get(TRUNK_ENI_TAG);
      const instanceId =
        raw.Attachment?.InstanceId ??
        (isBranch && trunk !== undefined ? attachedInstance.get(trunk) : undefined);
      const groupIds = [...new Set(raw.Groups.map((g) => g.GroupId))].sort();
      const eni: IndexedEni = {
        id: raw.NetworkInterfaceId,
        subnetId: raw.SubnetId,
        interfaceType,
        isBranch,
        instanceId,
        groupIds,
        groupKey: groupIds.join(','),
        ranges: ownedRanges(raw),
        tags,
      };
      this.byId.set(eni.id, eni);
      for (const owned of eni.ranges) {
        if (owned.holding === 'prefix') this.prefixes.push({ range: owned.range, eni });
        else
          this.byAddress.set(addressKey({ family: owned.range.family, value: owned.range.first }), {
            eni,
            holding: owned.holding,
          });
      }
    }
  }

  get(eniId: string): IndexedEni | undefined {
    return this.byId.get(eniId);
  }

  all(): IterableIterator<IndexedEni> {
    return this.byId.values();
  }

  /** The ENI that owns `address` (an exact address first, then a delegated prefix holding it). */
  ownerOf(address: IpAddress): AddressOwner | undefined {
    const exact = this.byAddress.get(addressKey(address));
    if (exact) return exact;
    for (const prefix of this.prefixes) {
      if (rangeHoldsAddress(prefix.range, address)) return { eni: prefix.eni, holding: 'prefix' };
    }
    return undefined;
  }
}

/** The ranges of `eni` in one address family. */
export function eniRangesOf(eni: IndexedEni, family: IpFamily): readonly OwnedRange[] {
  return eni.ranges.filter((r) => r.range.family === family);
}
