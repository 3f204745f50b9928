/**
 * The upgrade gate (checks.md § Gate): from the newest scan of one cluster to `pass`, `fail` or
 * `unknown` with the reasons. Pure and deterministic: the time is an input, nothing is read.
 *
 * Decided in this order, first match wins:
 *  1. no scan → `unknown` (`no-scan`);
 *  2. the newest scan older than the freshness limit → `unknown` (`stale`; its failures listed too);
 *  3. an unmuted FAIL at or above the gate severity → `fail` (`check-failed`), and the CoreDNS or
 *     kube-proxy add-on incompatible with the target (or the current) version → `fail` (`addon-incompatible`);
 *  4. an unmuted ERROR at or above the gate severity → `unknown` (`check-error`);
 *  5. otherwise `pass`, the unmuted WARNs listed as `warning` reasons.
 * Muted results take no part.
 */
import { z } from 'zod';
import { addonCompatibleWith } from '../checks/aws/coredns-addon.js';
import { errorLine } from '../schema/format-error.js';
import { gateDecisionSchema, SEVERITIES } from '../schema/results.js';
import type { CheckResult, ClusterResult, GateDecision, GateReason, Severity } from '../schema/results.js';
import { GateError, GateInputError } from './errors.js';
import { parseTargetVersion } from './request.js';

export const DEFAULT_FRESHNESS_HOURS = 24;
export const DEFAULT_GATE_SEVERITY: Severity = 'high';
/** The check whose evidence keeps the add-on compatibility matrix. */
export const ADDON_CHECK_ID = 'EKS-COREDNS-ADDON';

/** Longest reason message: one line a person reads (evidence summaries can be long). */
const MESSAGE_LIMIT = 300;
const HOUR_MS = 3_600_000;

/** The inputs of {@link decideGate}. */
export interface DecideGateInput {
  /** the newest stored result of the cluster, or undefined when it was never scanned */
  readonly newest: ClusterResult | undefined;
  /** the time of the request */
  readonly now: Date;
  /** the EKS version of the planned upgrade, `MAJOR.MINOR` (a leading `v` is accepted) */
  readonly targetVersion?: string | undefined;
  /** @default 24: a newest scan that finished longer ago than this is stale */
  readonly freshnessHours?: number;
  /** @default 'high': FAILs and ERRORs below this severity do not decide the gate */
  readonly gateSeverity?: Severity;
}

const dateTime = z.iso.datetime({ offset: true });

/** The subset of EKS-COREDNS-ADDON evidence that records the current-version judgement. */
const currentAddonEvidenceSchema = z.looseObject({
  clusterVersion: z.string().nullable().optional(),
  addons: z.array(
    z.looseObject({
      addonName: z.string(),
      installedVersion: z.string().nullable().optional(),
      compatibleWithCluster: z.boolean().optional(),
    }),
  ),
});

const severityRank = (s: Severity) => SEVERITIES.indexOf(s);
const atOrAbove = (s: Severity, threshold: Severity) => severityRank(s) <= severityRank(threshold);
const line = (text: string) => errorLine(text, MESSAGE_LIMIT);

