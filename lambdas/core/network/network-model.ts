/**
 * Everything the evaluators need from one snapshot, built once: compiled security groups and
 * NACLs, the ENI/address index, subnet CIDRs, the VPC's CIDRs and the cluster's address family.
 */
import type { NetworkSnapshot } from '../snapshot/network-snapshot-schema.js';
import { parseCidr } from './cidr.js';
import type { AddressRange, Cidr, IpFamily } from './cidr.js';
import { EniIndex } from './eni-index.js';
import { NaclIndex } from './nacl.js';
import { SecurityGroupIndex } from './security-groups.js';

export interface NetworkModel {
  readonly snapshot: NetworkSnapshot;
  /** `kubernetesNetworkConfig.ipFamily`, default `ipv4`: the family pods and CoreDNS talk in */
  readonly family: IpFamily;
  readonly securityGroups: SecurityGroupIndex;
  readonly nacls: NaclIndex;
  readonly enis: EniIndex;
  /** subnet id → its CIDR blocks (IPv4 and IPv6) */
  readonly subnetRanges: ReadonlyMap<string, readonly AddressRange[]>;
  /** the VPC's CIDR blocks (primary first), IPv4 and IPv6 */
  readonly vpcCidrs: readonly Cidr[];
}

/** Builds the model once per snapshot; every check shares it. */
export function buildNetworkModel(snapshot: NetworkSnapshot): NetworkModel {
  const subnetRanges = new Map<string, AddressRange[]>();
  for (const subnet of snapshot.subnets) {
    const ranges: AddressRange[] = [];
    if (subnet.CidrBlock) ranges.push(parseCidr(subnet.CidrBlock));
    for (const a of subnet.Ipv6CidrBlockAssociationSet)
      if (a.Ipv6CidrBlock) ranges.push(parseCidr(a.Ipv6CidrBlock));
    subnetRanges.set(subnet.SubnetId, ranges);
  }
  const vpcCidrTexts = [
    snapshot.vpc.CidrBlock,
    ...snapshot.vpc.CidrBlockAssociationSet.filter((a) => a.CidrBlockState?.State !== 'disassociated').map(
      (a) => a.CidrBlock,
    ),
    ...snapshot.vpc.Ipv6CidrBlockAssociationSet.filter(
      (a) => a.Ipv6CidrBlockState?.State !== 'disassociated',
    ).map((a) => a.Ipv6CidrBlock),
  ].filter((t): t is string => t !== undefined);
  const seen = new Set<string>();
  const vpcCidrs: Cidr[] = [];
  for (const text of vpcCidrTexts) {
    const cidr = parseCidr(text);
    if (!seen.has(cidr.text)) {
      seen.add(cidr.text);
      vpcCidrs.push(cidr);
    }
  }
  const nacls = new NaclIndex(snapshot.networkAcls, snapshot.vpc.VpcId);
  return {
    snapshot,
    family: snapshot.cluster.kubernetesNetworkConfig?.ipFamily ?? 'ipv4',
    securityGroups: new SecurityGroupIndex(snapshot.securityGroups, snapshot.prefixLists),
    nacls,
    enis: new EniIndex(snapshot.networkInterfaces),
    subnetRanges,
    vpcCidrs,
  };
}
