import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import { isAmazonProvidedDns } from '../../network/amazon-dns.js';
import { formatIpAddress, rangeHoldsAddress, tryParseIpAddress } from '../../network/cidr.js';
import type { IpAddress } from '../../network/cidr.js';
import {
  clientSideNaclHops,
  combineNaclHops,
  evaluateNaclPath,
  isInstanceLocal,
} from '../../network/dns-path.js';
import type { DnsPathOptions, NaclHop } from '../../network/dns-path.js';
import { describeBlockingElement, toNaclBlock, toSecurityGroupBlock } from '../../network/dns-pair-audit.js';
import type { BlockingElement } from '../../network/dns-pair-audit.js';
import type { PlacedDnsPod } from '../../network/dns-pod-placement.js';
import type { AddressOwner } from '../../network/eni-index.js';
import { isPort } from '../../network/ports.js';
import { protocolName, TCP, UDP } from '../../network/protocol.js';
import type { DnsTransportProtocol } from '../../network/protocol.js';
import type { AuditContext } from './audit-context.js';
import { AMAZON_PROVIDED_DNS, dhcpNameServers } from './dhcp-options.js';
import { bounded, placementOrResult, errorResult, resourceList, unplacedEvidence } from './evidence.js';

const ID = 'NET-UPSTREAM-REACH';
const RESOLV_CONF = '/etc/resolv.conf';

/** One forward target of CoreDNS, parsed. */
export interface UpstreamTarget {
  readonly text: string;
  /** undefined for `AmazonProvidedDNS` */
  readonly address: IpAddress | undefined;
  readonly port: number;
  readonly protocols: readonly DnsTransportProtocol[];
}

/**
 * Parses a Corefile forward target: `10.0.0.2`, `10.0.0.2:5353`, `[fd00::1]:53`, `dns://…`,
 * `tls://…` (TCP 853), or `AmazonProvidedDNS` (from the DHCP options). `undefined` when not one.
 *
 * @see https://coredns.io/plugins/forward/
 */
export function parseUpstream(text: string): UpstreamTarget | undefined {
  const trimmed = text.trim();
  if (trimmed === AMAZON_PROVIDED_DNS)
    return { text: trimmed, address: undefined, port: 53, protocols: [UDP, TCP] };
  const scheme = /^([a-z]+):\/\//.exec(trimmed)?.[1];
  const rest = scheme ? trimmed.slice(scheme.length + 3) : trimmed;
  const tlsLike = scheme === 'tls' || scheme === 'https' || scheme === 'grpc';
  if (scheme !== undefined && scheme !== 'dns' && !tlsLike) return undefined;
  const defaultPort = scheme === 'tls' ? 853 : scheme === 'https' || scheme === 'grpc' ? 443 : 53;
  let host = rest;
  let port = defaultPort;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const hostPort = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (hostPort) {
    host = hostPort[1]!;
    port = Number(hostPort[2]);
  }
  const address = tryParseIpAddress(host);
  if (!address || !isPort(port)) return undefined;
  return { text: trimmed, address, port, protocols: tlsLike ? [TCP] : [UDP, TCP] };
}

/** CoreDNS's upstreams: the Corefile's root-zone forwarders, `/etc/resolv.conf` meaning the DHCP name servers. */
function resolveUpstreams(
  ctx: AuditContext,
): { known: true; upstreams: string[]; source: string; notes: string[] } | { known: false; reason: string } {
  const configured = ctx.snapshot.kubernetes?.upstreams;
  const raw = configured ?? [RESOLV_CONF];
  const out: string[] = [];
  const notes: string[] = [];
  for (const entry of raw) {
    if (entry.trim() !== RESOLV_CONF) {
      out.push(entry.trim());
      continue;
    }
    const dhcp = dhcpNameServers(ctx.snapshot);
    if (!dhcp.known)
      return { known: false, reason: `CoreDNS forwards to the nodes' resolv.conf, but ${dhcp.reason}` };
    out.push(...(dhcp.servers.length > 0 ? dhcp.servers : [AMAZON_PROVIDED_DNS]));
    if (dhcp.note) notes.push(dhcp.note);
  }
  return {
    known: true,
    upstreams: [...new Set(out)],
    notes: [...new Set(notes)],
    source: configured
      ? 'kubernetes.upstreams (Corefile forward .)'
      : "nodes' resolv.conf (DHCP domain-name-servers)",
  };
}

interface PodProtocolFinding {
  readonly corednsPod: string;
  readonly protocol: 'udp' | 'tcp';
  readonly verdict: 'blocked' | 'undetermined';
  readonly summary: string;
  readonly elements: readonly BlockingElement[];
}

function sourceAddress(pod: PlacedDnsPod, family: IpAddress['family']): IpAddress | undefined {
  if (pod.address.family === family) return pod.address;
  // A pod of the other family leaves through its ENI's address of this family (e.g. IPv6 pods' IPv4 egress via the node).
  const range = pod.eni.ranges.find((r) => r.range.family === family && r.holding !== 'prefix')?.range;
  return range ? { family, value: range.first } : undefined;
}

