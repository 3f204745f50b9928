/**
 * DNS-LATENCY (checks.md § B): per target, single queries and A/AAAA pairs sent as glibc sends
 * them (one socket, back to back), all with unique NXDOMAIN-expected names; percentiles,
 * histogram, timeouts, and the conntrack-race pair signature — seen without waiting 5 s.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { latencyStats, pairSignature, probeName } from '../../../../lambdas/core/dns/index.js';
import type { LatencyStats, PairSample, PairStatistics } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';

export interface TargetLatency {
  readonly target: ProbeTarget;
  readonly stats: LatencyStats;
  readonly pairs: PairStatistics;
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
  const stats = latencyStats([...singles, ...pairOutcomes]);
  const singleUnanswered = singles.filter((o) => o.outcome !== 'answer').length;
  return {
    target,
    stats,
    pairs: pairSignature(
      pairs,
      singles.length ? { sent: singles.length, unanswered: singleUnanswered } : null,
    ),
  };
}

/** Evaluates DNS-LATENCY over every target's round. Pure. */
export function evaluateLatency(
  rounds: readonly TargetLatency[],
  thresholds: { p99WarnMs: number; timeoutFailShare: number },
  budget: Record<string, unknown>,
  unavailable?: string,
): CheckResult {
  if (rounds.length === 0)
    return makeResult('DNS-LATENCY', {
      status: 'ERROR',
      evidence: { reason: unavailable ?? 'no target to measure' },
    });
  const perTarget = rounds.map((r) => {
    const sent = r.stats.count + r.stats.timeouts + r.stats.errors;
    return {
      target: targetLabel(r.target),
      address: r.target.address,
      role: r.target.role,
      sent,
      ...r.stats,
      unansweredShare: sent ? Math.round(((r.stats.timeouts + r.stats.errors) / sent) * 1000) / 1000 : 0,
      pairs: r.pairs,
    };
  });
  const race = perTarget.filter((t) => t.pairs.signature);
  const timeouts = perTarget.filter((t) => t.unansweredShare > thresholds.timeoutFailShare);
  const slow = perTarget.filter((t) => t.p99Ms !== null && t.p99Ms > thresholds.p99WarnMs);
  const evidence: Record<string, unknown> = {
    targets: perTarget,
    thresholds,
    conntrackRaceSignature: race.length > 0,
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
        (t) => `${t.target}: ${Math.round(t.unansweredShare * 100)} % of ${t.sent} queries unanswered`,
      ),
    ];
    return makeResult('DNS-LATENCY', {
      status: 'FAIL',
      evidence: { ...evidence, resources: atFault, findings: why },
    });
  }
  if (slow.length)
    return makeResult('DNS-LATENCY', {
      status: 'WARN',
      evidence: {
        ...evidence,
        resources: slow.map((t) => t.target),
        findings: slow.map((t) => `${t.target}: p99 ${t.p99Ms} ms above ${thresholds.p99WarnMs} ms`),
      },
    });
  return makeResult('DNS-LATENCY', { status: 'PASS', evidence });
}
