import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHECK_IDS, makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { CAPTURE_HOPS, diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import { diagnosisItemSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult, Status } from '../../../../lambdas/core/schema/index.js';

function r(id: CheckId, status: Status, evidence: Record<string, unknown> = {}): CheckResult {
  const withReason = status === 'ERROR' || status === 'SKIPPED' ? { reason: 'test', ...evidence } : evidence;
  return makeResult(id, { status, evidence: withReason });
}
/** Every catalog check PASS, with the given overrides. */
function cluster(...overrides: CheckResult[]): CheckResult[] {
  const byId = new Map(overrides.map((o) => [o.id, o]));
  return CHECK_IDS.map((id) => byId.get(id) ?? r(id, 'PASS'));
}
const causes = (checks: CheckResult[]) => diagnose(checks).map((d) => `${d.cause}/${d.confidence}`);

describe('diagnose', () => {
  it('is healthy, alone and confirmed, when nothing fails, errors or predicts a risk', () => {
    expect(causes(cluster())).toEqual(['healthy/confirmed']);
    expect(causes(cluster(r('DNS-LATENCY', 'WARN')))).toEqual(['healthy/confirmed']);
  });

  it.each<[string, CheckResult[], string[]]>([
    ['SG blocks UDP', [r('NET-SG-DNS-UDP', 'FAIL', { resources: ['sg-1'] })], ['network-path/confirmed']],
    [
      'NACL blocks UDP and TCP: one network-path cause',
      [r('NET-NACL-DNS-UDP', 'FAIL'), r('NET-NACL-DNS-TCP', 'FAIL')],
      ['network-path/confirmed'],
    ],
    ['SG blocks only TCP', [r('NET-SG-DNS-TCP', 'FAIL')], ['tcp-blocked/confirmed']],
    ['TCP fallback fails in cluster', [r('DNS-TCP-FALLBACK', 'FAIL')], ['tcp-blocked/confirmed']],
    [
      'capture: never reached CoreDNS node',
      [r('DNS-CAPTURE', 'FAIL', { lostAt: { [CAPTURE_HOPS.neverReachedCorednsNode]: 3 } })],
      ['network-path/confirmed'],
    ],
    [
      'capture: reached CoreDNS node, no answer',
      [r('DNS-CAPTURE', 'FAIL', { lostAt: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 3 } })],
      ['coredns-pod/confirmed'],
    ],
    [
      'no endpoints',
      [r('K8S-DNS-ENDPOINTS', 'FAIL'), r('DNS-INTERNAL', 'FAIL'), r('DNS-PER-ENDPOINT', 'SKIPPED')],
      ['no-endpoints/confirmed', 'unknown/likely'],
    ],
    [
      'one bad CoreDNS pod',
      [r('DNS-PER-ENDPOINT', 'FAIL', { resources: ['coredns-b'] })],
      ['coredns-pod/likely'],
    ],
    [
      'kube-proxy DNAT missing',
      [r('DNS-INTERNAL', 'FAIL'), r('DNS-EXTERNAL', 'FAIL'), r('K8S-NODELOCAL-DNS', 'SKIPPED')],
      ['kube-proxy/likely', 'unknown/likely'],
    ],
    ['kube-proxy FAIL itself', [r('K8S-KUBE-PROXY', 'FAIL')], ['kube-proxy/confirmed']],
    [
      'NodeLocal intercepts the ClusterIP and fails',
      [r('DNS-INTERNAL', 'FAIL'), r('K8S-NODELOCAL-DNS', 'PASS', { interceptsClusterIP: true })],
      ['nodelocal-dns/likely'],
    ],
    ['upstream dead', [r('DNS-EXTERNAL', 'FAIL')], ['upstream/likely']],
    [
      'root forwarder dead',
      [
        r('K8S-COREDNS-COREFILE', 'FAIL', { deadForwarders: [{ zone: '.', forwarder: '10.0.0.9' }] }),
        r('DNS-EXTERNAL', 'FAIL'),
      ],
      ['upstream/confirmed'],
    ],
    [
      'stub domain dead (seed 002)',
      [
        r('K8S-COREDNS-COREFILE', 'FAIL', {
          deadForwarders: [{ zone: 'corp.example', forwarder: '10.9.9.9' }],
        }),
      ],
      ['stub-domain/confirmed'],
    ],
    [
      'conntrack race',
      [r('DNS-LATENCY', 'FAIL', { conntrackRaceSignature: true })],
      ['conntrack-race/confirmed'],
    ],
    [
      'latency timeouts without the pair signature',
      [r('DNS-LATENCY', 'FAIL', { conntrackRaceSignature: false })],
      ['unknown/likely'],
    ],
    [
      'link-local allowance exceeded',
      [r('NODE-LINKLOCAL-ALLOWANCE', 'FAIL')],
      ['resolver-throttling/confirmed'],
    ],
    ['ENI spread risk only', [r('NET-COREDNS-ENI-SPREAD', 'WARN')], ['resolver-throttling/risk']],
    ['conntrack allowance', [r('NODE-CONNTRACK-ALLOWANCE', 'FAIL')], ['conntrack-exhaustion/confirmed']],
    [
      'ndots amplification',
      [
        r('DNS-UPSTREAM-METRICS', 'WARN', { nxdomainShareVerdict: 'WARN' }),
        r('DNS-RESOLV-CONF', 'PASS', { ndots: 5, search: ['a', 'b'] }),
      ],
      ['ndots-amplification/risk'],
    ],
    ['ERRORs only', [r('DNS-INTERNAL', 'ERROR')], ['unknown/likely']],
  ])('%s', (_name, overrides, expected) => {
    expect(causes(cluster(...overrides))).toEqual(expected);
  });

  it('ignores muted results entirely', () => {
    const muted = { ...r('NET-SG-DNS-UDP', 'FAIL'), muted: true, mutedReason: 'accepted risk' };
    expect(causes(cluster(muted))).toEqual(['healthy/confirmed']);
  });

  it('names the resources from the checks that led to a cause', () => {
    const [first] = diagnose(
      cluster(r('NET-SG-DNS-UDP', 'FAIL', { resources: ['eni-1 → coredns-a', 'sg-1'] })),
    );
    expect(first?.resources).toEqual(['eni-1 → coredns-a', 'sg-1']);
    expect(first?.checks).toEqual(['NET-SG-DNS-UDP']);
  });

  it('orders confirmed causes before likely ones before risks', () => {
    const d = causes(
      cluster(
        r('NET-COREDNS-ENI-SPREAD', 'WARN'),
        r('DNS-PER-ENDPOINT', 'FAIL'),
        r('K8S-DNS-SERVICE', 'FAIL'),
      ),
    );
    expect(d).toEqual(['no-endpoints/confirmed', 'coredns-pod/likely', 'resolver-throttling/risk']);
  });

  it('property: never empty, schema-valid, healthy only alone, every unmuted FAIL accounted for', () => {
    // A cluster result has one result per check id.
    const arb = fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...CHECK_IDS),
        status: fc.constantFrom<Status>('PASS', 'FAIL', 'WARN', 'ERROR', 'SKIPPED'),
        muted: fc.boolean(),
      }),
      { maxLength: 30, selector: (s) => s.id },
    );
    fc.assert(
      fc.property(arb, (specs) => {
        const checks = specs.map((s) => ({
          ...r(s.id, s.status),
          muted: s.muted,
          ...(s.muted ? { mutedReason: 'x' } : {}),
        }));
        const d = diagnose(checks);
        expect(d.length).toBeGreaterThan(0);
        for (const item of d) expect(diagnosisItemSchema.safeParse(item).success).toBe(true);
        const healthy = d.filter((x) => x.cause === 'healthy');
        if (healthy.length > 0) expect(d).toHaveLength(1);
        const unmutedFails = checks.filter((c) => !c.muted && c.status === 'FAIL').map((c) => c.id);
        const named = new Set(d.flatMap((x) => x.checks));
        for (const id of unmutedFails) expect(named.has(id)).toBe(true);
        if (unmutedFails.length > 0 || checks.some((c) => !c.muted && c.status === 'ERROR'))
          expect(healthy).toHaveLength(0);
      }),
      { numRuns: 300 },
    );
  });
});
