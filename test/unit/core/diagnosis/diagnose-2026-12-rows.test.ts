/**
 * The diagnosis rows changed on 2026-12-01 (checks.md § Diagnosis, CHANGES.md): a filter is not
 * a race; `upstream` from slow or timing-out external names, resolver rules and DNS Firewall;
 * `coredns-pod` from K8S-COREDNS-RESOURCES; `network-policy`; `unknown` from ERRORs.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { CAPTURE_HOPS, diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import { latencyStats, pairSignature } from '../../../../lambdas/core/dns/index.js';
import type { PairSample } from '../../../../lambdas/core/dns/index.js';
import type { CheckResult, Status } from '../../../../lambdas/core/schema/index.js';
import { evaluateLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import type { TargetLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import type { DnsOutcome } from '../../../../runner-image/src/dns/index.js';

function r(id: CheckId, status: Status, evidence: Record<string, unknown> = {}): CheckResult {
  const withReason = status === 'ERROR' || status === 'SKIPPED' ? { reason: 'test', ...evidence } : evidence;
  return makeResult(id, { status, evidence: withReason });
}
/** A result of a section-C check the catalog does not list yet (its rows are wired already). */
function future(id: string, status: Status, evidence: Record<string, unknown> = {}): CheckResult {
  return {
    id,
    status,
    severity: 'high',
    evidence,
    remediation: 'see checks.md',
    muted: false,
  } as CheckResult;
}
function cluster(...overrides: CheckResult[]): CheckResult[] {
  const byId = new Map(overrides.map((o) => [o.id, o]));
  return [
    ...CHECK_IDS.map((id) => byId.get(id) ?? r(id, 'PASS')),
    ...overrides.filter((o) => !CHECK_IDS.includes(o.id as CheckId)),
  ];
}
const causes = (checks: CheckResult[]) => diagnose(checks).map((d) => `${d.cause}/${d.confidence}`);

const nx = (ms: number): DnsOutcome => ({
  outcome: 'answer',
  rcode: 'NXDOMAIN',
  answers: [],
  truncated: false,
  latencyMs: ms,
});
const TIMEOUT: DnsOutcome = { outcome: 'timeout', latencyMs: 2000 };
const POD = { address: '10.0.1.11', role: 'pod' as const, pod: 'coredns-a' };
const THRESHOLDS = { internalP99WarnMs: 100, externalP99WarnMs: 500, timeoutFailShare: 0.05 };

/**
 * One class round: 5 pairs and 10 lone queries (5 A, 5 AAAA); `lost(type, paired)` says which
 * go unanswered; `ms` is every answer's latency.
 */
function classRound(lost: (type: 'A' | 'AAAA', paired: boolean) => boolean, ms = 2) {
  const out = (type: 'A' | 'AAAA', paired: boolean): DnsOutcome => (lost(type, paired) ? TIMEOUT : nx(ms));
  const pairs: PairSample[] = Array.from({ length: 5 }, () => ({
    first: lost('A', true) ? 'unanswered' : 'answered',
    second: lost('AAAA', true) ? 'unanswered' : 'answered',
  }));
  const lone = [
    ...Array.from({ length: 5 }, () => out('A', false)),
    ...Array.from({ length: 5 }, () => out('AAAA', false)),
  ];
  const outcomes = [...lone, ...Array.from({ length: 5 }, () => [out('A', true), out('AAAA', true)]).flat()];
  const loneOf = (type: 'A' | 'AAAA') => ({ sent: 5, unanswered: lost(type, false) ? 5 : 0 });
  return {
    stats: latencyStats(outcomes),
    pairs: pairSignature(pairs, { A: loneOf('A'), AAAA: loneOf('AAAA') }),
    latenciesMs: outcomes.filter((o) => o.outcome === 'answer').map((o) => o.latencyMs),
  };
}
function latency(
  internal: (type: 'A' | 'AAAA', paired: boolean) => boolean,
  external: (type: 'A' | 'AAAA', paired: boolean) => boolean = internal,
  ms: { internal?: number; external?: number } = {},
): CheckResult {
  const round: TargetLatency = {
    target: POD,
    ...classRound(internal, ms.internal),
    external: classRound(external, ms.external),
  };
  return evaluateLatency([round], THRESHOLDS, { sent: 40 }, { clientNode: 'ip-198-18-1-10' });
}
const never = (): boolean => false;

