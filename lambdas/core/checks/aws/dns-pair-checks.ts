/**
 * NET-SG-DNS-UDP, NET-SG-DNS-TCP, NET-NACL-DNS-UDP, NET-NACL-DNS-TCP: every client ENI → CoreDNS
 * pod pair, through security groups and network ACLs (lambdas/core/network does the reasoning).
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
 */
import { makeResult } from '../../catalog/make-result.js';
import type { CheckId } from '../../catalog/check-catalog.js';
import type { CheckResult } from '../../schema/results.js';
import type { FilterAudit, PairReasonGroup } from '../../network/dns-pair-audit.js';
import { formatPortInterval } from '../../network/ports.js';
import type { AuditContext } from './audit-context.js';
import {
  bounded,
  placementOrResult,
  podEvidence,
  resourceList,
  skippedResult,
  unplacedEvidence,
} from './evidence.js';

type Filter = 'security-groups' | 'network-acls';

const CHECK_IDS: Record<Filter, Record<'udp' | 'tcp', CheckId>> = {
  'security-groups': { udp: 'NET-SG-DNS-UDP', tcp: 'NET-SG-DNS-TCP' },
  'network-acls': { udp: 'NET-NACL-DNS-UDP', tcp: 'NET-NACL-DNS-TCP' },
};

function reasonEvidence(group: PairReasonGroup) {
  return {
    summary: group.summary,
    elements: group.elements,
    pairs: group.pairs,
    clientEnis: group.clientEnis,
    corednsPods: group.corednsPods,
    samplePairs: group.samples,
  };
}

function reasonResources(groups: readonly PairReasonGroup[]): (string | null)[] {
  return groups.flatMap((g) => [
    ...g.elements.flatMap((e): (string | null)[] =>
      e.element === 'security-group' ? [...e.groups] : [e.naclId, e.subnetId],
    ),
    ...g.corednsPods,
    ...g.samples.map((s) => s.client),
  ]);
}

/**
 * Runs one of the four pair checks.
 *
 * @see ../../../../../shared/checks.md (§A)
 */
export function checkDnsPairs(ctx: AuditContext, filter: Filter, protocol: 'udp' | 'tcp'): CheckResult {
  const id = CHECK_IDS[filter][protocol];
  const gate = placementOrResult(ctx, id);
  if ('result' in gate) return gate.result;
  const { placement } = gate;
  if (ctx.clients.length === 0) {
    return skippedResult(
      id,
      "no client ENIs of this cluster in the snapshot (no ENI attached to the instances of kubernetes.nodes' providerIDs, no branch ENI of the cluster)",
      { corednsPods: placement.placed.map(podEvidence) },
    );
  }
  const pairs = ctx.pairAudit(placement);
  const audit: FilterAudit = pairs[protocol][filter === 'security-groups' ? 'securityGroups' : 'networkAcls'];
  // Pairs a filter actually sees: not inside one instance, and for NACLs not inside one subnet.
  const filtered = audit.pairs - audit.localPairs - (filter === 'network-acls' ? audit.sameSubnetPairs : 0);
  const blockedGroups = audit.reasons.filter((r) => r.verdict === 'blocked');
  const undeterminedGroups = audit.reasons.filter((r) => r.verdict === 'undetermined');
  const blocked = bounded(blockedGroups);
  const undetermined = bounded(undeterminedGroups);
  const what = `${protocol.toUpperCase()}/53 ${filter === 'security-groups' ? 'security groups' : 'network ACLs'}`;
  const notes: string[] = [];
  if (pairs.clientsWithoutAddress.length > 0) {
    notes.push(
      `${pairs.clientsWithoutAddress.length} client ENI(s) have no ${pairs.family} address and were not evaluated: ${pairs.clientsWithoutAddress.slice(0, 10).join(', ')}`,
    );
  }
  if (audit.localPairs > 0) {
    notes.push(
      `${audit.localPairs} pair(s) stay inside one instance (pods on the node's own ENIs): not filtered, not evaluated`,
    );
  }
  if (filter === 'network-acls' && audit.sameSubnetPairs > 0) {
    notes.push(`${audit.sameSubnetPairs} pair(s) stay inside one subnet: network ACLs do not apply`);
  }
  const evidence: Record<string, unknown> = {
    protocol,
    port: 53,
    family: pairs.family,
    ...(filter === 'network-acls' ? { ephemeralRange: formatPortInterval(ctx.ephemeralRange) } : {}),
    clients: {
      enis: pairs.clientEnis,
      nodeEnis: pairs.nodeEnis,
      branchEnis: pairs.branchEnis,
      classes: pairs.clientClasses,
    },
    corednsPods: bounded(placement.placed).items.map(podEvidence),
    pairs: {
      total: audit.pairs,
      local: audit.localPairs,
      ...(filter === 'network-acls' ? { sameSubnet: audit.sameSubnetPairs } : {}),
      blocked: audit.blockedPairs,
      undetermined: audit.undeterminedPairs,
    },
    ...(blockedGroups.length > 0 ? { blocked: blocked.items.map(reasonEvidence) } : {}),
    ...(undeterminedGroups.length > 0 ? { undetermined: undetermined.items.map(reasonEvidence) } : {}),
    ...(placement.unplaced.length > 0 ? { unplacedPods: unplacedEvidence(placement.unplaced) } : {}),
    // Bounded lists: the reason groups, the CoreDNS pods, and each group's sample pairs.
    ...(blocked.truncated ||
    undetermined.truncated ||
    placement.placed.length > 20 ||
    [...blocked.items, ...undetermined.items].some((g) => g.samples.length < g.pairs)
      ? { truncated: true }
      : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  if (blockedGroups.length > 0) {
    const first = blockedGroups[0]!;
    return makeResult(id, {
      status: 'FAIL',
      evidence: {
        summary: `${what}: ${audit.blockedPairs} of ${filtered} filtered client→CoreDNS pairs blocked — ${first.summary}${blockedGroups.length > 1 ? ` (+${blockedGroups.length - 1} other reason${blockedGroups.length > 2 ? 's' : ''})` : ''}`,
        ...evidence,
        resources: resourceList(reasonResources(blockedGroups)),
      },
    });
  }
  if (undeterminedGroups.length > 0 || placement.unplaced.length > 0 || placement.placed.length === 0) {
    const reasons = [
      ...undeterminedGroups.slice(0, 3).map((g) => g.summary),
      ...placement.unplaced.slice(0, 3).map((p) => `CoreDNS pod ${p.namespace}/${p.name}: ${p.reason}`),
    ];
    const counts = [
      ...(audit.undeterminedPairs > 0 ? [`${audit.undeterminedPairs} pair(s) could not be decided`] : []),
      ...(placement.unplaced.length > 0
        ? [`${placement.unplaced.length} CoreDNS pod(s) could not be placed on an ENI`]
        : []),
    ];
    const reason = `${what}: ${counts.join(' and ') || 'no CoreDNS pod could be evaluated'}: ${reasons.join('; ')}`;
    return makeResult(id, {
      status: 'ERROR',
      evidence: {
        reason,
        summary: reason,
        ...evidence,
        resources: resourceList([
          ...reasonResources(undeterminedGroups),
          ...placement.unplaced.map((p) => p.name),
        ]),
      },
    });
  }
  return makeResult(id, {
    status: 'PASS',
    evidence: {
      summary: `${what}: all ${filtered} filtered client→CoreDNS pairs allowed (${pairs.clientEnis} client ENIs, ${placement.placed.length} CoreDNS pods; ${audit.pairs - filtered} pairs not filtered)`,
      ...evidence,
    },
  });
}
