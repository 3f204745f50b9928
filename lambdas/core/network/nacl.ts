/**
 * Network ACL evaluation.
 *
 * NACLs are stateless and sit at the subnet boundary: a flow between two subnets passes the source
 * subnet's NACL outbound and the destination subnet's NACL inbound, and its reply passes both
 * again in the other direction — so a DNS request to port 53 AND the reply to the client's
 * ephemeral port must each be allowed. Traffic between two ENIs of one subnet never meets a NACL.
 * Entries are evaluated in ascending `RuleNumber` (whatever order the API lists them), the first
 * entry that matches protocol, address and destination port decides, and the final `*` entry
 * (listed as RuleNumber 32767 for IPv4, 32768 for IPv6; implicit when absent) denies. An entry's `CidrBlock` matches only IPv4 traffic and its
 * `Ipv6CidrBlock` only IPv6 traffic. `PortRange` is the destination port range of TCP/UDP.
 *
 * The reply goes to the client's ephemeral port, one port of a range (Linux default
 * 32768–60999). The verdict therefore covers the whole range: a rule set that allows only part of
 * it lets some lookups through and silently drops others, and is reported as `partial`.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
 * @see https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html (ip_local_port_range)
 */
import type { SnapshotNetworkAcl } from '../snapshot/network-snapshot-schema.js';
import { parseCidr, rangeHoldsAddress } from './cidr.js';
import type { AddressRange, IpAddress } from './cidr.js';
import { ALL_PORTS, intersectIntervals, subtractInterval } from './ports.js';
import type { PortInterval } from './ports.js';
import { hasPorts, parseProtocol, protocolMatches } from './protocol.js';
import type { ProtocolSpec } from './protocol.js';
import { NetworkEvaluationError } from './errors.js';

/**
 * RuleNumbers of the final, unchangeable deny entries (`*` in the console): DescribeNetworkAcls
 * lists the IPv4 one as 32767 and the IPv6 one as 32768.
 */
export const NACL_DEFAULT_RULE_NUMBERS: readonly number[] = [32767, 32768];

export type NaclDirection = 'ingress' | 'egress';
/** The rule that decided: its number, or `*` for the final deny (listed or implicit). */
export type NaclRuleRef = number | '*';

export interface CompiledNaclEntry {
  readonly ruleNumber: number;
  readonly action: 'allow' | 'deny';
  readonly protocol: ProtocolSpec;
  readonly range: AddressRange;
  readonly ports: PortInterval;
}

export interface CompiledNacl {
  readonly id: string;
  readonly isDefault: boolean;
  /** sorted by RuleNumber ascending */
  readonly ingress: readonly CompiledNaclEntry[];
  readonly egress: readonly CompiledNaclEntry[];
}

/** A stretch of the destination port range decided by one entry. */
export interface NaclSegment {
  readonly from: number;
  readonly to: number;
  readonly action: 'allow' | 'deny';
  readonly rule: NaclRuleRef;
}

/** What one NACL decides for traffic crossing it in one direction. */
export interface NaclVerdict {
  readonly naclId: string;
  readonly direction: NaclDirection;
  /** `partial`: some destination ports of the range are allowed, others denied */
  readonly verdict: 'allow' | 'deny' | 'partial';
  /** the deciding rule when one rule decides the whole range; else the first denying rule */
  readonly rule: NaclRuleRef;
  /** the range split by deciding entry, ascending */
  readonly segments: readonly NaclSegment[];
}

/** The traffic crossing the NACL: protocol, the far end's address and the destination ports. */
export interface NaclTraffic {
  readonly protocol: number;
  /** the source address for ingress, the destination address for egress */
  readonly peer: IpAddress;
  readonly ports: PortInterval;
}

function compileEntry(
  naclId: string,
  entry: SnapshotNetworkAcl['Entries'][number],
): CompiledNaclEntry | undefined {
  const protocol = parseProtocol(entry.Protocol);
  if (protocol === undefined)
    throw new NetworkEvaluationError(`network ACL ${naclId}: unknown Protocol ${entry.Protocol}`);
  const cidrText = entry.CidrBlock ?? entry.Ipv6CidrBlock;
  // An entry without a CIDR matches no traffic (the API never returns one; a hand-written fixture might).
  if (cidrText === undefined) return undefined;
  const from = entry.PortRange?.From;
  const to = entry.PortRange?.To;
  const ports =
    hasPorts(protocol) && from !== undefined && to !== undefined && from >= 0 && to >= from
      ? { from, to }
      : ALL_PORTS;
  return {
    ruleNumber: entry.RuleNumber,
    action: entry.RuleAction,
    protocol,
    range: parseCidr(cidrText),
    ports,
  };
}

