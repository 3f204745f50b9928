/**
 * DNS-TCP-FALLBACK (checks.md § B): one TCP query to the ClusterIP and to each pod. A target
 * fails when UDP answers there but TCP does not — truncated answers would then fail.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { probeName } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';

const answered = (o: DnsOutcome | undefined): boolean => o?.outcome === 'answer' && o.rcode !== 'SERVFAIL';

/**
 * @param udpAnswered per target address: whether UDP got an answer there in the earlier probes
 */
export async function checkTcpFallback(
  ctx: ProbeContext,
  targets: readonly ProbeTarget[],
  udpAnswered: ReadonlyMap<string, boolean>,
  unavailable?: string,
): Promise<CheckResult> {
  if (targets.length === 0)
    return makeResult('DNS-TCP-FALLBACK', {
      status: 'ERROR',
      evidence: { reason: unavailable ?? 'no kube-dns ClusterIP or CoreDNS pod to query' },
    });
  const results = await Promise.all(
    targets.map(async (t) => {
      const tcp = await ctx.client({
        server: t.address,
        port: ctx.settings.dnsPort,
        timeoutMs: ctx.settings.timeoutMs,
        name: probeName(ctx.randomLabel(), ctx.settings.clusterDomain),
        type: 'A',
        transport: 'tcp',
      });
      return { target: t, tcp, udp: udpAnswered.get(t.address) ?? false };
    }),
  );
  const perTarget = results.map((r) => ({
    target: targetLabel(r.target),
    role: r.target.role,
    udpAnswered: r.udp,
    tcp: outcomeEvidence(r.tcp),
  }));
  const failing = results.filter((r) => r.udp && !answered(r.tcp));
  const judged = results.filter((r) => r.udp);
  const notes = results
    .filter((r) => !r.udp)
    .map((r) => `${targetLabel(r.target)}: UDP does not answer either, so TCP fallback is not judged there`);
  const evidence = {
    targets: perTarget,
    ...(failing.length ? { resources: failing.map((r) => r.target.pod ?? r.target.address) } : {}),
    ...(notes.length ? { notes } : {}),
    ...(unavailable ? { notes: [...notes, unavailable] } : {}),
  };
  if (failing.length) return makeResult('DNS-TCP-FALLBACK', { status: 'FAIL', evidence });
  if (judged.length === 0)
    return makeResult('DNS-TCP-FALLBACK', {
      status: 'ERROR',
      evidence: { ...evidence, reason: 'no target answered over UDP, so TCP fallback could not be judged' },
    });
  return makeResult('DNS-TCP-FALLBACK', { status: 'PASS', evidence });
}
