/**
 * What `NET-RESOLVER-RULES` and `NET-DNS-FIREWALL` share (network-snapshot.md § Format @2): the
 * names the cluster needs, which Resolver rule applies to a name, and the gate every @2 check
 * passes first (an @1 snapshot has no Resolver data; a failed `route53resolver:` call is ERROR).
 */
import type { CheckId } from '../../catalog/check-catalog.js';
import type { CheckResult } from '../../schema/results.js';
import { NETWORK_SNAPSHOT_FORMAT_V1 } from '../../snapshot/network-snapshot-schema.js';
import type {
  NetworkSnapshot,
  SnapshotResolver,
  SnapshotResolverRule,
} from '../../snapshot/network-snapshot-schema.js';
import { isAutodefinedRule, normalizeDomainName } from '../../snapshot/snapshot-consistency.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult, skippedResult } from './evidence.js';

/** Docker Hub's registry host: where an image reference without a registry component is pulled from. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';

/** Association status under which a Resolver rule or firewall rule group applies. */
export const COMPLETE = 'COMPLETE';

/** A name the cluster must be able to resolve, and why. */
export interface NeededName {
  readonly name: string;
  /** e.g. `cluster endpoint`, `STS`, `image 602401143452.dkr.ecr…/eks/coredns:v1.11.3` */
  readonly why: string;
}

/** A name as Route 53 Resolver compares it: lower case, no trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * The registry host of an image reference, by Docker's rule: the first path component when the
 * reference has a `/` and that component contains `.` or `:` or is `localhost`; otherwise Docker
 * Hub. A `:port` is dropped (it does not take part in name resolution).
 *
 * @example registryHost('busybox:1.36') // 'registry-1.docker.io'
 * @example registryHost('reg.corp.example:5000/x') // 'reg.corp.example'
 * @see https://github.com/distribution/reference/blob/main/normalize.go (splitDockerDomain)
 */
export function registryHost(image: string): string {
  const reference = image.trim();
  const slash = reference.indexOf('/');
  if (slash < 0) return DOCKER_HUB_REGISTRY;
  const first = reference.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return DOCKER_HUB_REGISTRY;
  // `[::1]:5000` keeps its brackets' content; `host:port` loses the port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(first);
  const host = bracketed ? bracketed[1]! : first.replace(/:\d*$/, '');
  return normalizeName(host);
}

