/**
 * Every client → CoreDNS pair, judged for UDP and TCP through security groups and NACLs, without
 * evaluating every pair one by one. Clients are grouped into classes that no rule can tell apart:
 * same security-group set, same subnet, and the same answer to every CIDR test the CoreDNS side
 * can make (its groups' ingress CIDRs and prefix lists, its subnets' NACL entries). One
 * representative address per class is evaluated against each CoreDNS pod; the verdict holds for
 * every member. Client-side tests depend on the CoreDNS pod only and are cached per group set and
 * per NACL. Cost: linear in client addresses, plus classes × pods evaluations.
 *
 * @see ./README.md
 */
import { formatAddressRange, rangeContains, rangesOverlap } from './cidr.js';
import type { AddressRange, IpAddress } from './cidr.js';
import type { ClientEni, ClientKind } from './cluster-clients.js';
import type { PlacedDnsPod } from './dns-pod-placement.js';
import {
  clientSideNaclHops,
  combineNaclHops,
  DNS_PORT,
  isInstanceLocal,
  serverSideNaclHops,
} from './dns-path.js';
import type { DnsPathOptions, NaclHop, PathLeg } from './dns-path.js';
import { eniRangesOf } from './eni-index.js';
import type { IndexedEni } from './eni-index.js';
import type { NaclDirection, NaclRuleRef } from './nacl.js';
import type { NetworkModel } from './network-model.js';
import { formatPortInterval } from './ports.js';
import type { PortInterval } from './ports.js';
import { protocolName, TCP, UDP } from './protocol.js';
import type { DnsTransportProtocol } from './protocol.js';
import type { SecurityGroupDirection, SecurityGroupSideVerdict } from './security-groups.js';

/** A security group side that does not allow the flow. */
export interface SecurityGroupBlock {
  readonly element: 'security-group';
  /** `client`: the client ENI's egress; `server`: the server's (CoreDNS pod's) ENI's ingress */
  readonly side: 'client' | 'server';
  readonly direction: SecurityGroupDirection;
  /** the groups whose rules were consulted */
  readonly groups: readonly string[];
  readonly verdict: 'deny' | 'unknown';
  readonly unresolved?: readonly string[];
}

/** A NACL hop that does not allow the flow (or all of the reply port range). */
export interface NaclBlock {
  readonly element: 'network-acl';
  /** whose subnet: the client's or the server's (CoreDNS pod's) */
  readonly side: 'client' | 'server';
  readonly naclId: string | null;
  readonly subnetId: string;
  readonly direction: NaclDirection;
  readonly leg: PathLeg;
  readonly ports: string;
  readonly verdict: 'deny' | 'partial' | 'unknown';
  /** the deciding rule number, or `*` */
  readonly rule?: NaclRuleRef;
  readonly deniedPorts?: readonly { readonly ports: string; readonly rule: NaclRuleRef }[];
  readonly allowedPorts?: readonly { readonly ports: string; readonly rule: NaclRuleRef }[];
}

export type BlockingElement = SecurityGroupBlock | NaclBlock;

export interface BlockedPairSample {
  readonly client: string;
  readonly clientKind: ClientKind;
  readonly clientSubnet: string;
  readonly clientInstance?: string;
  /** the client addresses concerned (all of the ENI's addresses in the family unless a narrow CIDR split them) */
  readonly clientAddresses: readonly string[];
  readonly corednsPod: string;
  readonly corednsEni: string;
  readonly corednsAddress: string;
}

/** Pairs that share one identical reason. */
export interface PairReasonGroup {
  /** `blocked`: a deny or partial verdict; `undetermined`: only unresolvable inputs */
  readonly verdict: 'blocked' | 'undetermined';
  readonly elements: readonly BlockingElement[];
  readonly summary: string;
  readonly pairs: number;
  readonly clientEnis: number;
  readonly corednsPods: readonly string[];
  readonly samples: readonly BlockedPairSample[];
}

/** The outcome of one filter (security groups or NACLs) for one protocol. */
export interface FilterAudit {
  readonly protocol: 'udp' | 'tcp';
  readonly filter: 'security-groups' | 'network-acls';
  /** client ENI × CoreDNS pod pairs considered */
  readonly pairs: number;
  /** pairs inside one instance (not filtered) */
  readonly localPairs: number;
  /** NACLs only: pairs inside one subnet (not filtered) */
  readonly sameSubnetPairs: number;
  readonly blockedPairs: number;
  readonly undeterminedPairs: number;
  /** most pairs first */
  readonly reasons: readonly PairReasonGroup[];
}

