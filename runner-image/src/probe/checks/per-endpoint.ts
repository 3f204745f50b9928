/**
 * DNS-PER-ENDPOINT (checks.md § B): internal and external queries sent to each CoreDNS pod IP
 * directly, so one bad pod cannot hide behind ClusterIP round-robin. The latency round's
 * queries to each pod count too: a pod dropping a share of queries shows there — except the
 * losses DNS-LATENCY's pair verdict accounts for (the one-sided pair losses of the conntrack
 * race, or every query of one type a path filters): those are its finding, not a pod that drops
 * queries. An external name failing through **every** pod is the upstream's (DNS-EXTERNAL), not
 * a pod failure: PASS with a note, no pod named (checks.md § B).
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import type { LatencyStats, PairStatistics } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';
import { internalAnswerOk, internalName } from './resolution.js';
import { roundLosses } from './latency.js';

export interface EndpointProbe {
  readonly target: ProbeTarget;
  readonly internal: DnsOutcome;
  readonly external: DnsOutcome;
}

/** Sends the internal and external query to each pod (one attempt each: a pod that drops is the finding). */
export async function probeEndpoints(
  ctx: ProbeContext,
  pods: readonly ProbeTarget[],
): Promise<EndpointProbe[]> {
  return Promise.all(
    pods.map(async (target) => {
      const base = {
        server: target.address,
        port: ctx.settings.dnsPort,
        timeoutMs: ctx.settings.timeoutMs,
        type: 'A',
        transport: 'udp' as const,
      };
      const [internal, external] = await Promise.all([
        ctx.client({ ...base, name: internalName(ctx.settings.clusterDomain) }),
        ctx.client({ ...base, name: ctx.settings.externalName }),
      ]);
      return { target, internal, external };
    }),
  );
}

/** `timed out`, `error (…)`, `SERVFAIL`, `wrong answer` — what became of a query that failed. */
function describeOutcome(o: DnsOutcome): string {
  if (o.outcome === 'timeout') return 'timed out';
  if (o.outcome === 'error') return `error (${o.error})`;
  return o.rcode === 'NOERROR' ? 'wrong answer' : o.rcode;
}

const externalOk = (o: DnsOutcome): boolean =>
  o.outcome === 'answer' && (o.rcode === 'NOERROR' || o.rcode === 'NXDOMAIN');

