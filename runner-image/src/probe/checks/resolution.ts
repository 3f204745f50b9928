/**
 * DNS-INTERNAL and DNS-EXTERNAL (checks.md § B): `kubernetes.default.svc.<cluster-domain>` and
 * an external name through the kube-dns ClusterIP over UDP, retried once as a stub resolver would.
 */
import { isIP } from 'node:net';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, outcomeText, queryWithRetry } from '../context.js';
import type { ProbeContext } from '../context.js';

export function internalName(clusterDomain: string): string {
  return `kubernetes.default.svc.${clusterDomain}`;
}

/**
 * True when the outcome answers `kubernetes.default` correctly: NOERROR and the answer equals
 * the `kubernetes` Service ClusterIP (checks.md, DNS-INTERNAL) — every address in it, so a
 * stale or foreign address beside the right one is not a correct answer. Without the expected
 * IP any address is accepted (the caller says so in a note).
 */
export function internalAnswerOk(o: DnsOutcome, expectedIp: string | null | undefined): boolean {
  if (o.outcome !== 'answer' || o.rcode !== 'NOERROR') return false;
  // Addresses only: a CNAME on the way (a `rewrite`, say) is not the answer itself.
  const addresses = o.answers.filter((a) => isIP(a) !== 0);
  if (addresses.length === 0) return false;
  return expectedIp ? addresses.every((a) => a === expectedIp) : true;
}

export async function checkInternal(
  ctx: ProbeContext,
  clusterIp: { ok: true; value: string } | { ok: false; error: string },
  kubernetesIp: { ok: true; value: string | null } | { ok: false; error: string },
  notes: readonly string[] = [],
): Promise<{ result: CheckResult; outcome?: DnsOutcome }> {
  if (!clusterIp.ok)
    return {
      result: makeResult('DNS-INTERNAL', {
        status: 'ERROR',
        evidence: { reason: clusterIp.error, summary: clusterIp.error },
      }),
    };
  const name = internalName(ctx.settings.clusterDomain);
  const { final, attempts, outcomes } = await queryWithRetry(ctx, {
    server: clusterIp.value,
    name,
    type: 'A',
    transport: 'udp',
  });
  const expected = kubernetesIp.ok ? kubernetesIp.value : undefined;
  const ok = internalAnswerOk(final, expected);
  const allNotes = [
    ...notes,
    ...(expected
      ? []
      : [
          `the kubernetes Service ClusterIP could not be read (${kubernetesIp.ok ? 'none set' : kubernetesIp.error}): any address was accepted`,
        ]),
  ];
  const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
  const evidence = {
    summary: ok
      ? `${name} via ${clusterIp.value}: ${outcomeText(final)}`
      : `${name} via ${clusterIp.value}: ${outcomeText(final)}${tries}${final.outcome === 'answer' && final.rcode === 'NOERROR' ? `, expected ${expected ?? 'an address'}` : ''}`,
    server: clusterIp.value,
    name,
    transport: 'udp',
    expected: expected ?? null,
    attempts,
    ...outcomeEvidence(final),
    clusterIpFailed: !ok,
    // no attempt got any answer (each timed out or errored): the path through the ClusterIP is silent
    noAnswer: outcomes.every((o) => o.outcome !== 'answer'),
    ...(ok ? {} : { resources: [clusterIp.value] }),
    ...(allNotes.length ? { notes: allNotes } : {}),
  };
  return { result: makeResult('DNS-INTERNAL', { status: ok ? 'PASS' : 'FAIL', evidence }), outcome: final };
}

export async function checkExternal(
  ctx: ProbeContext,
  clusterIp: { ok: true; value: string } | { ok: false; error: string },
): Promise<CheckResult> {
  if (!clusterIp.ok)
    return makeResult('DNS-EXTERNAL', {
      status: 'ERROR',
      evidence: { reason: clusterIp.error, summary: clusterIp.error },
    });
  const name = ctx.settings.externalName;
  const { final, attempts, outcomes } = await queryWithRetry(ctx, {
    server: clusterIp.value,
    name,
    type: 'A',
    transport: 'udp',
  });
  const evidence = {
    summary: `${name} via ${clusterIp.value}: ${outcomeText(final)}${attempts === 1 ? '' : ` (${attempts} attempts)`}`,
    server: clusterIp.value,
    name,
    transport: 'udp',
    attempts,
    ...outcomeEvidence(final),
    // no attempt got any answer (each timed out or errored): the path through the ClusterIP is silent
    noAnswer: outcomes.every((o) => o.outcome !== 'answer'),
  };
  if (final.outcome === 'answer' && final.rcode === 'NOERROR')
    return makeResult('DNS-EXTERNAL', { status: 'PASS', evidence });
  // checks.md: FAIL on SERVFAIL/timeout. NXDOMAIN is an answer (the upstream path works), so the
  // check passes and says in a note that the configured name does not exist.
  if (final.outcome === 'answer' && final.rcode === 'NXDOMAIN')
    return makeResult('DNS-EXTERNAL', {
      status: 'PASS',
      evidence: {
        ...evidence,
        notes: [
          `${name} does not exist (NXDOMAIN): the upstream answers, but choose an existing --external-name`,
        ],
      },
    });
  return makeResult('DNS-EXTERNAL', { status: 'FAIL', evidence: { ...evidence, resources: [name] } });
}
