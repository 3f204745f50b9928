/**
 * NET-DNS-FIREWALL (checks.md § C, network-snapshot.md § Format @2): the Route 53 Resolver DNS
 * Firewall rule groups associated with the VPC, evaluated the way the firewall does — groups in
 * ascending association `Priority`, rules within a group in ascending `Priority`, the first rule
 * whose domain list (and `Qtype`) matches decides; `ALERT` only logs and evaluation goes on.
 */
import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import type {
  SnapshotFirewallDomainList,
  SnapshotFirewallRule,
  SnapshotResolver,
} from '../../snapshot/network-snapshot-schema.js';
import type { AuditContext } from './audit-context.js';
import { bounded, resourceList } from './evidence.js';
import { COMPLETE, neededNames, normalizeName, resolverGate } from './resolver-names.js';

const ID = 'NET-DNS-FIREWALL';
/** Query types a lookup of a needed name sends (a name is blocked when either one is). */
const QUERY_TYPES = ['A', 'AAAA'] as const;
type QueryType = (typeof QUERY_TYPES)[number];
/** `Qtype` may be spelled as a type number (RFC 3597 `TYPEnn`). */
const QTYPE_NUMBERS: Record<string, QueryType> = { TYPE1: 'A', TYPE28: 'AAAA' };

/**
 * Does a domain-list entry match `name`? `example.com` matches that name only; `*.example.com`
 * its subdomains (not `example.com` itself); `*` every name. Case and a trailing dot are ignored.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-domain-lists.html
 */
export function domainEntryMatches(entry: string, name: string): boolean {
  const e = normalizeName(entry);
  const n = normalizeName(name);
  if (e === '*') return true;
  if (e.startsWith('*.')) return n.endsWith(e.slice(1));
  return e === n;
}

/** A rule's Qtype as a query type; undefined when unset (it then applies to every type). */
function ruleQtype(rule: SnapshotFirewallRule): string | undefined {
  if (rule.Qtype === undefined || rule.Qtype.trim() === '') return undefined;
  const q = rule.Qtype.trim().toUpperCase();
  return QTYPE_NUMBERS[q] ?? q;
}

/** One rule in evaluation order. */
interface OrderedRule {
  readonly groupId: string;
  readonly groupPriority: number;
  readonly rule: SnapshotFirewallRule;
}