/** Compiles one NACL: entries split by direction and sorted by RuleNumber. */
export function compileNacl(nacl: SnapshotNetworkAcl): CompiledNacl {
  const ingress: CompiledNaclEntry[] = [];
  const egress: CompiledNaclEntry[] = [];
  for (const entry of nacl.Entries) {
    const compiled = compileEntry(nacl.NetworkAclId, entry);
    if (compiled) (entry.Egress ? egress : ingress).push(compiled);
  }
  const byNumber = (a: CompiledNaclEntry, b: CompiledNaclEntry) => a.ruleNumber - b.ruleNumber;
  return {
    id: nacl.NetworkAclId,
    isDefault: nacl.IsDefault === true,
    ingress: ingress.sort(byNumber),
    egress: egress.sort(byNumber),
  };
}

const ruleRef = (ruleNumber: number): NaclRuleRef =>
  NACL_DEFAULT_RULE_NUMBERS.includes(ruleNumber) ? '*' : ruleNumber;

/**
 * Evaluates traffic crossing `nacl` in `direction`: walks the entries in ascending RuleNumber; each
 * matching entry decides the still-undecided part of the port range; what is left falls to `*`.
 *
 * @example
 * evaluateNaclDirection(nacl, 'ingress', { protocol: UDP, peer: clientIp, ports: singlePort(53) })
 * // { verdict: 'deny', rule: 90, segments: [{ from: 53, to: 53, action: 'deny', rule: 90 }], … }
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 */
export function evaluateNaclDirection(
  nacl: CompiledNacl,
  direction: NaclDirection,
  traffic: NaclTraffic,
): NaclVerdict {
  let undecided: PortInterval[] = [traffic.ports];
  const segments: NaclSegment[] = [];
  for (const entry of direction === 'egress' ? nacl.egress : nacl.ingress) {
    if (undecided.length === 0) break;
    if (!protocolMatches(entry.protocol, traffic.protocol) || !rangeHoldsAddress(entry.range, traffic.peer))
      continue;
    let next = undecided;
    for (const piece of undecided) {
      const decided = intersectIntervals(piece, entry.ports);
      if (!decided) continue;
      segments.push({ ...decided, action: entry.action, rule: ruleRef(entry.ruleNumber) });
      next = subtractInterval(next, decided);
    }
    undecided = next;
  }
  for (const piece of undecided) segments.push({ ...piece, action: 'deny', rule: '*' });
  segments.sort((a, b) => a.from - b.from);
  const allowed = segments.some((s) => s.action === 'allow');
  const denied = segments.find((s) => s.action === 'deny');
  const verdict = !denied ? 'allow' : allowed ? 'partial' : 'deny';
  const rule: NaclRuleRef = denied ? denied.rule : (segments[0]?.rule ?? '*');
  return { naclId: nacl.id, direction, verdict, rule, segments };
}

/** How a subnet got its NACL. */
export interface SubnetNacl {
  readonly nacl: CompiledNacl;
  readonly via: 'association' | 'default';
}

/**
 * Every NACL of a snapshot, compiled once, and the subnet → NACL mapping: an explicit association,
 * else the VPC's default NACL.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html#default-network-acl
 */
export class NaclIndex {
  private readonly byId = new Map<string, CompiledNacl>();
  private readonly bySubnet = new Map<string, CompiledNacl>();
  private readonly defaultNacl: CompiledNacl | undefined;

  constructor(networkAcls: readonly SnapshotNetworkAcl[], vpcId?: string) {
    let defaultNacl: CompiledNacl | undefined;
    for (const raw of networkAcls) {
      if (vpcId !== undefined && raw.VpcId !== undefined && raw.VpcId !== vpcId) continue;
      const nacl = compileNacl(raw);
      this.byId.set(nacl.id, nacl);
      if (nacl.isDefault) defaultNacl = nacl;
      for (const association of raw.Associations) {
        if (association.SubnetId) this.bySubnet.set(association.SubnetId, nacl);
      }
    }
    this.defaultNacl = defaultNacl;
  }

  get(naclId: string): CompiledNacl | undefined {
    return this.byId.get(naclId);
  }

  /** How many NACLs of the VPC the index holds. */
  get size(): number {
    return this.byId.size;
  }

  /** The NACL guarding `subnetId`, or `undefined` when neither an association nor a default NACL is known. */
  forSubnet(subnetId: string): SubnetNacl | undefined {
    const associated = this.bySubnet.get(subnetId);
    if (associated) return { nacl: associated, via: 'association' };
    return this.defaultNacl ? { nacl: this.defaultNacl, via: 'default' } : undefined;
  }
}
