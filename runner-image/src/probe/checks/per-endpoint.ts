/**
 * DNS-PER-ENDPOINT (checks.md § B): internal and external queries sent to each CoreDNS pod IP
 * directly, so one bad pod cannot hide behind ClusterIP round-robin. The latency round's
 * queries to each pod count too: a pod dropping a share of queries shows there.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import type { LatencyStats } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, targetLabel } from '../context.js';
import type { ProbeContext, ProbeTarget } from '../context.js';
import { internalAnswerOk, internalName } from './resolution.js';

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

const externalOk = (o: DnsOutcome): boolean =>
  o.outcome === 'answer' && (o.rcode === 'NOERROR' || o.rcode === 'NXDOMAIN');

/** Evaluates DNS-PER-ENDPOINT from the direct probes and each pod's latency round. Pure. */
export function evaluatePerEndpoint(input: {
  readonly endpoints: { ok: true; value: readonly ProbeTarget[] } | { ok: false; error: string };
  readonly probes: readonly EndpointProbe[];
  readonly latency: ReadonlyMap<string, LatencyStats>;
  readonly kubernetesIp: string | null | undefined;
  readonly timeoutFailShare: number;
}): CheckResult {
  if (!input.endpoints.ok)
    return makeResult('DNS-PER-ENDPOINT', { status: 'ERROR', evidence: { reason: input.endpoints.error } });
  if (input.endpoints.value.length === 0)
    return makeResult('DNS-PER-ENDPOINT', {
      status: 'SKIPPED',
      evidence: {
        reason: 'the kube-dns Service has no ready CoreDNS endpoints to query (see K8S-DNS-ENDPOINTS)',
      },
    });
  // checks.md: "all failing is FAIL too" — an external name failing through every pod fails
  // every pod. The evidence says so (`externalFailedThroughEveryPod`), and the diagnosis lays it
  // at the upstream's door when DNS-EXTERNAL (or a root forwarder) says the upstream is dead.
  const externalFailedThroughEveryPod =
    input.probes.length > 0 && input.probes.every((p) => !externalOk(p.external));
  const notes: string[] = [];
  if (externalFailedThroughEveryPod)
    notes.push(
      'the external name fails through every pod: most likely an upstream problem (see DNS-EXTERNAL and K8S-COREDNS-COREFILE)',
    );
  const pods = input.probes.map((p) => {
    const stats = input.latency.get(p.target.address);
    const sent = stats ? stats.count + stats.timeouts + stats.errors : 0;
    const unansweredShare = stats && sent > 0 ? (stats.timeouts + stats.errors) / sent : 0;
    const problems: string[] = [];
    const internalOk = internalAnswerOk(p.internal, input.kubernetesIp);
    const lossy = unansweredShare > input.timeoutFailShare;
    if (!internalOk) problems.push('internal query failed');
    if (!externalOk(p.external)) problems.push('external query failed');
    if (lossy) problems.push(`${Math.round(unansweredShare * 100)} % of ${sent} latency queries unanswered`);
    return {
      pod: p.target.pod ?? null,
      address: p.target.address,
      nodeName: p.target.nodeName ?? null,
      internal: outcomeEvidence(p.internal),
      external: outcomeEvidence(p.external),
      ...(stats ? { latencyQueries: sent, unanswered: stats.timeouts + stats.errors } : {}),
      // answered directly: the cluster name correctly, and the latency round without loss
      answered: internalOk && !lossy,
      ok: problems.length === 0,
      ...(problems.length ? { problems } : {}),
    };
  });
  const failed = pods.filter((p) => !p.ok);
  const evidence = {
    pods,
    // Read by the diagnosis (evidence-conventions.ts): every pod IP answers (the ClusterIP-only rows).
    allPodsAnswered: pods.every((p) => p.answered),
    externalFailedThroughEveryPod,
    ...(failed.length ? { resources: failed.map((p) => p.pod ?? p.address) } : {}),
    ...(notes.length ? { notes } : {}),
  };
  return makeResult('DNS-PER-ENDPOINT', { status: failed.length ? 'FAIL' : 'PASS', evidence });
}

export { targetLabel };
