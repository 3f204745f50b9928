/**
 * A snapshot that contradicts itself is unusable input (network-snapshot.md, "Missing and empty
 * data"): judging it would mean picking one of two stories at random. Identical duplicates (a
 * collector that paged twice over one item) are harmless and merged.
 */
import { isCheckId } from '../catalog/check-catalog.js';
import { canonicalJson } from '../runner-results/canonical-json.js';
import type { NetworkSnapshot } from './network-snapshot-schema.js';

/** The lists whose items are keyed by an AWS id, and that id's field. */
const KEYED_LISTS = [
  ['networkInterfaces', 'NetworkInterfaceId'],
  ['securityGroups', 'GroupId'],
  ['networkAcls', 'NetworkAclId'],
] as const;

type KeyedList = (typeof KEYED_LISTS)[number][0];

/** The result of {@link reconcileSnapshot}: the snapshot with duplicates merged, or what contradicts. */
export type SnapshotReconciliation =
  | { readonly ok: true; readonly snapshot: NetworkSnapshot }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The list with repeated ids dropped when their content is the same, and a problem for each id
 * repeated with other content. The canonical form is computed only for ids seen twice: a VPC's
 * 2,000 ENIs rarely repeat, and serialising each of them for every cluster was most of this
 * step's time (docs/scale.md).
 */
function dedupeById<T extends Record<string, unknown>>(
  list: readonly T[],
  listName: string,
  idField: string,
  problems: string[],
): T[] {
  const firstIndex = new Map<string, { index: number; canonical?: string }>();
  const out: T[] = [];
  list.forEach((item, index) => {
    const id = String(item[idField]);
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, { index });
      out.push(item);
      return;
    }
    first.canonical ??= canonicalJson(list[first.index]);
    if (first.canonical !== canonicalJson(item))
      problems.push(
        `${listName}[${index}].${idField}: ${id} appears twice with different content (also ${listName}[${first.index}])`,
      );
  });
  return out;
}

/** A domain name as Route 53 Resolver compares it: lower case, without its trailing dot (`.` stays `.`). */
export function normalizeDomainName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower === '.' ? '.' : lower.replace(/\.$/, '');
}

/** Rules Route 53 Resolver defines itself (`rslvr-autodefined-rr-…`), which one's own rules override. */
export function isAutodefinedRule(ruleId: string): boolean {
  return ruleId.startsWith('rslvr-autodefined-');
}

/**
 * @2: AWS refuses two associated rules with one `DomainName` on a VPC (network-snapshot.md,
 * "Settled details"), and one rule id cannot have two contents: either story would be a guess.
 */
function resolverContradictions(snapshot: NetworkSnapshot): string[] {
  const resolver = snapshot.resolver;
  if (!resolver) return [];
  const problems: string[] = [];
  const byId = new Map<string, { index: number; canonical: string }>();
  resolver.rules.forEach((rule, index) => {
    const canonical = canonicalJson(rule);
    const first = byId.get(rule.Id);
    if (first === undefined) byId.set(rule.Id, { index, canonical });
    else if (first.canonical !== canonical)
      problems.push(
        `resolver.rules[${index}].Id: ${rule.Id} appears twice with different content (also resolver.rules[${first.index}])`,
      );
  });
  const associated = new Set(
    resolver.ruleAssociations
      .filter((a) => (a.Status ?? 'COMPLETE') === 'COMPLETE')
      .map((a) => a.ResolverRuleId),
  );
  const byDomain = new Map<string, string>();
  resolver.rules.forEach((rule, index) => {
    // Autodefined rules (the internet resolver for `.`, reverse zones) are overridden by a rule of
    // one's own for the same domain: that pair is how AWS works, not a contradiction.
    if (!associated.has(rule.Id) || isAutodefinedRule(rule.Id)) return;
    const domain = normalizeDomainName(rule.DomainName);
    const other = byDomain.get(domain);
    if (other === undefined) byDomain.set(domain, rule.Id);
    else if (other !== rule.Id)
      problems.push(
        `resolver.rules[${index}].DomainName: ${rule.Id} and ${other} are both associated for ${domain} (AWS allows one rule per domain name on a VPC)`,
      );
  });
  return problems;
}

/**
 * Merges identical duplicates and finds contradictions: the same ENI, security group or NACL id
 * twice with different content; `cluster.resourcesVpcConfig.vpcId` ≠ `vpc.VpcId`; a
 * `collectionErrors` entry naming a check id that does not exist; (@2) one Resolver rule id with
 * two contents, or two associated rules for one domain name.
 *
 * @see ../../../../shared/network-snapshot.md
 */
export function reconcileSnapshot(snapshot: NetworkSnapshot): SnapshotReconciliation {
  const problems: string[] = [];
  const deduped: Partial<Pick<NetworkSnapshot, KeyedList>> = {};
  for (const [listName, idField] of KEYED_LISTS) {
    const list = snapshot[listName] as readonly Record<string, unknown>[];
    (deduped as Record<string, unknown>)[listName] = dedupeById(list, listName, idField, problems);
  }
  const clusterVpcId = snapshot.cluster.resourcesVpcConfig?.vpcId;
  const vpcId = snapshot.vpc.VpcId;
  if (clusterVpcId !== undefined && vpcId !== undefined && clusterVpcId !== vpcId) {
    problems.push(
      `vpc.VpcId: ${vpcId} is not the cluster's VPC (cluster.resourcesVpcConfig.vpcId ${clusterVpcId})`,
    );
  }
  snapshot.collectionErrors.forEach((entry, index) => {
    entry.checks.forEach((check, checkIndex) => {
      if (!isCheckId(check))
        problems.push(
          `collectionErrors[${index}].checks[${checkIndex}]: ${JSON.stringify(check)} is not a check id`,
        );
    });
  });
  problems.push(...resolverContradictions(snapshot));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, snapshot: { ...snapshot, ...deduped } };
}