export interface DnsPairAudit {
  readonly family: IpAddress['family'];
  readonly clientEnis: number;
  readonly nodeEnis: number;
  readonly branchEnis: number;
  /** client ENIs with no address of the cluster's family (they cannot send to CoreDNS in it) */
  readonly clientsWithoutAddress: readonly string[];
  readonly clientClasses: number;
  readonly udp: { readonly securityGroups: FilterAudit; readonly networkAcls: FilterAudit };
  readonly tcp: { readonly securityGroups: FilterAudit; readonly networkAcls: FilterAudit };
}

export interface DnsPairAuditOptions {
  readonly ephemeralRange: PortInterval;
  /** @default 5 */
  readonly maxSamplesPerReason?: number;
}

interface ClassMember {
  readonly client: ClientEni;
  readonly ranges: AddressRange[];
}

interface ClientClass {
  readonly groupIds: readonly string[];
  readonly groupKey: string;
  readonly subnetId: string;
  readonly signature: number;
  readonly representative: IpAddress;
  readonly members: Map<string, ClassMember>;
}

/** Every CIDR the CoreDNS side can test a client address against. */
function boundaryRanges(model: NetworkModel, pods: readonly PlacedDnsPod[]): AddressRange[] {
  const out = new Map<string, AddressRange>();
  const add = (r: AddressRange) => {
    if (r.family === model.family) out.set(`${r.first}-${r.last}`, r);
  };
  for (const pod of pods) {
    for (const groupId of pod.eni.groupIds) {
      for (const rule of model.securityGroups.get(groupId)?.ingress ?? []) {
        rule.cidrs.forEach(add);
        rule.prefixListRanges.forEach(add);
      }
    }
    const nacl = model.nacls.forSubnet(pod.eni.subnetId)?.nacl;
    for (const entry of [...(nacl?.ingress ?? []), ...(nacl?.egress ?? [])]) add(entry.range);
  }
  return [...out.values()];
}

interface SubnetSignatureBase {
  readonly subnetRange: AddressRange | undefined;
  readonly base: readonly number[];
  readonly narrow: readonly number[];
}

/**
 * Groups client addresses into classes. A class signature is the set of boundary CIDRs that hold
 * the whole address block; a block that a CIDR only partly covers is split at the CIDR's edges.
 */
