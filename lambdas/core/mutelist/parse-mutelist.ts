/**
 * The mutelist file (conventions.md: Prowler's shape, accounts → checks → regions/resources/tags,
 * with a reason), validated with zod into one problem line per issue.
 *
 * ```yaml
 * Mutelist:
 *   Accounts:
 *     "111122223333":               # a 12-digit account id (quoted: YAML keeps leading zeros), or "*"
 *       Checks:
 *         "DNS-LATENCY":            # a check id, a pattern (`NET-SG-*`, `DNS-(LATENCY|CAPTURE)`), or "*"
 *           Regions: ["eu-west-1"]  # region names, or "*"
 *           Resources: ["prod-.*"]  # patterns over the cluster name, ARN and id, or "*"
 *           Tags: ["team=dns"]      # optional: patterns over the cluster's `key=value` tags, all must match
 *           Exceptions:             # optional: not muted where every list given here matches
 *             Accounts: ["444455556666"]
 *             Regions: ["us-east-1"]
 *             Resources: ["prod-critical"]
 *             Tags: ["tier=1"]
 *           Reason: "latency budget accepted until the NodeLocal rollout"
 * ```
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CHECK_IDS } from '../catalog/check-catalog.js';
import { accountIdProblem, regionProblem } from '../results/cluster-id.js';
import { errorLine, formatPath } from '../schema/format-error.js';
import { compilePattern, patternProblem } from './patterns.js';

/** The key the document's one top-level mapping has (as Prowler's). */
export const MUTELIST_KEY = 'Mutelist';

