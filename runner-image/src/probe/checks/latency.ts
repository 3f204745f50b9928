/**
 * DNS-LATENCY (checks.md § B): per target, for an internal and an external name, lone A and
 * AAAA queries and A/AAAA pairs sent as glibc sends them (one socket, back to back), all with
 * unique NXDOMAIN-expected names; percentiles per name class, histogram, timeouts, and the
 * verdict on one-sided pair losses — the conntrack race, or a path dropping one query type —
 * seen without waiting 5 s.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import {
  latencyStats,
  pairSignature,
  pairStatistics,
  percentile,
  probeName,
  sumPairCounts,
} from '../../../../lambdas/core/dns/index.js';
import type { LatencyStats, PairSample, PairStatistics } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';

/** One name class's round at one target. */
export interface ClassRound {
  readonly stats: LatencyStats;
  readonly pairs: PairStatistics;
  /** the answered queries' latencies (the summary's percentiles over every target) */
  readonly latenciesMs?: readonly number[];
}

/**
 * A target's latency round. `stats`, `pairs` and `latenciesMs` are the internal (cluster-domain)
 * name's: what the target answers itself, which DNS-PER-ENDPOINT and DNS-TCP-FALLBACK judge it
 * by; `external` is the external name's, whose answers come from the upstream behind it.
 */
export interface TargetLatency extends ClassRound {
  readonly target: ProbeTarget;
  readonly external?: ClassRound;
}

export type NameClass = 'internal' | 'external';

export interface LatencyThresholds {
  /** WARN above this p99 for internal names (checks.md default 100 ms) */
  readonly internalP99WarnMs: number;
  /** WARN above this p99 for external names (checks.md default 500 ms) */
  readonly externalP99WarnMs: number;
  /** FAIL when a target's unanswered share (beyond the race's losses) is above this */
  readonly timeoutFailShare: number;
}

const answered = (o: DnsOutcome): 'answered' | 'unanswered' =>
  o.outcome === 'answer' ? 'answered' : 'unanswered';

/**
 * One name class's round at one target: ⌊n/4⌋ same-socket A/AAAA pairs and the rest lone
 * queries, half A and half AAAA (lone queries tell the race from a filter of one type), sent
 * concurrently: the probe budget paces them, and slow answers overlap instead of adding up.
 */
async function measureClass(
  ctx: ProbeContext,
  target: ProbeTarget,
  zone: string,
  n: number,
): Promise<ClassRound> {
  const pairCount = Math.floor(n / 4);
  const loneCount = n - 2 * pairCount;
  const loneTypes = Array.from({ length: loneCount }, (_, i) => (i % 2 === 0 ? 'A' : 'AAAA'));
  const lone: { type: string; outcome: DnsOutcome }[] = [];
  const pairs: PairSample[] = [];
  const pairOutcomes: DnsOutcome[] = [];
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < Math.max(loneCount, pairCount); i += 1) {
    const type = loneTypes[i];
    if (type !== undefined)
      jobs.push(
        ctx
          .client({
            server: target.address,
            port: ctx.settings.dnsPort,
            timeoutMs: ctx.settings.timeoutMs,
            name: probeName(ctx.randomLabel(), zone),
            type,
            transport: 'udp',
          })
          .then((outcome) => {
            lone.push({ type, outcome });
          }),
      );
    if (i < pairCount)
      jobs.push(
        ctx.client
          .queryPair({
            server: target.address,
            port: ctx.settings.dnsPort,
            timeoutMs: ctx.settings.timeoutMs,
            name: probeName(ctx.randomLabel(), zone),
          })
          .then((p) => {
            pairs.push({ first: answered(p.first), second: answered(p.second) });
            pairOutcomes.push(p.first, p.second);
          }),
      );
  }
  await Promise.all(jobs);
  const outcomes = [...lone.map((l) => l.outcome), ...pairOutcomes];
  const loneOf = (type: string): { sent: number; unanswered: number } => {
    const sent = lone.filter((l) => l.type === type);
    return { sent: sent.length, unanswered: sent.filter((l) => l.outcome.outcome !== 'answer').length };
  };
  return {
    stats: latencyStats(outcomes),
    latenciesMs: outcomes.filter((o) => o.outcome === 'answer').map((o) => o.latencyMs),
    pairs: pairSignature(pairs, { A: loneOf('A'), AAAA: loneOf('AAAA') }),
  };
}