function classifyClients(
  model: NetworkModel,
  clients: readonly ClientEni[],
  boundary: readonly AddressRange[],
) {
  const allIndices = boundary.map((_, i) => i);
  const subnetBases = new Map<string, SubnetSignatureBase>();
  const signatureIds = new Map<string, number>();
  const classes = new Map<string, ClientClass>();
  const clientsWithoutAddress: string[] = [];
  const enisInClasses = new Map<string, number>();

  const subnetBase = (subnetId: string): SubnetSignatureBase => {
    let info = subnetBases.get(subnetId);
    if (!info) {
      const subnetRange = model.subnetRanges.get(subnetId)?.find((r) => r.family === model.family);
      info = subnetRange
        ? {
            subnetRange,
            base: allIndices.filter((i) => rangeContains(boundary[i]!, subnetRange)),
            narrow: allIndices.filter(
              (i) => rangesOverlap(boundary[i]!, subnetRange) && !rangeContains(boundary[i]!, subnetRange),
            ),
          }
        : { subnetRange: undefined, base: [], narrow: allIndices };
      subnetBases.set(subnetId, info);
    }
    return info;
  };
  const signatureOf = (indices: readonly number[]): number => {
    const key = indices.join(',');
    let id = signatureIds.get(key);
    if (id === undefined) {
      id = signatureIds.size;
      signatureIds.set(key, id);
    }
    return id;
  };
  // Consecutive ranges of one ENI nearly always share a signature: reuse the member, skip the lookups.
  let lastMember: { eniId: string; signature: number; member: ClassMember } | undefined;
  const addToClass = (client: ClientEni, signature: number, range: AddressRange) => {
    const eni = client.eni;
    if (lastMember && lastMember.eniId === eni.id && lastMember.signature === signature) {
      lastMember.member.ranges.push(range);
      return;
    }
    const key = `${eni.groupKey}|${eni.subnetId}|${signature}`;
    let cls = classes.get(key);
    if (!cls) {
      cls = {
        groupIds: eni.groupIds,
        groupKey: eni.groupKey,
        subnetId: eni.subnetId,
        signature,
        representative: { family: range.family, value: range.first },
        members: new Map(),
      };
      classes.set(key, cls);
    }
    let member = cls.members.get(eni.id);
    if (member) member.ranges.push(range);
    else {
      member = { client, ranges: [range] };
      cls.members.set(eni.id, member);
      enisInClasses.set(eni.id, (enisInClasses.get(eni.id) ?? 0) + 1);
    }
    lastMember = { eniId: eni.id, signature, member };
  };

  for (const client of clients) {
    const ranges = eniRangesOf(client.eni, model.family);
    if (ranges.length === 0) {
      clientsWithoutAddress.push(client.eni.id);
      continue;
    }
    const info = subnetBase(client.eni.subnetId);
    const baseSignature = info.subnetRange ? signatureOf(info.base) : -1;
    for (const { range } of ranges) {
      const inside = info.subnetRange !== undefined && rangeContains(info.subnetRange, range);
      const base = inside ? info.base : [];
      const candidates = inside ? info.narrow : allIndices;
      const overlapping = candidates.filter((i) => rangesOverlap(boundary[i]!, range));
      if (overlapping.length === 0) {
        addToClass(client, inside ? baseSignature : signatureOf(base), range);
        continue;
      }
      // Split the block where a boundary CIDR starts or ends inside it.
      const cuts = new Set<bigint>([range.first]);
      for (const i of overlapping) {
        const b = boundary[i]!;
        if (b.first > range.first) cuts.add(b.first);
        if (b.last < range.last) cuts.add(b.last + 1n);
      }
      const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      starts.forEach((first, k) => {
        const next = starts[k + 1];
        const segment: AddressRange = {
          family: range.family,
          first,
          last: next === undefined ? range.last : next - 1n,
        };
        const held = overlapping.filter((i) => rangeContains(boundary[i]!, segment));
        const indices = held.length === 0 ? base : [...new Set([...base, ...held])].sort((a, b) => a - b);
        addToClass(client, signatureOf(indices), segment);
      });
    }
  }
  const multiClassEnis = new Set([...enisInClasses].filter(([, n]) => n > 1).map(([id]) => id));
  return { classes: [...classes.values()], clientsWithoutAddress, multiClassEnis };
}

/** The blocking element for a security-group side that does not allow the flow, else `undefined`. */
export function toSecurityGroupBlock(
  side: 'client' | 'server',
  verdict: SecurityGroupSideVerdict,
): SecurityGroupBlock | undefined {
  if (verdict.verdict === 'allow') return undefined;
  return {
    element: 'security-group',
    side,
    direction: verdict.direction,
    groups: verdict.groups,
    verdict: verdict.verdict,
    ...(verdict.unresolved ? { unresolved: verdict.unresolved } : {}),
  };
}

/** The blocking element for a NACL hop that does not allow all of the flow, else `undefined`. */
export function toNaclBlock(hop: NaclHop): NaclBlock | undefined {
  if (hop.verdict === 'allow') return undefined;
  const segments = hop.segments ?? [];
  const fmt = (s: (typeof segments)[number]) => ({ ports: formatPortInterval(s), rule: s.rule });
  return {
    element: 'network-acl',
    side: hop.side,
    naclId: hop.naclId ?? null,
    subnetId: hop.subnetId,
    direction: hop.direction,
    leg: hop.leg,
    ports: hop.ports,
    verdict: hop.verdict,
    ...(hop.rule === undefined ? {} : { rule: hop.rule }),
    ...(segments.length > 0 ? { deniedPorts: segments.filter((s) => s.action === 'deny').map(fmt) } : {}),
    ...(hop.verdict === 'partial'
      ? { allowedPorts: segments.filter((s) => s.action === 'allow').map(fmt) }
      : {}),
  };
}

/** How evidence names the two ends of a path. */
export interface PathRoles {
  readonly client: string;
  readonly server: string;
}

const PAIR_ROLES: PathRoles = { client: 'client', server: 'CoreDNS pod' };