/** Evaluates DNS-PER-ENDPOINT from the direct probes and each pod's latency round. Pure. */
export function evaluatePerEndpoint(input: {
  readonly endpoints: { ok: true; value: readonly ProbeTarget[] } | { ok: false; error: string };
  readonly probes: readonly EndpointProbe[];
  readonly latency: ReadonlyMap<string, LatencyStats>;
  /** each pod's latency-round pair statistics (one-sided losses under the race signature are not the pod's) */
  readonly pairs?: ReadonlyMap<string, PairStatistics>;
  readonly kubernetesIp: string | null | undefined;
  readonly timeoutFailShare: number;
}): CheckResult {
  if (!input.endpoints.ok)
    return makeResult('DNS-PER-ENDPOINT', {
      status: 'ERROR',
      evidence: { reason: input.endpoints.error, summary: input.endpoints.error },
    });
  if (input.endpoints.value.length === 0) {
    const reason = 'the kube-dns Service has no ready CoreDNS endpoints to query (see K8S-DNS-ENDPOINTS)';
    return makeResult('DNS-PER-ENDPOINT', { status: 'SKIPPED', evidence: { reason, summary: reason } });
  }
  // checks.md: "all failing is FAIL too" — an external name failing through every pod fails
  // every pod. The evidence says so (`externalFailedThroughEveryPod`), and the diagnosis lays it
  // at the upstream's door when DNS-EXTERNAL (or a root forwarder) says the upstream is dead.
  const externalFailedThroughEveryPod =
    input.probes.length > 0 && input.probes.every((p) => !externalOk(p.external));
  const notes: string[] = [];
  if (externalFailedThroughEveryPod)
    notes.push(
      `the external name fails through every pod: the upstream's failure, not a pod's (see DNS-EXTERNAL and K8S-COREDNS-COREFILE)`,
    );
  // A pod fails on the external name only when another pod answers it.
  const externalFails = (o: DnsOutcome): boolean => !externalOk(o) && !externalFailedThroughEveryPod;
  const judged = input.probes.map((p) => {
    const stats = input.latency.get(p.target.address);
    const pairs = input.pairs?.get(p.target.address);
    const losses = stats
      ? roundLosses(stats, pairs)
      : { sent: 0, unanswered: 0, raceLosses: 0, typeFilterLosses: 0 };
    const sent = losses.sent;
    const unansweredShare = sent > 0 ? losses.unanswered / sent : 0;
    const problems: string[] = [];
    const failedParts: ('internal' | 'external' | 'latency')[] = [];
    const internalOk = internalAnswerOk(p.internal, input.kubernetesIp);
    const lossy = unansweredShare > input.timeoutFailShare;
    if (!internalOk) {
      problems.push('internal query failed');
      failedParts.push('internal');
    }
    if (externalFails(p.external)) {
      problems.push('external query failed');
      failedParts.push('external');
    }
    if (lossy) {
      problems.push(`${losses.unanswered} of ${sent} latency queries unanswered`);
      failedParts.push('latency');
    }
    // for the summary: queries sent to this pod directly, and how many it answered
    const what = [
      ...(!internalOk ? [`internal ${describeOutcome(p.internal)}`] : []),
      ...(!externalOk(p.external) ? [`external ${describeOutcome(p.external)}`] : []),
      ...(losses.raceLosses ? [`${losses.raceLosses} one-sided A/AAAA pair losses, DNS-LATENCY's`] : []),
      ...(losses.typeFilterLosses
        ? [`${losses.typeFilterLosses} queries of one type lost on the path, DNS-LATENCY's`]
        : []),
    ];
    const label = p.target.pod ? `${p.target.pod} (${p.target.address})` : p.target.address;
    const answeredCount =
      (p.internal.outcome === 'answer' ? 1 : 0) +
      (p.external.outcome === 'answer' ? 1 : 0) +
      (stats?.count ?? 0);
    const line = `${problems.length ? label : (p.target.pod ?? p.target.address)} answered ${answeredCount} of ${2 + sent} queries${what.length ? ` (${what.join(', ')})` : ''}`;
    return {
      line,
      result: {
        pod: p.target.pod ?? null,
        address: p.target.address,
        nodeName: p.target.nodeName ?? null,
        internal: outcomeEvidence(p.internal),
        external: outcomeEvidence(p.external),
        ...(stats
          ? {
              latencyQueries: sent,
              unanswered: stats.timeouts + stats.errors,
              ...(losses.raceLosses ? { raceLosses: losses.raceLosses } : {}),
              ...(losses.typeFilterLosses ? { typeFilterLosses: losses.typeFilterLosses } : {}),
            }
          : {}),
        // answered directly: the cluster name correctly, and the latency round without loss
        answered: internalOk && !lossy,
        ok: problems.length === 0,
        ...(problems.length ? { problems, failed: failedParts } : {}),
      },
    };
  });
  const pods = judged.map((j) => j.result);
  const failed = pods.filter((p) => !p.ok);
  const raceNote = pods.some((p) => (p.raceLosses ?? 0) > 0)
    ? [
        'one-sided A/AAAA pair losses under the conntrack-race signature are not counted against the pods (see DNS-LATENCY)',
      ]
    : [];
  const filterNote = pods.some((p) => (p.typeFilterLosses ?? 0) > 0)
    ? [
        'queries of a type the path drops every time (paired or alone) are not counted against the pods (see DNS-LATENCY)',
      ]
    : [];
  const allNotes = [...notes, ...raceNote, ...filterNote];
  const evidence = {
    // failing pods first
    summary: [...judged.filter((j) => !j.result.ok), ...judged.filter((j) => j.result.ok)]
      .map((j) => j.line)
      .join('; '),
    pods,
    // Read by the diagnosis (evidence-conventions.ts): every pod IP answers (the ClusterIP-only rows).
    allPodsAnswered: pods.every((p) => p.answered),
    externalFailedThroughEveryPod,
    // Read by the diagnosis: which pods failed which of their own queries.
    failedPods: failed.map((p) => ({
      address: p.address,
      ...(p.pod ? { pod: p.pod } : {}),
      failed: p.failed ?? [],
    })),
    ...(failed.length ? { resources: failed.map((p) => p.pod ?? p.address) } : {}),
    ...(allNotes.length ? { notes: allNotes } : {}),
  };
  return makeResult('DNS-PER-ENDPOINT', { status: failed.length ? 'FAIL' : 'PASS', evidence });
}

export { targetLabel };
