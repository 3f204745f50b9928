/**
 * NET-RESOLVER-RULES (checks.md § C, network-snapshot.md § Format @2): the Route 53 Resolver
 * FORWARD rules associated with the cluster VPC and their outbound endpoints — status, subnet
 * spread, and whether each endpoint IP reaches a target through its security groups and NACLs
 * (the same path logic as the DNS pair checks).
 */
import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import { formatIpAddress, rangeHoldsAddress, tryParseIpAddress } from '../../network/cidr.js';
import type { IpAddress } from '../../network/cidr.js';
import { clientSideNaclHops, combineNaclHops, evaluateNaclPath } from '../../network/dns-path.js';
import type { DnsPathOptions, NaclHop } from '../../network/dns-path.js';
import { describeBlockingElement, toNaclBlock, toSecurityGroupBlock } from '../../network/dns-pair-audit.js';
import type { BlockingElement } from '../../network/dns-pair-audit.js';
import { protocolName, TCP, UDP } from '../../network/protocol.js';
import type { DnsTransportProtocol } from '../../network/protocol.js';
import type {
  SnapshotResolverEndpoint,
  SnapshotResolverRule,
} from '../../snapshot/network-snapshot-schema.js';
import type { AuditContext } from './audit-context.js';
import { bounded, resourceList } from './evidence.js';
import { associatedRules, neededNames, resolverGate, routeOf } from './resolver-names.js';

const ID = 'NET-RESOLVER-RULES';
const OPERATIONAL = 'OPERATIONAL';
const ATTACHED = 'ATTACHED';
/** DoH targets are reached on TCP 443 (network-snapshot.md, "Settled details"). */
const DOH_PORT = 443;

/** One rule target as the path is judged. */
interface Target {
  readonly text: string;
  readonly address: IpAddress | undefined;
  readonly port: number;
  readonly protocols: readonly DnsTransportProtocol[];
}

function targetsOf(rule: SnapshotResolverRule): Target[] {
  return rule.TargetIps.map((t) => {
    const doh = t.Protocol === 'DoH' || t.Protocol === 'DoH-FIPS';
    const text = t.Ipv6 ?? t.Ip ?? '(no address)';
    const address = tryParseIpAddress(t.Ipv6 ?? t.Ip ?? '');
    const port = doh ? DOH_PORT : (t.Port ?? 53);
    return { text: `${text}:${port}`, address, port, protocols: doh ? [TCP] : [UDP, TCP] };
  });
}

type Reach = 'reachable' | 'blocked' | 'undetermined';

interface TargetVerdict {
  readonly target: string;
  readonly verdict: Reach;
  readonly blocking?: readonly string[];
  readonly note?: string;
}

/** The subnet whose CIDR blocks hold `address`, if the snapshot has one. */
function subnetHolding(ctx: AuditContext, address: IpAddress): string | undefined {
  for (const [subnetId, ranges] of ctx.model.subnetRanges)
    if (ranges.some((r) => rangeHoldsAddress(r, address))) return subnetId;
  return undefined;
}

/**
 * One endpoint IP → one target, every protocol the target is reached on: the endpoint's SG
 * egress, and the NACL of the IP's subnet for the request and the replies. A target inside the
 * VPC is judged on its side too (its ENI's SG ingress, its subnet's NACL); one outside only on
 * the endpoint's side.
 */