/** The rules of COMPLETE associations, in the firewall's evaluation order. */
function orderedRules(resolver: SnapshotResolver): {
  rules: OrderedRule[];
  groups: { id: string; priority: number; name?: string }[];
  pending: string[];
} {
  const associations = resolver.firewallRuleGroupAssociations;
  const complete = associations
    .filter((a) => (a.Status ?? COMPLETE) === COMPLETE)
    .sort((a, b) => a.Priority - b.Priority);
  const pending = associations
    .filter((a) => (a.Status ?? COMPLETE) !== COMPLETE)
    .map((a) => `${a.FirewallRuleGroupId} (${a.Status})`);
  // Identical rules read twice (one page read again) count once.
  const seen = new Set<string>();
  const rules: OrderedRule[] = [];
  for (const association of complete) {
    const groupRules = resolver.firewallRules
      .filter((r) => r.FirewallRuleGroupId === association.FirewallRuleGroupId)
      .filter((r) => {
        const key = JSON.stringify([
          r.FirewallRuleGroupId,
          r.Priority,
          r.FirewallDomainListId,
          r.Action,
          r.Qtype,
        ]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.Priority - b.Priority);
    for (const rule of groupRules)
      rules.push({ groupId: association.FirewallRuleGroupId, groupPriority: association.Priority, rule });
  }
  return {
    rules,
    groups: complete.map((a) => ({
      id: a.FirewallRuleGroupId,
      priority: a.Priority,
      ...(a.Name ? { name: a.Name } : {}),
    })),
    pending,
  };
}

interface Decision {
  readonly name: string;
  readonly why: string;
  readonly qtype: QueryType;
  readonly outcome: 'allowed' | 'blocked' | 'no-match';
  readonly group?: string;
  readonly groupPriority?: number;
  readonly rule?: string;
  readonly rulePriority?: number;
  readonly domainList?: string;
  readonly entry?: string;
  readonly alerts?: readonly string[];
}

function decide(
  name: string,
  why: string,
  qtype: QueryType,
  rules: readonly OrderedRule[],
  lists: ReadonlyMap<string, SnapshotFirewallDomainList>,
  notes: Set<string>,
): Decision {
  const alerts: string[] = [];
  for (const { groupId, groupPriority, rule } of rules) {
    const ruleName = `${groupId}/${rule.Name ?? `priority ${rule.Priority}`}`;
    if (rule.FirewallDomainListId === undefined) {
      notes.add(`${ruleName} has no domain list (e.g. a threat-protection rule): it cannot be judged here`);
      continue;
    }
    const list = lists.get(rule.FirewallDomainListId);
    if (!list) {
      notes.add(`${ruleName}: domain list ${rule.FirewallDomainListId} is not in the snapshot, not judged`);
      continue;
    }
    if (list.Domains === undefined) {
      notes.add(
        `${ruleName}: ${list.Id}${list.ManagedOwnerName ? ` (managed by ${list.ManagedOwnerName})` : ''} cannot be listed; assumed not to hold the names the cluster needs`,
      );
      continue;
    }
    const q = ruleQtype(rule);
    if (q !== undefined && q !== qtype) continue;
    const entry = list.Domains.find((d) => domainEntryMatches(d, name));
    if (entry === undefined) continue;
    const base = {
      name,
      why,
      qtype,
      group: groupId,
      groupPriority,
      rule: rule.Name ?? `priority ${rule.Priority}`,
      rulePriority: rule.Priority,
      domainList: list.Id,
      entry,
      ...(alerts.length > 0 ? { alerts } : {}),
    };
    if (rule.Action === 'ALLOW') return { ...base, outcome: 'allowed' };
    if (rule.Action === 'BLOCK') return { ...base, outcome: 'blocked' };
    if (rule.Action === 'ALERT') alerts.push(`${ruleName} (${entry})`);
    else notes.add(`${ruleName}: unknown action ${rule.Action}, not judged`);
  }
  return { name, why, qtype, outcome: 'no-match', ...(alerts.length > 0 ? { alerts } : {}) };
}

/**
 * NET-DNS-FIREWALL: FAIL when a name the cluster needs is blocked (its A or AAAA query); WARN
 * when a rule group is associated and `FirewallFailOpen` is not `ENABLED`; PASS otherwise (also
 * with nothing associated).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-settings.html
 */
export function checkDnsFirewall(ctx: AuditContext): CheckResult {
  const gated = resolverGate(ctx, ID);
  if (gated) return gated;
  const vpcId = ctx.snapshot.vpc.VpcId;
  const resolver = ctx.snapshot.resolver;
  const names = neededNames(ctx.snapshot);
  if (!resolver || resolver.firewallRuleGroupAssociations.length === 0) {
    return makeResult(ID, {
      status: 'PASS',
      evidence: {
        summary: `no DNS Firewall rule group is associated with ${vpcId}`,
        vpc: vpcId,
        neededNames: names,
      },
    });
  }
  const { rules, groups, pending } = orderedRules(resolver);
  const lists = new Map(resolver.firewallDomainLists.map((l) => [l.Id, l]));
  const notes = new Set<string>();
  if (pending.length > 0)
    notes.add(`rule-group associations not COMPLETE do not apply: ${pending.join(', ')}`);
  const decisions = names.flatMap((n) =>
    QUERY_TYPES.map((q) => decide(n.name, n.why, q, rules, lists, notes)),
  );
  const blocked = decisions.filter((d) => d.outcome === 'blocked');
  const failOpen = resolver.firewallConfig?.FirewallFailOpen ?? 'DISABLED';
  const shownBlocked = bounded(blocked);
  const evidence = {
    vpc: vpcId,
    ruleGroups: groups,
    firewallFailOpen: failOpen,
    neededNames: names,
    ...(blocked.length > 0 ? { blocked: shownBlocked.items } : {}),
    ...(shownBlocked.truncated ? { truncated: true } : {}),
    ...(notes.size > 0 ? { notes: [...notes] } : {}),
  };
  if (blocked.length > 0) {
    const byName = new Map<string, Decision[]>();
    for (const d of blocked) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    const summary = [...byName.values()]
      .map((ds) => {
        const d = ds[0]!;
        return `${d.name} (${d.why}) blocked for ${ds.map((x) => x.qtype).join(' and ')} by rule ${d.rule} of ${d.group} (list ${d.domainList}, entry ${d.entry})`;
      })
      .join('; ');
    return makeResult(ID, {
      status: 'FAIL',
      evidence: {
        summary,
        ...evidence,
        resources: resourceList(blocked.flatMap((d) => [d.group, d.domainList])),
      },
    });
  }
  if (groups.length > 0 && failOpen !== 'ENABLED') {
    return makeResult(ID, {
      status: 'WARN',
      evidence: {
        summary: `${groups.length} rule group(s) associated and FirewallFailOpen is ${failOpen}: a firewall outage becomes a DNS outage`,
        ...evidence,
        resources: resourceList([vpcId, ...groups.map((g) => g.id)]),
      },
    });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: {
      summary: `${groups.length} rule group(s) associated, none blocks a name the cluster needs (${names.length} names, A and AAAA)`,
      ...evidence,
    },
  });
}