/** One line a person can act on. */
export function describeBlockingElement(
  element: BlockingElement,
  protocol: 'udp' | 'tcp',
  roles: PathRoles = PAIR_ROLES,
  port = DNS_PORT,
): string {
  if (element.element === 'security-group') {
    const groups = element.groups.length > 0 ? element.groups.join(', ') : '(no security groups)';
    const where = `${element.side === 'client' ? roles.client : roles.server} ENI's`;
    const what =
      element.direction === 'egress'
        ? `allows no ${protocol}/${port} to the ${roles.server}`
        : `allows no ${protocol}/${port} from the ${roles.client}`;
    if (element.verdict === 'unknown') {
      return `${element.direction} of ${where} ${groups}: undecided, ${element.unresolved?.join(', ') ?? 'a referenced object'} not in the snapshot`;
    }
    return `${element.direction} of ${where} ${groups} ${what}`;
  }
  const where = `${element.naclId ?? '(no NACL found)'} (${element.subnetId}, ${element.side === 'client' ? roles.client : roles.server} subnet)`;
  const leg = `${element.direction} ${element.leg} ${protocol}/${element.ports}`;
  if (element.verdict === 'unknown')
    return `${where} ${leg}: undecided, the subnet's network ACL is not in the snapshot`;
  if (element.verdict === 'partial') {
    const denied = (element.deniedPorts ?? []).map((d) => `${d.ports} by rule ${d.rule}`).join(', ');
    return `${where} ${leg}: only part of the range allowed; denied ${denied}`;
  }
  return `${where} ${leg}: denied by rule ${element.rule ?? '*'}`;
}

interface ReasonAccumulator {
  readonly elements: BlockingElement[];
  readonly verdict: 'blocked' | 'undetermined';
  pairs: number;
  readonly clientEnis: Set<string>;
  readonly pods: Set<string>;
  readonly samples: BlockedPairSample[];
}

class FilterAccumulator {
  pairs = 0;
  localPairs = 0;
  sameSubnetPairs = 0;
  private readonly reasons = new Map<string, ReasonAccumulator>();
  private readonly blocked = new Set<string>();
  private readonly undetermined = new Set<string>();
  private blockedCount = 0;
  private undeterminedCount = 0;

  constructor(
    readonly protocol: 'udp' | 'tcp',
    readonly filter: FilterAudit['filter'],
    private readonly maxSamples: number,
    private readonly multiClassEnis: ReadonlySet<string>,
  ) {}

  add(
    elements: BlockingElement[],
    members: readonly ClassMember[],
    pod: PlacedDnsPod,
    family: IpAddress['family'],
  ): void {
    const key = JSON.stringify(elements);
    const isBlocked = elements.some((e) => e.verdict === 'deny' || e.verdict === 'partial');
    let reason = this.reasons.get(key);
    if (!reason) {
      reason = {
        elements,
        verdict: isBlocked ? 'blocked' : 'undetermined',
        pairs: 0,
        clientEnis: new Set(),
        pods: new Set(),
        samples: [],
      };
      this.reasons.set(key, reason);
    }
    reason.pods.add(pod.name);
    for (const member of members) {
      const eni = member.client.eni;
      reason.pairs++;
      reason.clientEnis.add(eni.id);
      this.count(eni, pod, isBlocked);
      if (reason.samples.length < this.maxSamples) {
        const all = eniRangesOf(eni, family).length === member.ranges.length;
        reason.samples.push({
          client: eni.id,
          clientKind: member.client.kind,
          clientSubnet: eni.subnetId,
          ...(eni.instanceId === undefined ? {} : { clientInstance: eni.instanceId }),
          clientAddresses: all ? ['(all)'] : member.ranges.map(formatAddressRange),
          corednsPod: pod.name,
          corednsEni: pod.eni.id,
          corednsAddress: pod.podIP,
        });
      }
    }
  }

  private count(eni: IndexedEni, pod: PlacedDnsPod, isBlocked: boolean): void {
    if (!this.multiClassEnis.has(eni.id)) {
      if (isBlocked) this.blockedCount++;
      else this.undeterminedCount++;
      return;
    }
    // An ENI split across classes (a narrow CIDR cut its addresses) counts once per pod.
    const pair = `${eni.id}|${pod.name}`;
    (isBlocked ? this.blocked : this.undetermined).add(pair);
  }