/** The host of `cluster.endpoint` (an https URL), if the snapshot has one. */
function clusterEndpointHost(snapshot: NetworkSnapshot): string | undefined {
  const endpoint = (snapshot.cluster as { endpoint?: unknown }).endpoint;
  if (typeof endpoint !== 'string' || endpoint.length === 0) return undefined;
  try {
    return normalizeName(new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`).hostname);
  } catch {
    return undefined;
  }
}

/**
 * The names the cluster needs (network-snapshot.md § Format @2): the cluster endpoint's host,
 * STS, EC2 and the ECR API of the region, and the registry host of every kube-system image.
 * Deduplicated by name, the first reason kept.
 */
export function neededNames(snapshot: NetworkSnapshot): NeededName[] {
  const region = snapshot.region;
  const out = new Map<string, NeededName>();
  const add = (name: string | undefined, why: string) => {
    if (name === undefined || name.length === 0) return;
    const normalized = normalizeName(name);
    if (!out.has(normalized)) out.set(normalized, { name: normalized, why });
  };
  add(clusterEndpointHost(snapshot), 'cluster endpoint');
  add(`sts.${region}.amazonaws.com`, 'STS (IAM roles for pods, node credentials)');
  add(`ec2.${region}.amazonaws.com`, 'EC2 API (VPC CNI, node bootstrap)');
  add(`api.ecr.${region}.amazonaws.com`, 'ECR API (image pull authentication)');
  for (const image of snapshot.kubernetes?.images ?? []) add(registryHost(image), `image ${image}`);
  return [...out.values()];
}

/** True when `name` lies under `domain` on label boundaries (`.` holds every name). */
export function nameUnderDomain(name: string, domain: string): boolean {
  const d = normalizeDomainName(domain);
  if (d === '.') return true;
  const n = normalizeName(name);
  return n === d || n.endsWith(`.${d}`);
}

/** The Resolver rules that apply to the VPC: rules of COMPLETE associations, one per id. */
export interface AssociatedRules {
  readonly rules: readonly SnapshotResolverRule[];
  /** associations not COMPLETE (listed in a note; they do not apply) */
  readonly pending: readonly { readonly ruleId: string; readonly status: string }[];
  /** associated rule ids the snapshot has no rule for */
  readonly missing: readonly string[];
}

export function associatedRules(resolver: SnapshotResolver | undefined): AssociatedRules {
  if (!resolver) return { rules: [], pending: [], missing: [] };
  const byId = new Map(resolver.rules.map((r) => [r.Id, r]));
  const rules = new Map<string, SnapshotResolverRule>();
  const pending: { ruleId: string; status: string }[] = [];
  const missing: string[] = [];
  for (const association of resolver.ruleAssociations) {
    const status = association.Status ?? COMPLETE;
    if (status !== COMPLETE) {
      pending.push({ ruleId: association.ResolverRuleId, status });
      continue;
    }
    const rule = byId.get(association.ResolverRuleId);
    if (rule) rules.set(rule.Id, rule);
    else missing.push(association.ResolverRuleId);
  }
  return { rules: [...rules.values()], pending, missing: [...new Set(missing)] };
}

/** What answers a name: the VPC resolver, or a FORWARD rule's targets. */
export type NameRoute =
  | { readonly via: 'vpc-resolver'; readonly rule?: SnapshotResolverRule }
  | { readonly via: 'forward'; readonly rule: SnapshotResolverRule };

/**
 * The rule that applies to `name`: the associated rule whose `DomainName` is the longest suffix of
 * the name on label boundaries. `SYSTEM` (and `RECURSIVE`) mean the VPC resolver answers, also
 * over a shorter `FORWARD`; no match means the VPC resolver. A rule of one's own overrides an
 * autodefined one for the same domain (a FORWARD `.` over the internet-resolver rule).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-overview-forward-vpc-to-network.html
 */
export function routeOf(name: string, rules: readonly SnapshotResolverRule[]): NameRoute {
  let best: SnapshotResolverRule | undefined;
  let bestLength = -1;
  for (const rule of rules) {
    if (!nameUnderDomain(name, rule.DomainName)) continue;
    const domain = normalizeDomainName(rule.DomainName);
    const length = domain === '.' ? 0 : domain.length;
    const overridesAutodefined =
      length === bestLength &&
      best !== undefined &&
      isAutodefinedRule(best.Id) &&
      !isAutodefinedRule(rule.Id);
    if (length > bestLength || overridesAutodefined) {
      best = rule;
      bestLength = length;
    }
  }
  if (!best) return { via: 'vpc-resolver' };
  return best.RuleType === 'FORWARD' ? { via: 'forward', rule: best } : { via: 'vpc-resolver', rule: best };
}

/**
 * The gate of both @2 checks: an @1 snapshot → SKIPPED (no Resolver data); a collection error
 * that feeds the check → ERROR quoting it. Otherwise undefined: evaluate (an absent `resolver`
 * block in @2 means nothing is associated).
 */
export function resolverGate(ctx: AuditContext, id: CheckId): CheckResult | undefined {
  if (ctx.snapshot.format === NETWORK_SNAPSHOT_FORMAT_V1)
    return skippedResult(id, `snapshot has no Resolver data (format ${NETWORK_SNAPSHOT_FORMAT_V1})`);
  const errors = ctx.collectionErrorsFor(id);
  if (errors.length > 0) return collectionErrorResult(id, errors);
  return undefined;
}
