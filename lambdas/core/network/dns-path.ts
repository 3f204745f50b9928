/**
 * One DNS path, client → server: security groups (client egress, server ingress) and — when the
 * path crosses a subnet boundary — the four NACL hops a stateless filter sees: the request leaves
 * the client subnet (egress, dst port 53) and enters the server subnet (ingress, dst port 53); the
 * reply leaves the server subnet (egress) and enters the client subnet (ingress), both to the
 * client's ephemeral port range. Two pods on one instance talking over that instance's own ENIs
 * never leave it, so neither security groups nor NACLs apply (`local`).
 *
 * @see ./README.md
 */
import type { IpAddress } from './cidr.js';
import type { IndexedEni } from './eni-index.js';
import { evaluateNaclDirection } from './nacl.js';
import type { NaclDirection, NaclRuleRef, NaclSegment } from './nacl.js';
import type { NetworkModel } from './network-model.js';
import { formatPortInterval, singlePort } from './ports.js';
import type { PortInterval } from './ports.js';
import type { DnsTransportProtocol } from './protocol.js';
import { evaluateSecurityGroupPath } from './security-groups.js';
import type { SecurityGroupPathVerdict } from './security-groups.js';

/** DNS server port. */
export const DNS_PORT = 53;

export interface PathEndpoint {
  readonly address: IpAddress;
  readonly eni: IndexedEni;
}

export interface DnsPathOptions {
  readonly protocol: DnsTransportProtocol;
  /** the client's ephemeral (source) port range the reply goes to */
  readonly ephemeralRange: PortInterval;
  /** @default 53 */
  readonly port?: number;
}

export type PathSide = 'client' | 'server';
export type PathLeg = 'request' | 'reply';

/** One NACL crossing of a DNS exchange. */
export interface NaclHop {
  /** undefined when the subnet's NACL could not be resolved from the snapshot */
  readonly naclId: string | undefined;
  readonly subnetId: string;
  readonly side: PathSide;
  readonly direction: NaclDirection;
  readonly leg: PathLeg;
  readonly ports: string;
  readonly verdict: 'allow' | 'deny' | 'partial' | 'unknown';
  readonly rule?: NaclRuleRef;
  readonly segments?: readonly NaclSegment[];
}

export interface NaclPathVerdict {
  /** `not-crossed`: both ends in one subnet */
  readonly verdict: 'allow' | 'deny' | 'partial' | 'unknown' | 'not-crossed';
  readonly hops: readonly NaclHop[];
}

/** Combines hop verdicts: deny beats partial beats unknown beats allow. */
export function combineNaclHops(hops: readonly NaclHop[]): NaclPathVerdict['verdict'] {
  const verdicts = new Set(hops.map((h) => h.verdict));
  if (verdicts.has('deny')) return 'deny';
  if (verdicts.has('partial')) return 'partial';
  if (verdicts.has('unknown')) return 'unknown';
  return 'allow';
}

function hop(
  model: NetworkModel,
  subnetId: string,
  side: PathSide,
  direction: NaclDirection,
  leg: PathLeg,
  protocol: number,
  peer: IpAddress,
  ports: PortInterval,
): NaclHop {
  const subnetNacl = model.nacls.forSubnet(subnetId);
  const base = { subnetId, side, direction, leg, ports: formatPortInterval(ports) };
  if (!subnetNacl) {
    // network-snapshot.md: every subnet in AWS has a NACL, so a subnet with neither an association
    // nor a default NACL in the snapshot is incomplete data — undecided (ERROR naming the subnet),
    // never allowed, whether or not a collection error explains the gap.
    return { ...base, naclId: undefined, verdict: 'unknown' };
  }
  const verdict = evaluateNaclDirection(subnetNacl.nacl, direction, { protocol, peer, ports });
  return {
    ...base,
    naclId: verdict.naclId,
    verdict: verdict.verdict,
    rule: verdict.rule,
    segments: verdict.segments,
  };
}

/** The two hops through the client subnet's NACL (request out, reply in); they depend on the server address only. */
export function clientSideNaclHops(
  model: NetworkModel,
  clientSubnetId: string,
  server: IpAddress,
  options: DnsPathOptions,
): NaclHop[] {
  const port = singlePort(options.port ?? DNS_PORT);
  return [
    hop(model, clientSubnetId, 'client', 'egress', 'request', options.protocol, server, port),
    hop(
      model,
      clientSubnetId,
      'client',
      'ingress',
      'reply',
      options.protocol,
      server,
      options.ephemeralRange,
    ),
  ];
}

/** The two hops through the server subnet's NACL (request in, reply out); they depend on the client address only. */
export function serverSideNaclHops(
  model: NetworkModel,
  serverSubnetId: string,
  client: IpAddress,
  options: DnsPathOptions,
): NaclHop[] {
  const port = singlePort(options.port ?? DNS_PORT);
  return [
    hop(model, serverSubnetId, 'server', 'ingress', 'request', options.protocol, client, port),
    hop(model, serverSubnetId, 'server', 'egress', 'reply', options.protocol, client, options.ephemeralRange),
  ];
}

/**
 * The NACL verdict of one DNS exchange between two addresses in two subnets.
 *
 * @example evaluateNaclPath(model, { subnetId: 'subnet-a', address: client }, { subnetId: 'subnet-b', address: pod }, { protocol: UDP, ephemeralRange: LINUX_EPHEMERAL_RANGE })
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
 */
export function evaluateNaclPath(
  model: NetworkModel,
  client: { readonly subnetId: string; readonly address: IpAddress },
  server: { readonly subnetId: string; readonly address: IpAddress },
  options: DnsPathOptions,
): NaclPathVerdict {
  if (client.subnetId === server.subnetId) return { verdict: 'not-crossed', hops: [] };
  const hops = [
    ...clientSideNaclHops(model, client.subnetId, server.address, options),
    ...serverSideNaclHops(model, server.subnetId, client.address, options),
  ];
  return { verdict: combineNaclHops(hops), hops };
}

/** True when traffic between the two ENIs never leaves one instance (both are that instance's own ENIs, or the same ENI). */
export function isInstanceLocal(a: IndexedEni, b: IndexedEni): boolean {
  if (a.id === b.id) return true;
  return !a.isBranch && !b.isBranch && a.instanceId !== undefined && a.instanceId === b.instanceId;
}

export interface DnsPathVerdict {
  readonly local: boolean;
  readonly securityGroups: SecurityGroupPathVerdict | undefined;
  readonly nacl: NaclPathVerdict;
}

/**
 * Evaluates one client → server DNS exchange (one protocol) through security groups and NACLs.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html
 */
export function evaluateDnsPath(
  model: NetworkModel,
  client: PathEndpoint,
  server: PathEndpoint,
  options: DnsPathOptions,
): DnsPathVerdict {
  if (isInstanceLocal(client.eni, server.eni)) {
    return { local: true, securityGroups: undefined, nacl: { verdict: 'not-crossed', hops: [] } };
  }
  const flow = { protocol: options.protocol, port: options.port ?? DNS_PORT };
  return {
    local: false,
    securityGroups: evaluateSecurityGroupPath(
      model.securityGroups,
      { address: client.address, groupIds: client.eni.groupIds },
      { address: server.address, groupIds: server.eni.groupIds },
      flow,
    ),
    nacl: evaluateNaclPath(
      model,
      { subnetId: client.eni.subnetId, address: client.address },
      { subnetId: server.eni.subnetId, address: server.address },
      options,
    ),
  };
}
