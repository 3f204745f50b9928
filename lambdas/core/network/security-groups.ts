/**
 * Security-group evaluation.
 *
 * Security groups are stateful and allow-only: a flow is allowed when the EGRESS rules of the
 * source ENI's groups (their union) allow it to the destination AND the INGRESS rules of the
 * destination ENI's groups allow it from the source; the reply then needs no rule. A rule's peer is
 * a CIDR (IPv4 or IPv6 — an IPv4 range never matches IPv6 traffic), a managed prefix list (its
 * CIDR entries), or a group reference, which matches the private addresses of every ENI that
 * carries that group. `IpProtocol "-1"` is every protocol and port; TCP/UDP rules carry a port
 * range; `tcp`/`6` and `udp`/`17` are the same protocol.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 */
import type {
  SnapshotIpPermission,
  SnapshotPrefixList,
  SnapshotSecurityGroup,
} from '../snapshot/network-snapshot-schema.js';
import { parseCidr, rangeHoldsAddress } from './cidr.js';
import type { AddressRange, IpAddress } from './cidr.js';
import { ALL_PORTS, intervalHolds } from './ports.js';
import type { PortInterval } from './ports.js';
import { hasPorts, parseProtocol, protocolMatches } from './protocol.js';
import type { ProtocolSpec } from './protocol.js';
import { NetworkEvaluationError } from './errors.js';

export type SecurityGroupDirection = 'egress' | 'ingress';

/** One `IpPermission`, compiled for fast matching. */
export interface CompiledSecurityGroupRule {
  readonly groupId: string;
  readonly direction: SecurityGroupDirection;
  /** position in IpPermissions / IpPermissionsEgress, for evidence */
  readonly index: number;
  readonly protocol: ProtocolSpec;
  /** the port range for TCP/UDP; every port otherwise */
  readonly ports: PortInterval;
  readonly cidrs: readonly AddressRange[];
  readonly groupIds: ReadonlySet<string>;
  /** CIDRs of the referenced prefix lists that the snapshot holds */
  readonly prefixListRanges: readonly AddressRange[];
  /** referenced prefix lists the snapshot does not hold: they may match anything */
  readonly unresolvedPrefixLists: readonly string[];
}

export interface CompiledSecurityGroup {
  readonly id: string;
  readonly name?: string;
  readonly ingress: readonly CompiledSecurityGroupRule[];
  readonly egress: readonly CompiledSecurityGroupRule[];
}

/** The other end of a flow, as a security-group rule sees it. */
export interface SecurityGroupPeer {
  readonly address: IpAddress;
  /** the groups carried by the peer's ENI (group references match on these) */
  readonly groupIds: readonly string[];
}

/** The flow being judged. `port` is the destination port. */
export interface SecurityGroupFlow {
  readonly protocol: number;
  readonly port: number;
}

/** The verdict of one side (the source's egress or the destination's ingress). */
export interface SecurityGroupSideVerdict {
  readonly direction: SecurityGroupDirection;
  /** `unknown`: no rule allows it for sure, but a group or prefix list is missing from the snapshot */
  readonly verdict: 'allow' | 'deny' | 'unknown';
  /** the groups whose rules were consulted (the ENI's groups) */
  readonly groups: readonly string[];
  /** the first rule that allowed the flow */
  readonly allowedBy?: { readonly groupId: string; readonly ruleIndex: number };
  /** groups or prefix lists the snapshot does not describe */
  readonly unresolved?: readonly string[];
}

function compileRule(
  groupId: string,
  direction: SecurityGroupDirection,
  index: number,
  permission: SnapshotIpPermission,
  prefixLists: ReadonlyMap<string, readonly AddressRange[]>,
): CompiledSecurityGroupRule {
  const protocol = parseProtocol(permission.IpProtocol);
  if (protocol === undefined) {
    throw new NetworkEvaluationError(
      `security group ${groupId}: unknown IpProtocol ${permission.IpProtocol}`,
    );
  }
  // FromPort/ToPort are ICMP type/code for ICMP and absent for "-1" / other protocols: only TCP/UDP ports filter.
  const from = permission.FromPort;
  const to = permission.ToPort;
  const ports: PortInterval =
    hasPorts(protocol) && from !== undefined && to !== undefined && from >= 0 && to >= from
      ? { from, to }
      : ALL_PORTS;
  const prefixListRanges: AddressRange[] = [];
  const unresolvedPrefixLists: string[] = [];
  for (const ref of permission.PrefixListIds) {
    const ranges = prefixLists.get(ref.PrefixListId);
    if (ranges) prefixListRanges.push(...ranges);
    else unresolvedPrefixLists.push(ref.PrefixListId);
  }
  return {
    groupId,
    direction,
    index,
    protocol,
    ports,
    cidrs: [
      ...permission.IpRanges.map((r) => parseCidr(r.CidrIp)),
      ...permission.Ipv6Ranges.map((r) => parseCidr(r.CidrIpv6)),
    ],
    groupIds: new Set(permission.UserIdGroupPairs.map((p) => p.GroupId)),
    prefixListRanges,
    unresolvedPrefixLists,
  };
}