/** A mapping whose unknown keys are named with the keys it knows. */
function mapping<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (expected ${known})`
        : issue.input === undefined
          ? `required: ${what}`
          : `must be ${what}`,
  });
}

/** A list of strings, each checked by `problem` (at the item's own path, so every bad item is named). */
function list(what: string, problem: (item: string) => string | undefined) {
  const item = z.string({ error: `must be a string: ${what}` }).superRefine((value, ctx) => {
    const why = problem(value);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
  });
  return z.array(item, {
    error: (issue) =>
      issue.input === undefined ? `required: a list of ${what}` : `must be a list of ${what}`,
  });
}
/** A list that must name at least one item. */
const requiredList = (what: string, problem: (item: string) => string | undefined) =>
  list(what, problem).min(1, `must list at least one: ${what}`);
const optionalList = (what: string, problem: (item: string) => string | undefined) =>
  list(what, problem).optional();

const regionItem = (item: string) =>
  item === '*' || regionProblem(item) === undefined
    ? undefined
    : `${JSON.stringify(item)} is not a region name (e.g. eu-west-1) or *`;
const accountItem = (item: string) =>
  accountIdProblem(item) === undefined ? undefined : `${JSON.stringify(item)} is not a 12-digit account id`;
const tagItem = (item: string) =>
  patternProblem(item) ??
  (item === '*' || item.includes('=') ? undefined : `${JSON.stringify(item)} must be key=value`);

const REGIONS = 'region names (e.g. eu-west-1), or *';
const RESOURCES = 'cluster names, ARNs or ids (regular expressions), or *';
const TAGS = 'key=value tag patterns';

const exceptionsSchema = mapping(
  {
    Accounts: optionalList('12-digit account ids', accountItem),
    Regions: optionalList(REGIONS, regionItem),
    Resources: optionalList(RESOURCES, patternProblem),
    Tags: optionalList(TAGS, tagItem),
  },
  'a mapping of Accounts, Regions, Resources or Tags lists',
).superRefine((exceptions, ctx) => {
  if (Object.values(exceptions).every((l) => l === undefined || l.length === 0))
    ctx.addIssue({ code: 'custom', message: 'must list Accounts, Regions, Resources or Tags to except' });
});

const entrySchema = mapping(
  {
    Regions: requiredList(REGIONS, regionItem),
    Resources: requiredList(RESOURCES, patternProblem),
    Tags: optionalList(TAGS, tagItem),
    Exceptions: exceptionsSchema.optional(),
    Reason: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'required: say why these findings are accepted'
            : 'must be a string: why these findings are accepted',
      })
      .refine((r) => r.trim() !== '', 'must not be empty: say why these findings are accepted'),
  },
  'a mapping with Regions, Resources and Reason (Tags and Exceptions optional)',
);

/** Why a Checks key cannot be used: not `*`, not a catalog check id, and no pattern matching one. */
function checkKeyProblem(key: string): string | undefined {
  if (key === '*' || (CHECK_IDS as readonly string[]).includes(key)) return undefined;
  const invalid = patternProblem(key);
  if (invalid !== undefined) return invalid;
  const pattern = compilePattern(key);
  return CHECK_IDS.some((id) => pattern.test(id))
    ? undefined
    : `matches no check in the catalog (a check id such as DNS-LATENCY, a pattern such as NET-SG-*, or *)`;
}

/** A record of entries; its keys are checked by {@link keyProblems} (zod would skip a bad key's value). */
function record<T extends z.ZodType>(value: T, what: string) {
  return z.record(z.string(), value, {
    error: (issue) => (issue.input === undefined ? `required: ${what}` : `must be ${what}`),
  });
}

const accountKeyProblem = (key: string) =>
  key === '*' || accountIdProblem(key) === undefined
    ? undefined
    : `${JSON.stringify(key)} is not a 12-digit account id (quote it, so YAML keeps leading zeros) or *`;

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problems of the Accounts and Checks keys, each at the key's own path (values are the schema's). */
function keyProblems(value: unknown): string[] {
  const problems: string[] = [];
  const accounts =
    isMapping(value) && isMapping(value[MUTELIST_KEY]) ? value[MUTELIST_KEY].Accounts : undefined;
  if (!isMapping(accounts)) return problems;
  for (const [account, body] of Object.entries(accounts)) {
    const accountProblem = accountKeyProblem(account);
    if (accountProblem !== undefined) problems.push(`Accounts.${account}: ${accountProblem}`);
    const checks = isMapping(body) ? body.Checks : undefined;
    if (!isMapping(checks)) continue;
    for (const check of Object.keys(checks)) {
      const checkProblem = checkKeyProblem(check);
      if (checkProblem !== undefined) problems.push(`Accounts.${account}.Checks.${check}: ${checkProblem}`);
    }
  }
  return problems;
}

const accountSchema = mapping(
  { Checks: record(entrySchema, 'a mapping of check ids or patterns to entries') },
  'a mapping with Checks',
);

/** The mutelist document as written (after YAML/JSON parsing). */
export const mutelistDocumentSchema = mapping(
  {
    [MUTELIST_KEY]: mapping(
      {
        Accounts: record(accountSchema, 'a mapping of account ids (or *) to their Checks'),
      },
      'a mapping with Accounts',
    ),
  },
  `a mapping with one key, ${MUTELIST_KEY}`,
);
export type MutelistDocument = z.infer<typeof mutelistDocumentSchema>;
export type MutelistDocumentEntry = z.infer<typeof entrySchema>;

/** One mutelist entry (an account's check key), compiled for matching. */
export interface MutelistEntry {
  /** `Accounts.<account>.Checks.<check>`: where the entry is in the file */
  readonly path: string;
  /** a 12-digit account id, or `*` */
  readonly account: string;
  /** the Checks key as written */
  readonly check: string;
  readonly checkPattern: RegExp;
  /** region names; `*` is any */
  readonly regions: readonly string[];
  readonly resources: readonly RegExp[];
  /** every one must match one of the cluster's `key=value` tags; empty: tags are not consulted */
  readonly tags: readonly RegExp[];
  readonly exceptions?: {
    readonly accounts: readonly string[];
    readonly regions: readonly string[];
    readonly resources: readonly RegExp[];
    readonly tags: readonly RegExp[];
  };
  readonly reason: string;
}

/** A validated mutelist: the document as written and its entries in the order they are tried. */
export interface Mutelist {
  readonly document: MutelistDocument;
  /** entries of a named account first, then those of `*`; file order within each */
  readonly entries: readonly MutelistEntry[];
}

export type MutelistParseResult =
  | { readonly ok: true; readonly mutelist: Mutelist }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The path of an issue as the file reads, below the top-level `Mutelist` key. */
function issuePath(path: readonly PropertyKey[]): string {
  return formatPath(path.length > 1 && path[0] === MUTELIST_KEY ? path.slice(1) : path);
}

function compileEntry(account: string, check: string, entry: MutelistDocumentEntry): MutelistEntry {
  const exceptions = entry.Exceptions;
  return {
    path: `Accounts.${account}.Checks.${check}`,
    account,
    check,
    checkPattern: compilePattern(check),
    regions: entry.Regions,
    resources: entry.Resources.map(compilePattern),
    tags: (entry.Tags ?? []).map(compilePattern),
    ...(exceptions
      ? {
          exceptions: {
            accounts: exceptions.Accounts ?? [],
            regions: exceptions.Regions ?? [],
            resources: (exceptions.Resources ?? []).map(compilePattern),
            tags: (exceptions.Tags ?? []).map(compilePattern),
          },
        }
      : {}),
    reason: entry.Reason.trim(),
  };
}

/**
 * Validates a mutelist given as an already-parsed value (a YAML or JSON document's content).
 * Never throws: every problem is one line, `<path>: <what is wrong>`.
 */
export function validateMutelist(value: unknown): MutelistParseResult {
  const parsed = mutelistDocumentSchema.safeParse(value);
  const problems = [
    ...keyProblems(value),
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`)),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const accounts = Object.entries(parsed.data[MUTELIST_KEY].Accounts);
  const ordered = [...accounts.filter(([a]) => a !== '*'), ...accounts.filter(([a]) => a === '*')];
  const entries = ordered.flatMap(([account, { Checks }]) =>
    Object.entries(Checks).map(([check, entry]) => compileEntry(account, check, entry)),
  );
  return { ok: true, mutelist: { document: parsed.data, entries } };
}

/**
 * Parses and validates a mutelist file's text, YAML or JSON (JSON is YAML). Never throws:
 * unusable text or content yields one problem line per issue, e.g.
 * `Accounts.123456789012.Checks.DNS-LATENCY.Regions: must be a list of region names (e.g. eu-west-1), or *`.
 *
 * @example const parsed = parseMutelist(text); if (!parsed.ok) parsed.problems.forEach((p) => console.error(p));
 */
export function parseMutelist(text: string): MutelistParseResult {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => `(document): not YAML or JSON: ${errorLine(e.message)}`),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [`(document): ${errorLine((err as Error).message)}`] };
  }
  return validateMutelist(value);
}
