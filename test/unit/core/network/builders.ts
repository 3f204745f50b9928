/** Small builders for evaluator tests: parsed-snapshot shapes (every optional array present). */
import type {
  SnapshotIpPermission,
  SnapshotNetworkAcl,
  SnapshotNetworkAclEntry,
  SnapshotSecurityGroup,
} from '../../../../lambdas/core/snapshot/index.js';

export interface Peers {
  cidrs?: string[];
  cidrs6?: string[];
  groups?: string[];
  prefixLists?: string[];
}

export function rule(
  protocol: string,
  ports: [number, number] | undefined,
  peers: Peers,
): SnapshotIpPermission {
  return {
    IpProtocol: protocol,
    ...(ports ? { FromPort: ports[0], ToPort: ports[1] } : {}),
    IpRanges: (peers.cidrs ?? []).map((CidrIp) => ({ CidrIp })),
    Ipv6Ranges: (peers.cidrs6 ?? []).map((CidrIpv6) => ({ CidrIpv6 })),
    PrefixListIds: (peers.prefixLists ?? []).map((PrefixListId) => ({ PrefixListId })),
    UserIdGroupPairs: (peers.groups ?? []).map((GroupId) => ({ GroupId })),
  };
}

export function group(
  id: string,
  ingress: SnapshotIpPermission[],
  egress: SnapshotIpPermission[] = [],
): SnapshotSecurityGroup {
  return { GroupId: id, IpPermissions: ingress, IpPermissionsEgress: egress };
}

export function entry(
  rule: number,
  egress: boolean,
  action: 'allow' | 'deny',
  protocol: string,
  cidr: string,
  ports?: [number, number],
): SnapshotNetworkAclEntry {
  return {
    RuleNumber: rule,
    Egress: egress,
    RuleAction: action,
    Protocol: protocol,
    ...(cidr.includes(':') ? { Ipv6CidrBlock: cidr } : { CidrBlock: cidr }),
    ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
  };
}

export function acl(
  id: string,
  entries: SnapshotNetworkAclEntry[],
  subnets: string[] = [],
  isDefault = false,
): SnapshotNetworkAcl {
  return {
    NetworkAclId: id,
    IsDefault: isDefault,
    Entries: entries,
    Associations: subnets.map((SubnetId) => ({ SubnetId, NetworkAclId: id })),
  };
}