/** The match of one rule against a peer: `maybe` when only an unresolved prefix list could match. */
function ruleMatches(
  rule: CompiledSecurityGroupRule,
  flow: SecurityGroupFlow,
  peer: SecurityGroupPeer,
): 'yes' | 'no' | 'maybe' {
  if (!protocolMatches(rule.protocol, flow.protocol)) return 'no';
  if (!intervalHolds(rule.ports, flow.port)) return 'no';
  for (const cidr of rule.cidrs) if (rangeHoldsAddress(cidr, peer.address)) return 'yes';
  for (const range of rule.prefixListRanges) if (rangeHoldsAddress(range, peer.address)) return 'yes';
  for (const groupId of peer.groupIds) if (rule.groupIds.has(groupId)) return 'yes';
  return rule.unresolvedPrefixLists.length > 0 ? 'maybe' : 'no';
}

/**
 * Every security group of a snapshot, compiled once. Group references resolve against the peer's
 * group set at evaluation time, so one index serves every path.
 */
export class SecurityGroupIndex {
  private readonly groups = new Map<string, CompiledSecurityGroup>();

  constructor(
    securityGroups: readonly SnapshotSecurityGroup[],
    prefixLists: readonly SnapshotPrefixList[] = [],
  ) {
    const prefixRanges = new Map<string, readonly AddressRange[]>(
      prefixLists.map((pl) => [pl.PrefixListId, pl.Entries.map((e) => parseCidr(e.Cidr))]),
    );
    for (const group of securityGroups) {
      this.groups.set(group.GroupId, {
        id: group.GroupId,
        ...(group.GroupName === undefined ? {} : { name: group.GroupName }),
        ingress: group.IpPermissions.map((p, i) => compileRule(group.GroupId, 'ingress', i, p, prefixRanges)),
        egress: group.IpPermissionsEgress.map((p, i) =>
          compileRule(group.GroupId, 'egress', i, p, prefixRanges),
        ),
      });
    }
  }

  get(groupId: string): CompiledSecurityGroup | undefined {
    return this.groups.get(groupId);
  }

  /**
   * Does the union of `groupIds`' rules in `direction` allow `flow` with `peer`?
   * Egress: `peer` is the destination. Ingress: `peer` is the source.
   */
  evaluateSide(
    groupIds: readonly string[],
    direction: SecurityGroupDirection,
    flow: SecurityGroupFlow,
    peer: SecurityGroupPeer,
  ): SecurityGroupSideVerdict {
    const unresolved: string[] = [];
    let maybe = false;
    for (const groupId of groupIds) {
      const group = this.groups.get(groupId);
      if (!group) {
        unresolved.push(groupId);
        continue;
      }
      for (const rule of direction === 'egress' ? group.egress : group.ingress) {
        const match = ruleMatches(rule, flow, peer);
        if (match === 'yes') {
          return {
            direction,
            verdict: 'allow',
            groups: groupIds,
            allowedBy: { groupId, ruleIndex: rule.index },
          };
        }
        if (match === 'maybe') {
          maybe = true;
          unresolved.push(...rule.unresolvedPrefixLists);
        }
      }
    }
    const verdict = maybe || unresolved.length > 0 ? 'unknown' : 'deny';
    return {
      direction,
      verdict,
      groups: groupIds,
      ...(unresolved.length > 0 ? { unresolved: [...new Set(unresolved)].sort() } : {}),
    };
  }
}

/** Both sides of a flow through security groups. */
export interface SecurityGroupPathVerdict {
  readonly verdict: 'allow' | 'deny' | 'unknown';
  readonly egress: SecurityGroupSideVerdict;
  readonly ingress: SecurityGroupSideVerdict;
}

/** Combines the two sides: any deny blocks; else any unknown leaves it undecided. */
export function combineSecurityGroupSides(
  egress: SecurityGroupSideVerdict,
  ingress: SecurityGroupSideVerdict,
): SecurityGroupPathVerdict {
  const verdicts = [egress.verdict, ingress.verdict];
  const verdict = verdicts.includes('deny') ? 'deny' : verdicts.includes('unknown') ? 'unknown' : 'allow';
  return { verdict, egress, ingress };
}

/**
 * Evaluates a flow from `source` (its ENI's groups) to `destination` (its ENI's groups): the
 * source's egress and the destination's ingress must both allow it.
 *
 * @example
 * evaluateSecurityGroupPath(index, { address: client, groupIds: ['sg-nodes'] },
 *   { address: corednsPodIp, groupIds: ['sg-cluster'] }, { protocol: UDP, port: 53 }).verdict // 'allow'
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 */
export function evaluateSecurityGroupPath(
  index: SecurityGroupIndex,
  source: SecurityGroupPeer,
  destination: SecurityGroupPeer,
  flow: SecurityGroupFlow,
): SecurityGroupPathVerdict {
  return combineSecurityGroupSides(
    index.evaluateSide(source.groupIds, 'egress', flow, destination),
    index.evaluateSide(destination.groupIds, 'ingress', flow, source),
  );
}