function evaluateFromPod(
  ctx: AuditContext,
  pod: PlacedDnsPod,
  upstream: UpstreamTarget & { address: IpAddress },
  owner: AddressOwner | undefined,
  upstreamSubnetId: string | undefined,
): PodProtocolFinding[] {
  const source = sourceAddress(pod, upstream.address.family);
  const findings: PodProtocolFinding[] = [];
  const roles = { client: 'CoreDNS pod', server: `upstream ${upstream.text}` };
  for (const protocol of upstream.protocols) {
    const name = protocolName(protocol);
    if (!source) {
      findings.push({
        corednsPod: pod.name,
        protocol: name,
        verdict: 'undetermined',
        summary: `${pod.name} has no ${upstream.address.family} address to reach ${upstream.text} from`,
        elements: [],
      });
      continue;
    }
    if (owner && isInstanceLocal(pod.eni, owner.eni)) continue;
    const flow = { protocol, port: upstream.port };
    const options: DnsPathOptions = { protocol, port: upstream.port, ephemeralRange: ctx.ephemeralRange };
    const egress = ctx.model.securityGroups.evaluateSide(pod.eni.groupIds, 'egress', flow, {
      address: upstream.address,
      groupIds: owner?.eni.groupIds ?? [],
    });
    const ingress = owner
      ? ctx.model.securityGroups.evaluateSide(owner.eni.groupIds, 'ingress', flow, {
          address: source,
          groupIds: pod.eni.groupIds,
        })
      : undefined;
    let hops: readonly NaclHop[];
    if (upstreamSubnetId !== undefined) {
      // In the VPC: both subnets' NACLs (the upstream's subnet from its ENI, else from the subnet CIDRs).
      hops = evaluateNaclPath(
        ctx.model,
        { subnetId: pod.eni.subnetId, address: source },
        { subnetId: upstreamSubnetId, address: upstream.address },
        options,
      ).hops;
    } else {
      // Beyond the VPC (or outside every known subnet) only the CoreDNS side is visible: its SG egress and subnet NACL.
      hops = clientSideNaclHops(ctx.model, pod.eni.subnetId, upstream.address, options);
    }
    const elements: BlockingElement[] = [
      toSecurityGroupBlock('client', egress),
      ingress ? toSecurityGroupBlock('server', ingress) : undefined,
      ...(combineNaclHops(hops) === 'allow' ? [] : hops.map(toNaclBlock)),
    ].filter((e): e is BlockingElement => e !== undefined);
    if (elements.length === 0) continue;
    const blocked = elements.some((e) => e.verdict === 'deny' || e.verdict === 'partial');
    findings.push({
      corednsPod: pod.name,
      protocol: name,
      verdict: blocked ? 'blocked' : 'undetermined',
      summary: elements.map((e) => describeBlockingElement(e, name, roles, upstream.port)).join('; '),
      elements,
    });
  }
  return findings;
}

/** The subnet whose CIDR blocks hold `address`, if the snapshot has one. */
function subnetHolding(ctx: AuditContext, address: IpAddress): string | undefined {
  for (const [subnetId, ranges] of ctx.model.subnetRanges)
    if (ranges.some((r) => rangeHoldsAddress(r, address))) return subnetId;
  return undefined;
}

/**
 * NET-UPSTREAM-REACH: can every CoreDNS ENI reach every upstream it forwards to? The Amazon DNS
 * server is never filtered; an in-VPC resolver is judged on both sides (SGs and NACLs); an
 * upstream beyond the VPC is PASS with a note (checks.md § A: the path beyond the VPC is not
 * visible), the note quoting whatever the CoreDNS side (SG egress, subnet NACL) would block.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver.html
 */