  result(): FilterAudit {
    const undeterminedOnly = [...this.undetermined].filter((p) => !this.blocked.has(p)).length;
    return {
      protocol: this.protocol,
      filter: this.filter,
      pairs: this.pairs,
      localPairs: this.localPairs,
      sameSubnetPairs: this.sameSubnetPairs,
      blockedPairs: this.blockedCount + this.blocked.size,
      undeterminedPairs: this.undeterminedCount + undeterminedOnly,
      reasons: [...this.reasons.values()]
        .map((r) => ({
          verdict: r.verdict,
          elements: r.elements,
          summary: r.elements.map((e) => describeBlockingElement(e, this.protocol)).join('; '),
          pairs: r.pairs,
          clientEnis: r.clientEnis.size,
          corednsPods: [...r.pods].sort(),
          samples: r.samples,
        }))
        .sort((a, b) => (a.verdict === b.verdict ? b.pairs - a.pairs : a.verdict === 'blocked' ? -1 : 1)),
    };
  }
}

/**
 * Judges every client ENI → CoreDNS pod pair for DNS over UDP and TCP, through security groups and
 * network ACLs, grouping pairs that share an identical reason.
 *
 * @example
 * const audit = auditDnsPairs(model, clusterClientEnis(snapshot, model.enis), placeDnsPods(snapshot, model.enis).placed, { ephemeralRange: LINUX_EPHEMERAL_RANGE });
 * audit.udp.securityGroups.blockedPairs // 0 when every client may send UDP/53 to every CoreDNS pod
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
 */
