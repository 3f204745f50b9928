/**
 * DNS-TCP-FALLBACK (checks.md § B): one TCP query to the ClusterIP and to each pod. A target
 * fails when UDP answers there but TCP does not — truncated answers would then fail.
 *
 * Judged per target: a target counts only when its UDP queries answered (every one, within the
 * latency timeout tolerance) and its TCP query did not. A target that fails UDP as well is not a
 * TCP finding (a pod that drops everything is DNS-PER-ENDPOINT's). The ClusterIP round-robins
 * over the pods: when its UDP results are mixed, or a pod behind it does not answer UDP, its TCP
 * query may simply have landed on that pod, so it is no evidence of a TCP problem either.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { probeName } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';

const answered = (o: DnsOutcome | undefined): boolean => o?.outcome === 'answer' && o.rcode !== 'SERVFAIL';

/** What UDP did at a target in the earlier probes: queries sent and answered there. */
export interface UdpRecord {
  readonly sent: number;
  readonly answered: number;
}

/**
 * UDP at a target: `true` (every query answered), `false` (none did, or not probed), or the
 * counts (judged against `tolerance`).
 */
export type UdpEvidence = boolean | UdpRecord;

export type UdpState = 'answered' | 'mixed' | 'unanswered';

/** `answered` when at most `tolerance` of the UDP queries went unanswered, `unanswered` when none answered. */
export function udpState(udp: UdpEvidence | undefined, tolerance: number): UdpState {
  if (udp === undefined || udp === false) return 'unanswered';
  if (udp === true) return 'answered';
  if (udp.sent <= 0 || udp.answered <= 0) return 'unanswered';
  return (udp.sent - udp.answered) / udp.sent <= tolerance ? 'answered' : 'mixed';
}

export interface TcpProbe {
  readonly target: ProbeTarget;
  readonly tcp: DnsOutcome;
  readonly udp: UdpEvidence | undefined;
}

/** Evaluates DNS-TCP-FALLBACK from each target's TCP outcome and what UDP did there. Pure. */
export function evaluateTcpFallback(
  probes: readonly TcpProbe[],
  options: { tolerance?: number; unavailable?: string } = {},
): CheckResult {
  const tolerance = options.tolerance ?? 0.05;
  if (probes.length === 0) {
    const reason = options.unavailable ?? 'no kube-dns ClusterIP or CoreDNS pod to query';
    return makeResult('DNS-TCP-FALLBACK', { status: 'ERROR', evidence: { reason, summary: reason } });
  }
  const states = probes.map((p) => ({ ...p, state: udpState(p.udp, tolerance) }));
  const podStates = states.filter((s) => s.target.role === 'pod');
  const podNotAnsweringUdp = podStates.filter((s) => s.state !== 'answered');
  const judgedRows = states.map((s) => {
    let skip: string | undefined;
    if (s.state === 'unanswered') skip = 'UDP does not answer either, so TCP fallback is not judged there';
    else if (s.state === 'mixed')
      skip =
        s.target.role === 'clusterIP'
          ? 'UDP answered only part of the queries (round-robin over pods that do not all answer), so TCP fallback is not judged there'
          : 'UDP answered only part of the queries, so TCP fallback is not judged there';
    else if (s.target.role === 'clusterIP' && podNotAnsweringUdp.length > 0)
      skip = `a pod behind it does not answer UDP (${podNotAnsweringUdp.map((p) => p.target.pod ?? p.target.address).join(', ')}): its TCP query may have landed there, so TCP fallback is not judged there`;
    return { ...s, skip, judged: skip === undefined, tcpOk: answered(s.tcp) };
  });
  const failing = judgedRows.filter((r) => r.judged && !r.tcpOk);
  const judged = judgedRows.filter((r) => r.judged);
  const perTarget = judgedRows.map((r) => ({
    target: targetLabel(r.target),
    role: r.target.role,
    udpAnswered: r.state === 'answered',
    udp: typeof r.udp === 'object' ? { ...r.udp, state: r.state } : { state: r.state },
    tcp: outcomeEvidence(r.tcp),
    judged: r.judged,
  }));
  const notes = [
    ...judgedRows.filter((r) => r.skip).map((r) => `${targetLabel(r.target)}: ${r.skip}`),
    ...(options.unavailable ? [options.unavailable] : []),
  ];
  const tcpWord = (o: DnsOutcome): string =>
    o.outcome === 'timeout' ? 'timed out' : o.outcome === 'error' ? o.error : o.rcode;
  const evidence = {
    targets: perTarget,
    tolerance,
    ...(failing.length ? { resources: failing.map((r) => r.target.pod ?? r.target.address) } : {}),
    ...(notes.length ? { notes } : {}),
  };
  const notJudged = judgedRows.length - judged.length;
  const notJudgedText = notJudged ? `; ${notJudged} not judged (UDP did not answer every query there)` : '';
  if (failing.length)
    return makeResult('DNS-TCP-FALLBACK', {
      status: 'FAIL',
      evidence: {
        summary: `TCP failed where UDP answers: ${failing.map((r) => `${targetLabel(r.target)} (${tcpWord(r.tcp)})`).join(', ')}${notJudgedText}`,
        ...evidence,
      },
    });
  if (judged.length === 0) {
    const reason = 'no target answered every UDP query, so TCP fallback could not be judged';
    return makeResult('DNS-TCP-FALLBACK', {
      status: 'ERROR',
      evidence: { ...evidence, reason, summary: reason },
    });
  }
  return makeResult('DNS-TCP-FALLBACK', {
    status: 'PASS',
    evidence: {
      summary: `TCP answered at ${judged.length} of ${judged.length} target(s) where UDP answers${notJudgedText}`,
      ...evidence,
    },
  });
}

/**
 * Sends one TCP query to each target and evaluates DNS-TCP-FALLBACK.
 *
 * @param udp per target address: what UDP did there in the earlier probes
 */
export async function checkTcpFallback(
  ctx: ProbeContext,
  targets: readonly ProbeTarget[],
  udp: ReadonlyMap<string, UdpEvidence>,
  unavailable?: string,
): Promise<CheckResult> {
  const probes = await Promise.all(
    targets.map(async (t): Promise<TcpProbe> => {
      const tcp = await ctx.client({
        server: t.address,
        port: ctx.settings.dnsPort,
        timeoutMs: ctx.settings.timeoutMs,
        name: probeName(ctx.randomLabel(), ctx.settings.clusterDomain),
        type: 'A',
        transport: 'tcp',
      });
      return { target: t, tcp, udp: udp.get(t.address) };
    }),
  );
  return evaluateTcpFallback(probes, {
    tolerance: ctx.settings.timeoutFailShare,
    ...(unavailable !== undefined ? { unavailable } : {}),
  });
}