function judgeTarget(
  ctx: AuditContext,
  endpoint: SnapshotResolverEndpoint,
  ip: { readonly subnetId: string; readonly v4?: IpAddress; readonly v6?: IpAddress },
  target: Target,
): TargetVerdict {
  if (!target.address) return { target: target.text, verdict: 'blocked', note: 'the target has no address' };
  const source = target.address.family === 'ipv6' ? ip.v6 : ip.v4;
  if (!source)
    return {
      target: target.text,
      verdict: 'blocked',
      note: `the endpoint IP has no ${target.address.family} address to reach it from`,
    };
  const address = target.address;
  const inVpc = ctx.model.vpcCidrs.some((c) => rangeHoldsAddress(c, address));
  const owner = inVpc ? ctx.model.enis.ownerOf(address) : undefined;
  const targetSubnet = inVpc ? (owner?.eni.subnetId ?? subnetHolding(ctx, address)) : undefined;
  const roles = { client: 'Resolver endpoint', server: `target ${target.text}` };
  const blocking: string[] = [];
  let denied = false;
  // In the VPC but outside every known subnet: the target's side cannot be judged.
  let undetermined = inVpc && targetSubnet === undefined;
  for (const protocol of target.protocols) {
    const flow = { protocol, port: target.port };
    const options: DnsPathOptions = { protocol, port: target.port, ephemeralRange: ctx.ephemeralRange };
    const egress = ctx.model.securityGroups.evaluateSide(endpoint.SecurityGroupIds, 'egress', flow, {
      address,
      groupIds: owner?.eni.groupIds ?? [],
    });
    const ingress = owner
      ? ctx.model.securityGroups.evaluateSide(owner.eni.groupIds, 'ingress', flow, {
          address: source,
          groupIds: endpoint.SecurityGroupIds,
        })
      : undefined;
    const hops: readonly NaclHop[] =
      targetSubnet !== undefined
        ? evaluateNaclPath(
            ctx.model,
            { subnetId: ip.subnetId, address: source },
            { subnetId: targetSubnet, address },
            options,
          ).hops
        : clientSideNaclHops(ctx.model, ip.subnetId, address, options);
    const elements: BlockingElement[] = [
      toSecurityGroupBlock('client', egress),
      ingress ? toSecurityGroupBlock('server', ingress) : undefined,
      ...(combineNaclHops(hops) === 'allow' ? [] : hops.map(toNaclBlock)),
    ].filter((e): e is BlockingElement => e !== undefined);
    const name = protocolName(protocol);
    // Do53 needs both UDP and TCP: one protocol blocked and the target is not reached.
    if (elements.some((e) => e.verdict === 'deny' || e.verdict === 'partial')) denied = true;
    else if (elements.length > 0) undetermined = true;
    blocking.push(...elements.map((e) => `${name}: ${describeBlockingElement(e, name, roles, target.port)}`));
  }
  const verdict: Reach = denied ? 'blocked' : undetermined ? 'undetermined' : 'reachable';
  const note =
    inVpc && !owner
      ? `no ENI in the snapshot owns ${formatIpAddress(address)}: its own security groups were not evaluated`
      : undefined;
  return {
    target: target.text,
    verdict,
    ...(blocking.length > 0 ? { blocking } : {}),
    ...(note ? { note } : {}),
  };
}

interface IpVerdict {
  /** the FORWARD rule whose targets were judged */
  readonly rule?: string;
  readonly ip: string;
  readonly subnet: string;
  readonly verdict: Reach;
  readonly targets: readonly TargetVerdict[];
}

function judgeEndpointIps(
  ctx: AuditContext,
  endpoint: SnapshotResolverEndpoint,
  targets: readonly Target[],
): IpVerdict[] {
  return endpoint.IpAddresses.filter((a) => a.Status === ATTACHED).map((a) => {
    const v4 = a.Ip ? tryParseIpAddress(a.Ip) : undefined;
    const v6 = a.Ipv6 ? tryParseIpAddress(a.Ipv6) : undefined;
    const verdicts = targets.map((t) =>
      judgeTarget(ctx, endpoint, { subnetId: a.SubnetId, ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) }, t),
    );
    const verdict: Reach = verdicts.some((v) => v.verdict === 'reachable')
      ? 'reachable'
      : verdicts.some((v) => v.verdict === 'undetermined')
        ? 'undetermined'
        : 'blocked';
    return { ip: a.Ip ?? a.Ipv6 ?? a.IpId ?? '(no address)', subnet: a.SubnetId, verdict, targets: verdicts };
  });
}