/** Sends the latency round to one target: the internal name's and the external name's, at once. */
export async function measureTarget(ctx: ProbeContext, target: ProbeTarget): Promise<TargetLatency> {
  const [internal, external] = await Promise.all([
    measureClass(ctx, target, ctx.settings.clusterDomain, Math.max(2, ctx.settings.latencyQueries)),
    ctx.settings.externalLatencyQueries > 0
      ? measureClass(ctx, target, ctx.settings.externalName, Math.max(2, ctx.settings.externalLatencyQueries))
      : undefined,
  ]);
  return { target, ...internal, ...(external ? { external } : {}) };
}

/**
 * Losses of a class round the pair verdict accounts for: under the race signature, the one-sided
 * pair losses (DNS-LATENCY's pair finding); under a filter of one query type, every loss of that
 * type (the path's, DNS-LATENCY's finding too). Neither is a target timing out, a pod dropping
 * queries (DNS-PER-ENDPOINT), nor a UDP path that does not answer (DNS-TCP-FALLBACK).
 */
export function verdictLosses(pairs: PairStatistics): { race: number; typeFilter: number } {
  if (pairs.verdict === 'race') return { race: pairs.aLostInPairs + pairs.aaaaLostInPairs, typeFilter: 0 };
  if (pairs.verdict === 'type-filter' && pairs.lostType !== undefined) {
    const lone = pairs.lostType === 'A' ? pairs.loneA : pairs.loneAAAA;
    const inPairs = pairs.lostType === 'A' ? pairs.aLostInPairs : pairs.aaaaLostInPairs;
    return { race: 0, typeFilter: inPairs + lone.lost };
  }
  return { race: 0, typeFilter: 0 };
}

/** The race's share of a round's losses (kept for callers that know only the race). */
export function raceLosses(pairs: PairStatistics): number {
  return verdictLosses(pairs).race;
}

/**
 * A round's queries sent, and those unanswered beyond what the pair verdict accounts for
 * (`explainedLosses` = `raceLosses` + `typeFilterLosses`).
 */