describe('conntrack-race vs a path dropping one query type', () => {
  it('AAAA lost in pairs while lone AAAA answers: conntrack-race', () => {
    const l = latency((type, paired) => type === 'AAAA' && paired);
    expect(l).toMatchObject({ status: 'FAIL', evidence: { conntrackRaceSignature: true } });
    expect(causes(cluster(l))).toEqual(['conntrack-race/confirmed']);
  });

  it('every AAAA lost, paired or alone: network-path naming the client node and the capture hop, not conntrack-race', () => {
    const l = latency((type) => type === 'AAAA');
    const capture = r('DNS-CAPTURE', 'FAIL', {
      lostAt: { [CAPTURE_HOPS.neverReachedCorednsNode]: 20 },
      oneSidedPairLosses: { [CAPTURE_HOPS.neverReachedCorednsNode]: 10 },
      lostByServer: { [POD.address]: { [CAPTURE_HOPS.neverReachedCorednsNode]: 20 } },
    });
    const d = diagnose(cluster(l, capture));
    expect(d.map((x) => `${x.cause}/${x.confidence}`)).toEqual(['network-path/confirmed']);
    expect(d[0]?.checks).toEqual(expect.arrayContaining(['DNS-LATENCY', 'DNS-CAPTURE']));
    expect(d[0]?.resources).toEqual(['ip-198-18-1-10', `hop: ${CAPTURE_HOPS.neverReachedCorednsNode}`]);
    expect(d[0]?.summary).toMatch(/AAAA/);
  });

  it('without a capture the filter is still network-path, naming the client node', () => {
    const d = diagnose(
      cluster(
        latency((type) => type === 'AAAA'),
        r('DNS-CAPTURE', 'ERROR'),
      ),
    );
    expect(d.map((x) => x.cause)).toContain('network-path');
    expect(d.map((x) => x.cause)).not.toContain('conntrack-race');
    expect(d.find((x) => x.cause === 'network-path')?.resources).toEqual(['ip-198-18-1-10']);
  });
});

describe('upstream from DNS-LATENCY', () => {
  it('external names slow while internal names are fast: upstream risk, never healthy', () => {
    const l = latency(never, never, { internal: 2, external: 1000 });
    expect(l).toMatchObject({ status: 'WARN', evidence: { slowClasses: ['external'] } });
    expect(causes(cluster(l))).toEqual(['upstream/risk']);
  });

  it('internal names slow too: no upstream risk from latency', () => {
    const l = latency(never, never, { internal: 300, external: 1000 });
    expect(l.status).toBe('WARN');
    expect(causes(cluster(l))).not.toContain('upstream/risk');
  });

  it('timeouts only on external names are explained by upstream, not unknown', () => {
    const l = latency(never, () => true);
    expect(l.status).toBe('FAIL');
    expect(causes(cluster(l))).toEqual(['upstream/likely']);
    const withExternal = cluster(l, r('DNS-EXTERNAL', 'FAIL', { noAnswer: true }));
    const d = diagnose(withExternal);
    expect(d.map((x) => `${x.cause}/${x.confidence}`)).toEqual(['upstream/likely']);
    expect(d[0]?.checks).toEqual(expect.arrayContaining(['DNS-EXTERNAL', 'DNS-LATENCY']));
  });

  it('timeouts on internal names as well stay unknown', () => {
    expect(
      causes(
        cluster(
          latency(
            () => true,
            () => true,
          ),
        ),
      ),
    ).toContain('unknown/likely');
  });
});

describe('upstream, coredns-pod and network-policy from the section C checks', () => {
  it.each([
    ['NET-RESOLVER-RULES', 'upstream/confirmed'],
    ['NET-DNS-FIREWALL', 'upstream/confirmed'],
    ['K8S-COREDNS-RESOURCES', 'coredns-pod/confirmed'],
    ['K8S-NETWORKPOLICY-DNS', 'network-policy/confirmed'],
  ])('%s FAIL → %s', (id, cause) => {
    expect(causes(cluster(future(id, 'FAIL', { resources: ['x'] })))).toEqual([cause]);
  });

  it('network-policy names the namespaces and policies at fault', () => {
    const d = diagnose(
      cluster(future('K8S-NETWORKPOLICY-DNS', 'FAIL', { resources: ['payments/deny-all-egress'] })),
    );
    expect(d[0]).toMatchObject({
      cause: 'network-policy',
      checks: ['K8S-NETWORKPOLICY-DNS'],
      resources: ['payments/deny-all-egress'],
    });
  });
});

describe('unknown from ERRORs when nothing FAILs', () => {
  it('an unmuted ERROR beside a risk: unknown listing it, never healthy', () => {
    const d = diagnose(cluster(r('DNS-PER-ENDPOINT', 'ERROR'), r('NET-COREDNS-ENI-SPREAD', 'WARN')));
    expect(d.map((x) => `${x.cause}/${x.confidence}`)).toEqual([
      'unknown/likely',
      'resolver-throttling/risk',
    ]);
    expect(d[0]?.checks).toEqual(['DNS-PER-ENDPOINT']);
  });

  it('a future check ERROR alone is unknown too', () => {
    const d = diagnose(cluster(future('K8S-NETWORKPOLICY-DNS', 'ERROR', { reason: 'forbidden' })));
    expect(d.map((x) => x.cause)).toEqual(['unknown']);
  });
});

describe('DNS-CAPTURE: a lost external query that reached the CoreDNS node', () => {
  it('is the upstream hop when that name fails through every pod', () => {
    const capture = r('DNS-CAPTURE', 'FAIL', {
      lostAt: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 4 },
      upstreamLosses: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 4 },
    });
    const d = diagnose(cluster(r('DNS-EXTERNAL', 'FAIL'), capture));
    expect(d.map((x) => `${x.cause}/${x.confidence}`)).toEqual(['upstream/likely']);
    expect(d[0]?.checks).toEqual(['DNS-EXTERNAL', 'DNS-CAPTURE']);
  });

  it('is a pod when the losses are not the upstream names', () => {
    const capture = r('DNS-CAPTURE', 'FAIL', {
      lostAt: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 4 },
      upstreamLosses: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 1 },
    });
    expect(causes(cluster(r('DNS-EXTERNAL', 'FAIL'), capture))).toContain('coredns-pod/confirmed');
  });
});