interface EndpointFinding {
  readonly endpoint: string;
  readonly status: string;
  readonly hostVpc: string | undefined;
  readonly subnets: readonly string[];
  readonly rules: readonly string[];
  readonly notOperational: boolean;
  readonly fewSubnets: boolean;
  readonly ips: readonly IpVerdict[];
  readonly reachability: 'evaluated' | 'other-vpc';
}

/**
 * NET-RESOLVER-RULES: FAIL when a FORWARD rule's outbound endpoint is not OPERATIONAL or one of
 * its IPs reaches none of the rule's targets; WARN when a needed name is forwarded or an endpoint
 * in use has its IPs in fewer than two subnets; PASS otherwise (also with no rules).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html
 */
export function checkResolverRules(ctx: AuditContext): CheckResult {
  const gated = resolverGate(ctx, ID);
  if (gated) return gated;
  const resolver = ctx.snapshot.resolver;
  const vpcId = ctx.snapshot.vpc.VpcId;
  const { rules, pending, missing } = associatedRules(resolver);
  const notes: string[] = [];
  if (pending.length > 0)
    notes.push(
      `associations not COMPLETE do not apply: ${pending.map((p) => `${p.ruleId} (${p.status})`).join(', ')}`,
    );
  if (missing.length > 0)
    notes.push(`associated rules not in the snapshot were not evaluated: ${missing.join(', ')}`);

  const forwardRules = rules.filter((r) => r.RuleType === 'FORWARD');
  const endpoints = new Map((resolver?.endpoints ?? []).map((e) => [e.Id, e]));
  const rulesByEndpoint = new Map<string, SnapshotResolverRule[]>();
  for (const rule of forwardRules) {
    const endpointId = rule.ResolverEndpointId;
    if (endpointId === undefined || !endpoints.has(endpointId)) {
      notes.push(
        `${rule.Id} (${rule.DomainName}): its endpoint ${endpointId ?? '(none named)'} is not in the snapshot (shared from another account?), not evaluated`,
      );
      continue;
    }
    rulesByEndpoint.set(endpointId, [...(rulesByEndpoint.get(endpointId) ?? []), rule]);
  }

  const findings: EndpointFinding[] = [...rulesByEndpoint].map(([endpointId, endpointRules]) => {
    const endpoint = endpoints.get(endpointId)!;
    const attached = endpoint.IpAddresses.filter((a) => a.Status === ATTACHED);
    const subnets = [...new Set(attached.map((a) => a.SubnetId))].sort();
    const sameVpc = endpoint.HostVPCId === undefined || endpoint.HostVPCId === vpcId;
    if (!sameVpc)
      notes.push(
        `${endpointId} is in ${endpoint.HostVPCId}, not the cluster VPC: its status and subnets were judged, its path to the targets was not`,
      );
    // Every IP must reach a target of every rule that uses the endpoint: a query for any of those
    // domains may leave through any of its IPs.
    const ips = sameVpc
      ? endpointRules.flatMap((rule) =>
          judgeEndpointIps(ctx, endpoint, targetsOf(rule)).map((v) => ({ ...v, rule: rule.Id })),
        )
      : [];
    const status = endpoint.Status ?? '(no status)';
    return {
      endpoint: endpointId,
      status,
      hostVpc: endpoint.HostVPCId,
      subnets,
      rules: endpointRules.map((r) => `${r.Id} (${r.DomainName})`),
      notOperational: status !== OPERATIONAL,
      fewSubnets: subnets.length < 2,
      ips,
      reachability: sameVpc ? 'evaluated' : 'other-vpc',
    };
  });

  const forwardedNames = neededNames(ctx.snapshot).flatMap((needed) => {
    const route = routeOf(needed.name, rules);
    if (route.via !== 'forward') return [];
    return [
      {
        name: needed.name,
        why: needed.why,
        rule: route.rule.Id,
        domain: route.rule.DomainName,
        targets: targetsOf(route.rule).map((t) => t.text),
      },
    ];
  });

  const shownFindings = bounded(findings);
  const evidence = {
    vpc: vpcId,
    associatedRules: rules.map((r) => ({
      id: r.Id,
      domain: r.DomainName,
      type: r.RuleType,
      ...(r.ResolverEndpointId ? { endpoint: r.ResolverEndpointId } : {}),
      ...(r.ShareStatus ? { shareStatus: r.ShareStatus } : {}),
      ...(r.OwnerId ? { owner: r.OwnerId } : {}),
    })),
    endpoints: shownFindings.items.map((f) => {
      const ips = bounded(f.ips);
      return { ...f, ips: ips.items, ...(ips.truncated ? { truncated: true } : {}) };
    }),
    ...(forwardedNames.length > 0 ? { forwardedNeededNames: forwardedNames } : {}),
    ...(shownFindings.truncated ? { truncated: true } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };

  const down = findings.filter((f) => f.notOperational);
  const unreachable = findings.flatMap((f) =>
    f.ips.filter((ip) => ip.verdict === 'blocked').map((ip) => ({ endpoint: f.endpoint, ...ip })),
  );
  if (down.length > 0 || unreachable.length > 0) {
    const parts = [
      ...down.map(
        (f) => `endpoint ${f.endpoint} is ${f.status}, not OPERATIONAL (rules ${f.rules.join(', ')})`,
      ),
      ...unreachable.map(
        (u) =>
          `endpoint ${u.endpoint} IP ${u.ip} (${u.subnet}) reaches none of the targets of ${u.rule ?? 'its rule'}${u.targets[0]?.blocking?.[0] ? `: ${u.targets[0].blocking[0]}` : u.targets[0]?.note ? `: ${u.targets[0].note}` : ''}`,
      ),
    ];
    return makeResult(ID, {
      status: 'FAIL',
      evidence: {
        summary: parts.join('; '),
        ...evidence,
        resources: resourceList([
          ...down.map((f) => f.endpoint),
          ...unreachable.flatMap((u) => [u.endpoint, u.subnet]),
          ...down.flatMap((f) => f.rules.map((r) => r.split(' ')[0])),
        ]),
      },
    });
  }
  const undetermined = findings.flatMap((f) =>
    f.ips.filter((ip) => ip.verdict === 'undetermined').map((ip) => ({ endpoint: f.endpoint, ...ip })),
  );
  if (undetermined.length > 0) {
    const reason = `could not decide whether ${undetermined.map((u) => `${u.endpoint} IP ${u.ip}`).join(', ')} reach(es) a target: ${undetermined
      .flatMap((u) => u.targets.flatMap((t) => t.blocking ?? (t.note ? [t.note] : [])))
      .slice(0, 3)
      .join('; ')}`;
    return makeResult(ID, { status: 'ERROR', evidence: { reason, summary: reason, ...evidence } });
  }
  const few = findings.filter((f) => f.fewSubnets);
  if (forwardedNames.length > 0 || few.length > 0) {
    const parts = [
      ...forwardedNames.map(
        (n) => `${n.name} (${n.why}) is forwarded by ${n.rule} (${n.domain}) to ${n.targets.join(', ')}`,
      ),
      ...few.map(
        (f) =>
          `endpoint ${f.endpoint} has its IP addresses in ${f.subnets.length} subnet(s) (${f.subnets.join(', ') || 'none'})`,
      ),
    ];
    return makeResult(ID, {
      status: 'WARN',
      evidence: {
        summary: parts.join('; '),
        ...evidence,
        resources: resourceList([...forwardedNames.map((n) => n.rule), ...few.map((f) => f.endpoint)]),
      },
    });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: {
      summary:
        forwardRules.length === 0
          ? `no FORWARD rule is associated with ${vpcId}: the VPC resolver answers every name`
          : `${forwardRules.length} FORWARD rule(s): every outbound endpoint is OPERATIONAL, spread over two or more subnets, and each of its IPs reaches a target; no name the cluster needs is forwarded`,
      ...evidence,
    },
  });
}