export function roundLosses(
  stats: LatencyStats,
  pairs?: PairStatistics,
): {
  sent: number;
  unanswered: number;
  raceLosses: number;
  typeFilterLosses: number;
  explainedLosses: number;
} {
  const sent = stats.count + stats.timeouts + stats.errors;
  const v = pairs ? verdictLosses(pairs) : { race: 0, typeFilter: 0 };
  const explained = Math.min(stats.timeouts + stats.errors, v.race + v.typeFilter);
  return {
    sent,
    unanswered: stats.timeouts + stats.errors - explained,
    raceLosses: v.race,
    typeFilterLosses: v.typeFilter,
    explainedLosses: explained,
  };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v} ms`);

/** Evidence options of DNS-LATENCY beyond its rounds. */
export interface LatencyContext {
  /** the node the probe pod runs on: the client end of every path measured */
  readonly clientNode?: string;
  /** set when the ClusterIP could not be measured (a note; ERROR when nothing was) */
  readonly unavailable?: string;
}

/** Evaluates DNS-LATENCY over every target's round. Pure. */
export function evaluateLatency(
  rounds: readonly TargetLatency[],
  thresholds: LatencyThresholds,
  budget: Record<string, unknown>,
  context: LatencyContext = {},
): CheckResult {
  const { unavailable, clientNode } = context;
  if (rounds.length === 0) {
    const reason = unavailable ?? 'no target to measure';
    return makeResult('DNS-LATENCY', { status: 'ERROR', evidence: { reason, summary: reason } });
  }
  const warnAt: Record<NameClass, number> = {
    internal: thresholds.internalP99WarnMs,
    external: thresholds.externalP99WarnMs,
  };
  const perTarget = rounds.map((r) => {
    const classRounds: [NameClass, ClassRound][] = [
      ['internal', r],
      ...(r.external ? [['external', r.external] as [NameClass, ClassRound]] : []),
    ];
    // The verdict on one-sided pair losses is the target's: both names' pairs and lone queries.
    const pairs = pairStatistics(sumPairCounts(classRounds.map(([, c]) => c.pairs)));
    const classes = Object.fromEntries(
      classRounds.map(([cls, c]) => {
        const sent = c.stats.count + c.stats.timeouts + c.stats.errors;
        // the target's verdict applied to this class's own counts
        const v = verdictLosses({
          ...c.pairs,
          verdict: pairs.verdict,
          ...(pairs.lostType ? { lostType: pairs.lostType } : {}),
        });
        const unanswered = Math.max(0, c.stats.timeouts + c.stats.errors - v.race);
        return [
          cls,
          {
            sent,
            ...c.stats,
            unanswered,
            raceLosses: Math.min(v.race, c.stats.timeouts + c.stats.errors),
            typeFilterLosses: v.typeFilter,
            slow: c.stats.p99Ms !== null && c.stats.p99Ms > warnAt[cls],
          },
        ];
      }),
    ) as Partial<
      Record<
        NameClass,
        LatencyStats & {
          sent: number;
          unanswered: number;
          raceLosses: number;
          typeFilterLosses: number;
          slow: boolean;
        }
      >
    >;
    const all = Object.values(classes);
    const sent = all.reduce((a, c) => a + c.sent, 0);
    const lost = all.reduce((a, c) => a + c.timeouts + c.errors, 0);
    const unanswered = all.reduce((a, c) => a + c.unanswered, 0);
    const race = all.reduce((a, c) => a + c.raceLosses, 0);
    return {
      target: targetLabel(r.target),
      address: r.target.address,
      role: r.target.role,
      ...(r.target.pod ? { pod: r.target.pod } : {}),
      sent,
      timeouts: all.reduce((a, c) => a + c.timeouts, 0),
      errors: all.reduce((a, c) => a + c.errors, 0),
      unansweredShare: sent ? Math.round((lost / sent) * 1000) / 1000 : 0,
      // timeouts beyond the one-sided pair losses the race signature accounts for
      timeoutShare: sent ? Math.round((unanswered / sent) * 1000) / 1000 : 0,
      unansweredBeyondRace: unanswered,
      raceLosses: race,
      classes,
      slowClasses: (Object.keys(classes) as NameClass[]).filter((cls) => classes[cls]?.slow === true),
      pairs,
    };
  });
  const race = perTarget.filter((t) => t.pairs.verdict === 'race');
  const filtered = perTarget.filter((t) => t.pairs.verdict === 'type-filter');
  const timeouts = perTarget.filter((t) => t.timeoutShare > thresholds.timeoutFailShare);
  const slow = perTarget.filter((t) => t.slowClasses.length > 0);
  const slowClasses = (['internal', 'external'] as const).filter((cls) =>
    slow.some((t) => t.slowClasses.includes(cls)),
  );
  // Read by the diagnosis (evidence-conventions.ts): which targets time out, which show the race.
  const timeoutsByTarget = Object.fromEntries(
    perTarget.map((t) => [
      t.address,
      {
        role: t.role,
        ...(t.pod ? { pod: t.pod } : {}),
        sent: t.sent,
        unanswered: t.unansweredBeyondRace,
        unansweredInternal: t.classes.internal?.unanswered ?? 0,
        unansweredExternal: t.classes.external?.unanswered ?? 0,
        raceLosses: t.raceLosses,
        overThreshold: t.timeoutShare > thresholds.timeoutFailShare,
      },
    ]),
  );
  // The one-line summary: percentiles over every answered query (the worst target's when the
  // rounds carry no raw latencies), per name class, timeouts, pair statistics.
  const sentAll = perTarget.reduce((a, t) => a + t.sent, 0);
  const timeoutsAll = perTarget.reduce((a, t) => a + t.timeouts + t.errors, 0);
  const pairsAll = perTarget.reduce((a, t) => a + t.pairs.pairs, 0);
  const oneSidedAll = perTarget.reduce((a, t) => a + t.pairs.aLostInPairs + t.pairs.aaaaLostInPairs, 0);
  const classRoundsOf = (cls: NameClass): ClassRound[] =>
    rounds.flatMap((r) => (cls === 'internal' ? [r] : r.external ? [r.external] : []));
  const overall = (cls: NameClass, p: 50 | 99): number | null => {
    const list = classRoundsOf(cls);
    if (list.length > 0 && list.every((r) => r.latenciesMs !== undefined)) {
      const v = percentile(
        list.flatMap((r) => r.latenciesMs ?? []).sort((a, b) => a - b),
        p,
      );
      return v === null ? null : Math.round(v * 100) / 100;
    }
    const key = p === 50 ? 'p50Ms' : 'p99Ms';
    return list.reduce<number | null>(
      (acc, r) =>
        r.stats[key] === null ? acc : acc === null ? r.stats[key] : Math.max(acc, r.stats[key] as number),
      null,
    );
  };
  const p99ByClass = {
    internal: overall('internal', 99),
    ...(rounds.some((r) => r.external) ? { external: overall('external', 99) } : {}),
  };
  const classText = (cls: NameClass): string =>
    `${cls} p50 ${ms(overall(cls, 50))}, p99 ${ms(overall(cls, 99))}`;
  const overview = `${[
    classText('internal'),
    ...(rounds.some((r) => r.external) ? [classText('external')] : []),
  ].join('; ')}; ${timeoutsAll} timeouts of ${sentAll}; ${oneSidedAll} of ${pairsAll} A/AAAA pairs one-sided`;
  const evidence: Record<string, unknown> = {
    targets: perTarget,
    thresholds,
    p99ByClass,
    ...(slowClasses.length ? { slowClasses } : {}),
    conntrackRaceSignature: race.length > 0,
    raceTargets: race.map((t) => t.address),
    ...(filtered.length
      ? { typeFilterTargets: filtered.map((t) => ({ address: t.address, lostType: t.pairs.lostType })) }
      : {}),
    timeoutTargets: timeouts.map((t) => t.address),
    timeoutsByTarget,
    ...(clientNode ? { clientNode } : {}),
    probeBudget: budget,
    ...(unavailable ? { notes: [unavailable] } : {}),
  };
  const pairText = (t: (typeof perTarget)[number]): string =>
    `A lost in ${t.pairs.aLostInPairs}, AAAA lost in ${t.pairs.aaaaLostInPairs} of ${t.pairs.pairs} A/AAAA pairs; lone A ${t.pairs.loneA.lost} of ${t.pairs.loneA.answered + t.pairs.loneA.lost} lost, lone AAAA ${t.pairs.loneAAAA.lost} of ${t.pairs.loneAAAA.answered + t.pairs.loneAAAA.lost} lost`;
  if (race.length || timeouts.length || filtered.length) {
    const atFault = [...new Set([...race, ...filtered, ...timeouts].map((t) => t.target))];
    const why = [
      ...race.map(
        (t) =>
          `${t.target}: ${pairText(t)}: the conntrack-race signature (the lost half varies, or lone queries of the lost type answer), lookups wait the 5 s timeout`,
      ),
      ...filtered.map(
        (t) =>
          `${t.target}: ${pairText(t)}: every ${t.pairs.lostType} query is lost, paired or alone — something on the path drops that query type (not the conntrack race)`,
      ),
      ...timeouts.map(
        (t) =>
          `${t.target}: ${Math.round(t.timeoutShare * 100)} % of ${t.sent} queries unanswered (internal ${t.classes.internal?.unanswered ?? 0}, external ${t.classes.external?.unanswered ?? 0})${t.raceLosses ? ` (besides ${t.raceLosses} one-sided pair losses)` : ''}`,
      ),
    ];
    const headline = [
      ...(race.length ? [`A/AAAA pair race signature on ${race.map((t) => t.target).join(', ')}`] : []),
      ...(filtered.length
        ? [`${filtered.map((t) => `${t.pairs.lostType} always lost on ${t.target}`).join(', ')}`]
        : []),
      ...timeouts.map((t) => `${t.target} ${t.unansweredBeyondRace} of ${t.sent} unanswered`),
    ].join('; ');
    return makeResult('DNS-LATENCY', {
      status: 'FAIL',
      evidence: { summary: `${headline} (${overview})`, ...evidence, resources: atFault, findings: why },
    });
  }
  if (slow.length) {
    const slowText = (t: (typeof perTarget)[number]): string =>
      t.slowClasses
        .map((cls) => `${cls} p99 ${ms(t.classes[cls]?.p99Ms ?? null)} above ${warnAt[cls]} ms`)
        .join(', ');
    return makeResult('DNS-LATENCY', {
      status: 'WARN',
      evidence: {
        summary: `${slow.map((t) => `${t.target} ${slowText(t)}`).join('; ')}; ${overview}`,
        ...evidence,
        resources: slow.map((t) => t.target),
        findings: slow.map((t) => `${t.target}: ${slowText(t)}`),
      },
    });
  }
  return makeResult('DNS-LATENCY', { status: 'PASS', evidence: { summary: overview, ...evidence } });
}