/** What the result says about itself: its summary, its reason, else its title. */
function summaryOf(c: CheckResult): string {
  const evidence = c.evidence as Record<string, unknown>;
  for (const key of ['summary', 'reason'] as const) {
    const value = evidence[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return c.title ?? '';
}

/** One reason per check, most severe first, in result order within a severity. */
function checkReasons(checks: readonly CheckResult[], code: GateReason['code']): GateReason[] {
  return checks
    .map((c, index) => ({ c, index }))
    .sort((a, b) => severityRank(a.c.severity) - severityRank(b.c.severity) || a.index - b.index)
    .map(({ c }) => {
      const summary = summaryOf(c);
      return {
        code,
        checkId: c.id,
        message: line(`${c.id} ${c.status} (${c.severity})${summary ? `: ${summary}` : ''}`),
      };
    });
}

interface AddonJudgement {
  /** `addon-incompatible` reasons */
  readonly incompatible: GateReason[];
  /** `warning` reasons: what could not be judged against the target */
  readonly notes: GateReason[];
}

/**
 * The add-on half of rule 3: the CoreDNS and kube-proxy add-ons against the current cluster
 * version (as the scan judged it) and against `target` (judged now from the compatibility matrix
 * the scan kept). What cannot be judged against the target is said in a `warning` reason.
 */
function judgeAddons(newest: ClusterResult, target: string | undefined): AddonJudgement {
  const incompatible: GateReason[] = [];
  const notes: GateReason[] = [];
  const addonCheck = newest.checks.find((c) => c.id === ADDON_CHECK_ID);
  if (addonCheck === undefined) {
    if (target !== undefined)
      notes.push({
        code: 'warning',
        message: `add-on compatibility with ${target} not judged: the newest scan has no ${ADDON_CHECK_ID} result`,
      });
    return { incompatible, notes };
  }
  // Muted results take no part in gates (checks.md § Result model).
  if (addonCheck.muted) return { incompatible, notes };

  const current = currentAddonEvidenceSchema.safeParse(addonCheck.evidence);
  const clusterVersion = current.success ? (current.data.clusterVersion ?? undefined) : undefined;
  const byAddon = new Map<string, { installed: string | null; current: boolean; target?: string }>();
  if (current.success) {
    for (const addon of current.data.addons) {
      if (addon.compatibleWithCluster === false)
        byAddon.set(addon.addonName, { installed: addon.installedVersion ?? null, current: true });
    }
  }
  if (target !== undefined) {
    const verdict = addonCompatibleWith(addonCheck.evidence, target);
    const unjudged: string[] = [];
    for (const addon of verdict.addons) {
      if (addon.compatible === false) {
        const known = byAddon.get(addon.addonName);
        byAddon.set(addon.addonName, {
          installed: addon.installedVersion,
          current: known?.current ?? false,
          target: addon.reason,
        });
      } else if (addon.compatible === undefined) {
        unjudged.push(addon.addonName === '(all)' ? addon.reason : `${addon.addonName}: ${addon.reason}`);
      }
    }
    if (unjudged.length > 0)
      notes.push({
        code: 'warning',
        checkId: ADDON_CHECK_ID,
        message: line(
          `add-on compatibility with ${target} not judged (${unjudged.join('; ')}): judged against the current cluster version only`,
        ),
      });
  }
  for (const [addonName, found] of [...byAddon].sort(([a], [b]) => a.localeCompare(b))) {
    const name = `${addonName}${found.installed ? ` ${found.installed}` : ''}`;
    const against = [
      ...(found.current ? [`the current cluster version${clusterVersion ? ` ${clusterVersion}` : ''}`] : []),
      ...(found.target !== undefined ? [`the target version ${target ?? ''}`] : []),
    ].join(' and ');
    incompatible.push({
      code: 'addon-incompatible',
      checkId: ADDON_CHECK_ID,
      message: line(
        `${name} is incompatible with ${against}${found.target !== undefined ? ` (${found.target})` : ''}`,
      ),
    });
  }
  return { incompatible, notes };
}

/** The scan a decision is about, when it has a usable finish time. */
function finishedScan(newest: ClusterResult): { id: string; finishedAt: string; ms: number } | undefined {
  const scan = newest.scan;
  if (scan?.finishedAt === undefined || !dateTime.safeParse(scan.finishedAt).success) return undefined;
  const ms = Date.parse(scan.finishedAt);
  return Number.isNaN(ms) ? undefined : { id: scan.id, finishedAt: scan.finishedAt, ms };
}

function formatHours(ms: number): string {
  const hours = ms / HOUR_MS;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

function validated(input: DecideGateInput): {
  nowMs: number;
  target?: string;
  hours: number;
  gate: Severity;
} {
  const { now, freshnessHours = DEFAULT_FRESHNESS_HOURS, gateSeverity = DEFAULT_GATE_SEVERITY } = input;
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new GateInputError('now: expected a valid Date', 'now', now);
  if (typeof freshnessHours !== 'number' || !Number.isFinite(freshnessHours) || freshnessHours <= 0)
    throw new GateInputError(
      `freshnessHours ${String(freshnessHours)}: expected a positive number of hours`,
      'freshnessHours',
      freshnessHours,
    );
  if (!(SEVERITIES as readonly unknown[]).includes(gateSeverity))
    throw new GateInputError(
      `gateSeverity ${JSON.stringify(gateSeverity)}: expected one of ${SEVERITIES.join(', ')}`,
      'gateSeverity',
      gateSeverity,
    );
  return {
    nowMs: now.getTime(),
    hours: freshnessHours,
    gate: gateSeverity,
    ...(input.targetVersion !== undefined ? { target: parseTargetVersion(input.targetVersion) } : {}),
  };
}

/**
 * The gate decision for one cluster from its newest stored result (checks.md § Gate), in the
 * documented order, first match wins. Every decision matches `gateDecisionSchema`.
 *
 * - A scan without a usable `finishedAt` cannot be shown fresh: `unknown` (`stale`), `scan: null`.
 * - A scan that finished exactly `freshnessHours` ago is still fresh; one in the future (clock skew) is fresh.
 * - The add-ons are judged against the current version (the scan's own judgement) and, with a
 *   target, against the target from the compatibility matrix in `EKS-COREDNS-ADDON`'s evidence;
 *   what cannot be judged against the target is a `warning` reason.
 *
 * @throws GateInputError for a malformed `targetVersion`, a non-positive `freshnessHours`, an unknown `gateSeverity`, an invalid `now`
 * @example decideGate({ newest, now: new Date(), targetVersion: '1.33' }).decision // 'pass' | 'fail' | 'unknown'
 */
export function decideGate(input: DecideGateInput): GateDecision {
  const { nowMs, target, hours, gate } = validated(input);
  const { newest } = input;
  if (newest === undefined) {
    return finish({
      decision: 'unknown',
      reasons: [{ code: 'no-scan', message: 'no scan of this cluster is stored' }],
      scan: null,
    });
  }
  const unmuted = newest.checks.filter((c) => !c.muted);
  const addons = judgeAddons(newest, target);
  const failures = [
    ...checkReasons(
      unmuted.filter((c) => c.status === 'FAIL' && atOrAbove(c.severity, gate)),
      'check-failed',
    ),
    ...addons.incompatible,
  ];
  const scan = finishedScan(newest);
  const scanRef = scan ? { id: scan.id, finishedAt: scan.finishedAt } : null;

  // 2. stale (or no finish time to show it fresh)
  const ageMs = scan ? nowMs - scan.ms : undefined;
  if (scan === undefined || ageMs === undefined || ageMs > hours * HOUR_MS) {
    const message = scan
      ? `the newest scan ${scan.id} finished ${scan.finishedAt}, ${formatHours(ageMs ?? 0)} ago: older than the ${formatHours(hours * HOUR_MS)} freshness limit`
      : `the newest result${newest.scan ? ` (scan ${newest.scan.id})` : ''} has no finish time: its freshness cannot be shown`;
    return finish({
      decision: 'unknown',
      reasons: [{ code: 'stale', message: line(message) }, ...failures, ...addons.notes],
      scan: scanRef,
    });
  }
  // 3. failures
  if (failures.length > 0)
    return finish({ decision: 'fail', reasons: [...failures, ...addons.notes], scan: scanRef });
  // 4. errors
  const errors = unmuted.filter((c) => c.status === 'ERROR' && atOrAbove(c.severity, gate));
  if (errors.length > 0)
    return finish({
      decision: 'unknown',
      reasons: [...checkReasons(errors, 'check-error'), ...addons.notes],
      scan: scanRef,
    });
  // 5. pass
  const warnings = unmuted.filter((c) => c.status === 'WARN');
  return finish({
    decision: 'pass',
    reasons: [...checkReasons(warnings, 'warning'), ...addons.notes],
    scan: scanRef,
  });
}

/** What the gate hands out is the contract (result.schema.json `gateDecision`): a mismatch is a bug here. */
function finish(decision: GateDecision): GateDecision {
  const valid = gateDecisionSchema.safeParse(decision);
  if (!valid.success) throw new GateError(`gate decision does not match the schema: ${valid.error.message}`);
  return decision;
}