export function checkUpstreamReach(ctx: AuditContext): CheckResult {
  const gate = placementOrResult(ctx, ID);
  if ('result' in gate) return gate.result;
  const { placed, unplaced } = gate.placement;
  const resolved = resolveUpstreams(ctx);
  if (!resolved.known) return errorResult(ID, resolved.reason);

  const notes: string[] = [...resolved.notes];
  const results = resolved.upstreams.map((text) => {
    const upstream = parseUpstream(text);
    if (!upstream) {
      return {
        upstream: text,
        kind: 'unparsed',
        verdict: 'undetermined' as const,
        findings: [] as PodProtocolFinding[],
        note: `not an address CoreDNS forwards to: ${JSON.stringify(text)}`,
      };
    }
    if (upstream.address === undefined || isAmazonProvidedDns(upstream.address, ctx.model.vpcCidrs)) {
      return {
        upstream: text,
        kind: 'amazon-dns',
        verdict: 'reachable' as const,
        findings: [],
        note: 'the Amazon-provided DNS server is not filtered by security groups or network ACLs',
      };
    }
    const address = upstream.address;
    const inVpc = ctx.model.vpcCidrs.some((c) => rangeHoldsAddress(c, address));
    const owner = inVpc ? ctx.model.enis.ownerOf(address) : undefined;
    const upstreamSubnetId = inVpc ? (owner?.eni.subnetId ?? subnetHolding(ctx, address)) : undefined;
    const findings = placed.flatMap((pod) =>
      evaluateFromPod(ctx, pod, { ...upstream, address }, owner, upstreamSubnetId),
    );
    if (!inVpc) {
      // checks.md § A: an upstream outside the VPC's CIDRs is PASS with a note — the path beyond the
      // VPC is not visible. What the CoreDNS side shows (its SG egress, its subnet NACL) goes into the note.
      const visible = findings.filter((f) => f.verdict === 'blocked');
      return {
        upstream: text,
        kind: 'outside-vpc',
        port: upstream.port,
        verdict: 'reachable' as const,
        findings,
        note:
          `${text} is outside the VPC: the path beyond the VPC is not visible here` +
          (visible.length > 0
            ? `; on the CoreDNS side, ${visible.map((f) => `${f.corednsPod} ${f.protocol}: ${f.summary}`).join('; ')}`
            : ''),
      };
    }
    const blocked = findings.some((f) => f.verdict === 'blocked');
    // Without an ENI for the upstream, its subnet's NACL still decides (checks.md § A judges SG egress
    // and NACLs); only an address outside every known subnet leaves the path undecided.
    const undetermined =
      findings.some((f) => f.verdict === 'undetermined') || (!owner && upstreamSubnetId === undefined);
    const verdict = blocked
      ? ('blocked' as const)
      : undetermined
        ? ('undetermined' as const)
        : ('reachable' as const);
    let note: string | undefined;
    if (!owner)
      note =
        upstreamSubnetId === undefined
          ? `no ENI in the snapshot owns ${formatIpAddress(address)}: its own security groups and subnet NACL could not be evaluated`
          : `no ENI in the snapshot owns ${formatIpAddress(address)}: CoreDNS's security-group egress and the NACLs of both subnets (its subnet ${upstreamSubnetId}) were evaluated, the upstream's own security groups could not be`;
    return {
      upstream: text,
      kind: 'in-vpc',
      ...(owner ? { eni: owner.eni.id, subnet: owner.eni.subnetId, groups: owner.eni.groupIds } : {}),
      port: upstream.port,
      verdict,
      findings,
      ...(note ? { note } : {}),
    };
  });
  for (const r of results)
    if (r.note && r.kind !== 'amazon-dns' && r.verdict === 'reachable') notes.push(r.note);

  const shown = bounded(results);
  const evidence = {
    source: resolved.source,
    corednsPods: placed.map((p) => ({
      name: p.name,
      eni: p.eni.id,
      subnet: p.eni.subnetId,
      groups: p.eni.groupIds,
    })),
    upstreams: shown.items.map((r) => {
      const findings = bounded(r.findings);
      return { ...r, findings: findings.items, ...(findings.truncated ? { truncated: true } : {}) };
    }),
    ...(unplaced.length > 0 ? { unplacedPods: unplacedEvidence(unplaced) } : {}),
    ...(shown.truncated ? { truncated: true } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  const blocked = results.filter((r) => r.verdict === 'blocked');
  if (blocked.length > 0) {
    const first = blocked[0]!.findings.find((f) => f.verdict === 'blocked');
    return makeResult(ID, {
      status: 'FAIL',
      evidence: {
        summary: `upstream ${blocked.map((r) => r.upstream).join(', ')} blocked from CoreDNS${first ? ` (${first.corednsPod} ${first.protocol}: ${first.summary})` : ''}`,
        ...evidence,
        resources: resourceList(
          blocked.flatMap((r) => [
            r.upstream,
            ...r.findings.flatMap((f) => [
              f.corednsPod,
              ...f.elements.flatMap((e): (string | null)[] =>
                e.element === 'security-group' ? [...e.groups] : [e.naclId],
              ),
            ]),
          ]),
        ),
      },
    });
  }
  const undetermined = results.filter((r) => r.verdict === 'undetermined');
  // Pods that could not be placed have unknown security groups and subnets: only the Amazon DNS server is certain for them.
  const filteredUpstreams = results.filter((r) => r.kind !== 'amazon-dns');
  const unplacedMatters = unplaced.length > 0 && filteredUpstreams.length > 0;
  if (undetermined.length > 0 || unplacedMatters) {
    const parts = [
      ...(undetermined.length > 0
        ? [
            `could not decide whether ${undetermined.map((r) => r.upstream).join(', ')} is reachable: ${undetermined.map((r) => r.note ?? r.findings[0]?.summary ?? '').join('; ')}`,
          ]
        : []),
      ...(unplacedMatters
        ? [
            `CoreDNS pod(s) not placed on an ENI, their path is unknown: ${unplaced.map((p) => `${p.name} (${p.podIP})`).join(', ')}`,
          ]
        : []),
    ];
    const reason = parts.join('; ');
    return makeResult(ID, { status: 'ERROR', evidence: { reason, summary: reason, ...evidence } });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: {
      summary: `every upstream (${resolved.upstreams.join(', ')}) is reachable from the ${placed.length} CoreDNS pod(s)`,
      ...evidence,
    },
  });
}
