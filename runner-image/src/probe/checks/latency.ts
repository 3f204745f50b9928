/**
 * DNS-LATENCY (checks.md § B): per target, single queries and A/AAAA pairs sent as glibc sends
 * them (one socket, back to back), all with unique NXDOMAIN-expected names; percentiles,
 * histogram, timeouts, and the conntrack-race pair signature — seen without waiting 5 s.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { latencyStats, pairSignature, percentile, probeName } from '../../../../lambdas/core/dns/index.js';
import type { LatencyStats, PairSample, PairStatistics } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';

export interface TargetLatency {
  readonly target: ProbeTarget;
  readonly stats: LatencyStats;
  readonly pairs: PairStatistics;
  /** the answered queries' latencies (the summary's percentiles over every target) */
  readonly latenciesMs?: readonly number[];
}

const answered = (o: DnsOutcome): 'answered' | 'unanswered' =>
  o.outcome === 'answer' ? 'answered' : 'unanswered';

/** Sends the latency round to one target: ⌈N/2⌉ singles, then ⌊N/4⌋ pairs, interleaved. */
export async function measureTarget(ctx: ProbeContext, target: ProbeTarget): Promise<TargetLatency> {
  const n = Math.max(2, ctx.settings.latencyQueries);
  const pairCount = Math.floor(n / 4);
  const singleCount = n - 2 * pairCount;
  const singles: DnsOutcome[] = [];
  const pairs: PairSample[] = [];
  const pairOutcomes: DnsOutcome[] = [];
  const zone = ctx.settings.clusterDomain;
  const jobs: Promise<void>[] = [];
  // Sent concurrently: the probe budget paces them, so the round takes as long as the budget allows.
  for (let i = 0; i < Math.max(singleCount, pairCount); i += 1) {
    if (i < singleCount)
      jobs.push(
        ctx
          .client({
            server: target.address,
            port: ctx.settings.dnsPort,
            timeoutMs: ctx.settings.timeoutMs,
            name: probeName(ctx.randomLabel(), zone),
            type: 'A',
            transport: 'udp',
          })
          .then((o) => {
            singles.push(o);
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
  const outcomes = [...singles, ...pairOutcomes];
  const stats = latencyStats(outcomes);
  const singleUnanswered = singles.filter((o) => o.outcome !== 'answer').length;
  return {
    target,
    stats,
    latenciesMs: outcomes.filter((o) => o.outcome === 'answer').map((o) => o.latencyMs),
    pairs: pairSignature(
      pairs,
      singles.length ? { sent: singles.length, unanswered: singleUnanswered } : null,
    ),
  };
}

/**
 * Queries of a round the conntrack-race signature accounts for: when the target shows the
 * signature, its one-sided pair losses are the race's (DNS-LATENCY's pair finding), not
 * timeouts of the target, nor a pod dropping queries (DNS-PER-ENDPOINT), nor a UDP path that
 * does not answer (DNS-TCP-FALLBACK). Without the signature they are ordinary losses.
 */
export function raceLosses(pairs: PairStatistics): number {
  return pairs.signature ? pairs.firstOnlyUnanswered + pairs.secondOnlyUnanswered : 0;
}

/** A round's queries sent, and those unanswered beyond what the race signature accounts for. */
export function roundLosses(
  stats: LatencyStats,
  pairs?: PairStatistics,
): { sent: number; unanswered: number; raceLosses: number } {
  const sent = stats.count + stats.timeouts + stats.errors;
  const race = pairs ? raceLosses(pairs) : 0;
  return { sent, unanswered: Math.max(0, stats.timeouts + stats.errors - race), raceLosses: race };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v} ms`);

/** Evaluates DNS-LATENCY over every target's round. Pure. */
export function evaluateLatency(
  rounds: readonly TargetLatency[],
  thresholds: { p99WarnMs: number; timeoutFailShare: number },
  budget: Record<string, unknown>,
  unavailable?: string,
): CheckResult {
  if (rounds.length === 0) {
    const reason = unavailable ?? 'no target to measure';
    return makeResult('DNS-LATENCY', { status: 'ERROR', evidence: { reason, summary: reason } });
  }
  const perTarget = rounds.map((r) => {
    const losses = roundLosses(r.stats, r.pairs);
    return {
      target: targetLabel(r.target),
      address: r.target.address,
      role: r.target.role,
      ...(r.target.pod ? { pod: r.target.pod } : {}),
      sent: losses.sent,
      ...r.stats,
      unansweredShare: losses.sent
        ? Math.round(((r.stats.timeouts + r.stats.errors) / losses.sent) * 1000) / 1000
        : 0,
      // timeouts beyond the one-sided pair losses the race signature accounts for
      timeoutShare: losses.sent ? Math.round((losses.unanswered / losses.sent) * 1000) / 1000 : 0,
      unansweredBeyondRace: losses.unanswered,
      raceLosses: losses.raceLosses,
      pairs: r.pairs,
    };
  });
  const race = perTarget.filter((t) => t.pairs.signature);
  const timeouts = perTarget.filter((t) => t.timeoutShare > thresholds.timeoutFailShare);
  const slow = perTarget.filter((t) => t.p99Ms !== null && t.p99Ms > thresholds.p99WarnMs);
  // Read by the diagnosis (evidence-conventions.ts): which targets time out, which show the race.
  const timeoutsByTarget = Object.fromEntries(
    perTarget.map((t) => [
      t.address,
      {
        role: t.role,
        ...(t.pod ? { pod: t.pod } : {}),
        sent: t.sent,
        unanswered: t.unansweredBeyondRace,
        raceLosses: t.raceLosses,
        overThreshold: t.timeoutShare > thresholds.timeoutFailShare,
      },
    ]),
  );
  // The one-line summary: percentiles over every answered query (the worst target's when the
  // rounds carry no raw latencies), timeouts, pair statistics.
  const sentAll = perTarget.reduce((a, t) => a + t.sent, 0);
  const timeoutsAll = perTarget.reduce((a, t) => a + t.timeouts + t.errors, 0);
  const pairsAll = perTarget.reduce((a, t) => a + t.pairs.pairs, 0);
  const oneSidedAll = perTarget.reduce(
    (a, t) => a + t.pairs.firstOnlyUnanswered + t.pairs.secondOnlyUnanswered,
    0,
  );
  const raw = rounds.every((r) => r.latenciesMs !== undefined)
    ? [...rounds.flatMap((r) => r.latenciesMs ?? [])].sort((a, b) => a - b)
    : undefined;
  const overall = (p: 50 | 99, key: 'p50Ms' | 'p99Ms'): number | null => {
    if (raw) {
      const v = percentile(raw, p);
      return v === null ? null : Math.round(v * 100) / 100;
    }
    return perTarget.reduce<number | null>(
      (acc, t) => (t[key] === null ? acc : acc === null ? t[key] : Math.max(acc, t[key] as number)),
      null,
    );
  };
  const overview = `p50 ${ms(overall(50, 'p50Ms'))}, p99 ${ms(overall(99, 'p99Ms'))}, ${timeoutsAll} timeouts of ${sentAll}; ${oneSidedAll} of ${pairsAll} A/AAAA pairs one-sided`;
  const evidence: Record<string, unknown> = {
    targets: perTarget,
    thresholds,
    conntrackRaceSignature: race.length > 0,
    raceTargets: race.map((t) => t.address),
    timeoutTargets: timeouts.map((t) => t.address),
    timeoutsByTarget,
    probeBudget: budget,
    ...(unavailable ? { notes: [unavailable] } : {}),
  };
  if (race.length || timeouts.length) {
    const atFault = [...new Set([...race, ...timeouts].map((t) => t.target))];
    const why = [
      ...race.map(
        (t) =>
          `${t.target}: ${t.pairs.firstOnlyUnanswered + t.pairs.secondOnlyUnanswered} of ${t.pairs.pairs} A/AAAA pairs had exactly one query unanswered (single-query loss ${t.pairs.singleLossRate ?? 'n/a'}): the conntrack-race signature, lookups wait the 5 s timeout`,
      ),
      ...timeouts.map(
        (t) =>
          `${t.target}: ${Math.round(t.timeoutShare * 100)} % of ${t.sent} queries unanswered${t.raceLosses ? ` (besides ${t.raceLosses} one-sided pair losses)` : ''}`,
      ),
    ];
    const headline = [
      ...(race.length ? [`A/AAAA pair race signature on ${race.map((t) => t.target).join(', ')}`] : []),
      ...timeouts.map((t) => `${t.target} ${t.unansweredBeyondRace} of ${t.sent} unanswered`),
    ].join('; ');
    return makeResult('DNS-LATENCY', {
      status: 'FAIL',
      evidence: { summary: `${headline} (${overview})`, ...evidence, resources: atFault, findings: why },
    });
  }
  if (slow.length)
    return makeResult('DNS-LATENCY', {
      status: 'WARN',
      evidence: {
        summary: `p99 above ${thresholds.p99WarnMs} ms on ${slow.map((t) => `${t.target} (${ms(t.p99Ms)})`).join(', ')}; ${overview}`,
        ...evidence,
        resources: slow.map((t) => t.target),
        findings: slow.map((t) => `${t.target}: p99 ${t.p99Ms} ms above ${thresholds.p99WarnMs} ms`),
      },
    });
  return makeResult('DNS-LATENCY', { status: 'PASS', evidence: { summary: overview, ...evidence } });
}
