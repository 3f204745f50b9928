/**
 * Applying a mutelist to a cluster result (checks.md § Result model): a matching check result is
 * flagged `muted: true` with the entry's reason as `mutedReason` and keeps its real status
 * (muted is not SKIPPED); the diagnosis is drawn again without the muted results.
 */
import { diagnose } from '../diagnosis/index.js';
import type { CheckResult, ClusterResult } from '../schema/results.js';
import type { Mutelist, MutelistEntry } from './parse-mutelist.js';

/** What a mutelist entry is matched against: one check result of one cluster. */
export interface MutelistFinding {
  readonly accountId: string;
  readonly region: string;
  readonly checkId: string;
  /** the cluster's name, ARN and id: an entry's Resources match any of them */
  readonly resources: readonly string[];
  /** the cluster's tags */
  readonly tags: Readonly<Record<string, string>>;
}

/** Options of {@link applyMutelist}. */
export interface ApplyMutelistOptions {
  /** the cluster's tags; @default `cluster.tags` of the result when it is a string map, else none */
  readonly tags?: Readonly<Record<string, string>>;
}

const anyMatches = (patterns: readonly RegExp[], values: readonly string[]) =>
  patterns.some((p) => values.some((v) => p.test(v)));
/** Prowler's tag rule: every tag pattern must match one of the `key=value` tags. */
const allTagsMatch = (patterns: readonly RegExp[], tags: readonly string[]) =>
  patterns.every((p) => tags.some((t) => p.test(t)));
const regionMatches = (regions: readonly string[], region: string) =>
  regions.includes('*') || regions.includes(region);

/**
 * Whether an entry's Exceptions spare the finding, as Prowler's: the lists given must all match
 * (a list left out or empty does not count), and at least one must be given.
 */
function excepted(entry: MutelistEntry, finding: MutelistFinding, tags: readonly string[]): boolean {
  const e = entry.exceptions;
  if (e === undefined) return false;
  const verdicts = [
    e.accounts.length > 0 ? e.accounts.includes(finding.accountId) : undefined,
    e.regions.length > 0 ? regionMatches(e.regions, finding.region) : undefined,
    e.resources.length > 0 ? anyMatches(e.resources, finding.resources) : undefined,
    e.tags.length > 0 ? allTagsMatch(e.tags, tags) : undefined,
  ].filter((v): v is boolean => v !== undefined);
  return verdicts.length > 0 && verdicts.every(Boolean);
}

/**
 * The entry that mutes `finding`, or undefined: the first (a named account's entries before `*`'s,
 * file order within) whose account, check, region, resources and tags all match and whose
 * Exceptions do not spare it. An entry's exceptions spare the finding from that entry only.
 */
export function mutingEntry(mutelist: Mutelist, finding: MutelistFinding): MutelistEntry | undefined {
  const tags = Object.entries(finding.tags).map(([k, v]) => `${k}=${v}`);
  return mutelist.entries.find(
    (entry) =>
      (entry.account === '*' || entry.account === finding.accountId) &&
      entry.checkPattern.test(finding.checkId) &&
      regionMatches(entry.regions, finding.region) &&
      anyMatches(entry.resources, finding.resources) &&
      allTagsMatch(entry.tags, tags) &&
      !excepted(entry, finding, tags),
  );
}

/** `cluster.tags` when it is a map of strings (EKS DescribeCluster's `tags`). */
function clusterTags(cluster: ClusterResult['cluster']): Record<string, string> {
  const tags = (cluster as Record<string, unknown>).tags;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return {};
  return Object.fromEntries(
    Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * `result` with the mutelist applied: matching check results `muted: true` with the entry's
 * `Reason` as `mutedReason`, status and evidence unchanged; the diagnosis drawn again (muted
 * results take no part). A result already muted stays muted with its reason: a mutelist only adds
 * mutes. Pure: `result` is not changed.
 *
 * @example applyMutelist(result, parsed.mutelist).checks.filter((c) => c.muted)
 */
export function applyMutelist(
  result: ClusterResult,
  mutelist: Mutelist,
  options: ApplyMutelistOptions = {},
): ClusterResult {
  const { cluster } = result;
  const base = {
    accountId: cluster.accountId,
    region: cluster.region,
    resources: [cluster.name, cluster.arn, cluster.id].filter((r): r is string => typeof r === 'string'),
    tags: options.tags ?? clusterTags(cluster),
  };
  const checks = result.checks.map((check): CheckResult => {
    if (check.muted) return check;
    const entry = mutingEntry(mutelist, { ...base, checkId: check.id });
    return entry === undefined ? check : { ...check, muted: true, mutedReason: entry.reason };
  });
  return { ...result, checks, diagnosis: diagnose(checks) };
}