export function auditDnsPairs(
  model: NetworkModel,
  clients: readonly ClientEni[],
  pods: readonly PlacedDnsPod[],
  options: DnsPairAuditOptions,
): DnsPairAudit {
  const maxSamples = options.maxSamplesPerReason ?? 5;
  const boundary = boundaryRanges(model, pods);
  const { classes, clientsWithoutAddress, multiClassEnis } = classifyClients(model, clients, boundary);
  const audits = {
    udp: {
      securityGroups: new FilterAccumulator('udp', 'security-groups', maxSamples, multiClassEnis),
      networkAcls: new FilterAccumulator('udp', 'network-acls', maxSamples, multiClassEnis),
    },
    tcp: {
      securityGroups: new FilterAccumulator('tcp', 'security-groups', maxSamples, multiClassEnis),
      networkAcls: new FilterAccumulator('tcp', 'network-acls', maxSamples, multiClassEnis),
    },
  };
  // An ENI split across classes is still one client: count its local / same-subnet pairs once.
  const countedSplitPairs = new Set<string>();
  const countOnce = (eniId: string, podIndex: number, what: string): number => {
    if (!multiClassEnis.has(eniId)) return 1;
    const key = `${what}|${eniId}|${podIndex}`;
    if (countedSplitPairs.has(key)) return 0;
    countedSplitPairs.add(key);
    return 1;
  };
  const egressCache = new Map<string, SecurityGroupSideVerdict>();
  const ingressCache = new Map<string, SecurityGroupSideVerdict>();
  const clientNaclCache = new Map<string, NaclHop[]>();
  const serverNaclCache = new Map<string, NaclHop[]>();

  // Traffic to a pod stays inside its instance from the pod's own ENI and — unless the pod is on a
  // branch ENI — from the instance's other own ENIs: find those once per pod, not per member.
  const nodeClientsByInstance = new Map<string, string[]>();
  for (const client of clients) {
    const instance = client.eni.instanceId;
    if (client.eni.isBranch || instance === undefined) continue;
    const list = nodeClientsByInstance.get(instance) ?? [];
    list.push(client.eni.id);
    nodeClientsByInstance.set(instance, list);
  }
  const classMembers = classes.map((cls) => {
    const list = [...cls.members.values()];
    return { list, split: list.some((m) => multiClassEnis.has(m.client.eni.id)) };
  });

  for (const [podIndex, pod] of pods.entries()) {
    const podPeer = { address: pod.address, groupIds: pod.eni.groupIds };
    const localIds = [
      pod.eni.id,
      ...(pod.eni.isBranch || pod.eni.instanceId === undefined
        ? []
        : (nodeClientsByInstance.get(pod.eni.instanceId) ?? [])),
    ];
    for (const [classIndex, cls] of classes.entries()) {
      const { list, split } = classMembers[classIndex]!;
      const localHere = localIds.filter((id) => cls.members.has(id));
      const remote =
        localHere.length === 0 ? list : list.filter((m) => !isInstanceLocal(m.client.eni, pod.eni));
      const count = (members: readonly ClassMember[], what: string) =>
        split ? members.reduce((n, m) => n + countOnce(m.client.eni.id, podIndex, what), 0) : members.length;
      const local =
        localHere.length === 0
          ? 0
          : count(
              list.filter((m) => !remote.includes(m)),
              'local',
            );
      const remoteClients = count(remote, 'remote');
      const sameSubnet = cls.subnetId === pod.eni.subnetId;
      for (const protocol of [UDP, TCP] as DnsTransportProtocol[]) {
        const name = protocolName(protocol);
        const sgAudit = audits[name].securityGroups;
        const naclAudit = audits[name].networkAcls;
        sgAudit.localPairs += local;
        naclAudit.localPairs += local;
        if (remote.length === 0) continue;
        const flow = { protocol, port: DNS_PORT };
        const pathOptions: DnsPathOptions = { protocol, ephemeralRange: options.ephemeralRange };

        // Security groups: the client's egress depends only on its group set and the pod.
        const egressKey = `${cls.groupKey}|${podIndex}|${protocol}`;
        let egress = egressCache.get(egressKey);
        if (!egress) {
          egress = model.securityGroups.evaluateSide(cls.groupIds, 'egress', flow, podPeer);
          egressCache.set(egressKey, egress);
        }
        const ingressKey = `${podIndex}|${cls.groupKey}|${cls.signature}|${protocol}`;
        let ingress = ingressCache.get(ingressKey);
        if (!ingress) {
          ingress = model.securityGroups.evaluateSide(pod.eni.groupIds, 'ingress', flow, {
            address: cls.representative,
            groupIds: cls.groupIds,
          });
          ingressCache.set(ingressKey, ingress);
        }
        const sgElements = [
          toSecurityGroupBlock('client', egress),
          toSecurityGroupBlock('server', ingress),
        ].filter((e): e is SecurityGroupBlock => e !== undefined);
        if (sgElements.length > 0) sgAudit.add(sgElements, remote, pod, model.family);

        // NACLs: only between subnets.
        if (sameSubnet) {
          naclAudit.sameSubnetPairs += remoteClients;
          continue;
        }
        const clientNaclKey = `${model.nacls.forSubnet(cls.subnetId)?.nacl.id ?? `?${cls.subnetId}`}|${podIndex}|${protocol}`;
        let clientHops = clientNaclCache.get(clientNaclKey);
        if (!clientHops) {
          clientHops = clientSideNaclHops(model, cls.subnetId, pod.address, pathOptions);
          clientNaclCache.set(clientNaclKey, clientHops);
        }
        const serverNaclKey = `${podIndex}|${cls.signature}|${protocol}`;
        let serverHops = serverNaclCache.get(serverNaclKey);
        if (!serverHops) {
          serverHops = serverSideNaclHops(model, pod.eni.subnetId, cls.representative, pathOptions);
          serverNaclCache.set(serverNaclKey, serverHops);
        }
        const hops = [...clientHops, ...serverHops];
        if (combineNaclHops(hops) !== 'allow') {
          const naclElements = hops.map(toNaclBlock).filter((e): e is NaclBlock => e !== undefined);
          naclAudit.add(naclElements, remote, pod, model.family);
        }
      }
    }
  }

  // Pairs = client ENIs with an address × pods (an ENI split across classes is one client).
  const clientCount = clients.length - clientsWithoutAddress.length;
  for (const name of ['udp', 'tcp'] as const) {
    audits[name].securityGroups.pairs = clientCount * pods.length;
    audits[name].networkAcls.pairs = clientCount * pods.length;
  }
  return {
    family: model.family,
    clientEnis: clients.length,
    nodeEnis: clients.filter((c) => c.kind === 'node').length,
    branchEnis: clients.filter((c) => c.kind === 'branch').length,
    clientsWithoutAddress,
    clientClasses: classes.length,
    udp: { securityGroups: audits.udp.securityGroups.result(), networkAcls: audits.udp.networkAcls.result() },
    tcp: { securityGroups: audits.tcp.securityGroups.result(), networkAcls: audits.tcp.networkAcls.result() },
  };
}
