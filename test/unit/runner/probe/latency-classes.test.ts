/**
 * DNS-LATENCY (checks.md § B, 2026-12-01): internal and external names, lone A and AAAA queries
 * beside the glibc-style pairs, per-class WARN thresholds, and the pair verdict telling the
 * conntrack race from a path that drops one query type — through a scripted DNS client.
 */
import { describe, expect, it } from 'vitest';
import type { DnsClient, DnsOutcome, DnsQuery } from '../../../../runner-image/src/dns/index.js';
import { DEFAULT_PROBE_SETTINGS } from '../../../../runner-image/src/probe/index.js';
import type { ProbeContext, ProbeTarget } from '../../../../runner-image/src/probe/context.js';
import {
  evaluateLatency,
  measureTarget,
  roundLosses,
} from '../../../../runner-image/src/probe/checks/latency.js';
import type { LatencyThresholds } from '../../../../runner-image/src/probe/checks/latency.js';

const CIP: ProbeTarget = { address: '10.100.0.10', role: 'clusterIP' };
const POD: ProbeTarget = { address: '10.0.1.11', role: 'pod', pod: 'coredns-a' };
const THRESHOLDS: LatencyThresholds = {
  internalP99WarnMs: 100,
  externalP99WarnMs: 500,
  timeoutFailShare: 0.05,
};

const nx = (latencyMs: number): DnsOutcome => ({
  outcome: 'answer',
  rcode: 'NXDOMAIN',
  answers: [],
  truncated: false,
  latencyMs,
});
const TIMEOUT: DnsOutcome = { outcome: 'timeout', latencyMs: 2000 };

type Sent = DnsQuery & { paired: boolean };
/**
 * A client whose answers `script` decides per query (type, name, paired or lone); pairs ask
 * the script for each half.
 */
function ctxWith(script: (q: Sent) => DnsOutcome): ProbeContext & { sent: Sent[] } {
  const sent: Sent[] = [];
  let n = 0;
  const client = Object.assign(
    async (q: DnsQuery): Promise<DnsOutcome> => {
      const s = { ...q, paired: false };
      sent.push(s);
      return script(s);
    },
    {
      queryPair: async (q: { server: string; name: string }) => {
        const [first, second] = (['A', 'AAAA'] as const).map((type) => {
          const s: Sent = { server: q.server, name: q.name, type, transport: 'udp', paired: true };
          sent.push(s);
          return script(s);
        });
        return { first: first as DnsOutcome, second: second as DnsOutcome };
      },
    },
  ) as DnsClient;
  return {
    client,
    settings: DEFAULT_PROBE_SETTINGS,
    randomLabel: () => `r${(n += 1)}`,
    sent,
  };
}
const external = (q: DnsQuery): boolean => q.name.endsWith('.amazon.com');

describe('DNS-LATENCY rounds: internal and external names, lone A and AAAA queries', () => {
  it('sends, per target, lone A and lone AAAA queries and same-socket pairs for both name classes', async () => {
    const ctx = ctxWith(() => nx(1));
    const r = await measureTarget(ctx, CIP);
    const lone = (cls: 'internal' | 'external', type: string): number =>
      ctx.sent.filter((q) => !q.paired && q.type === type && external(q) === (cls === 'external')).length;
    expect(lone('internal', 'A')).toBeGreaterThan(0);
    expect(lone('internal', 'AAAA')).toBeGreaterThan(0);
    expect(lone('external', 'A')).toBeGreaterThan(0);
    expect(lone('external', 'AAAA')).toBeGreaterThan(0);
    expect(ctx.sent.filter((q) => q.paired && external(q)).length).toBeGreaterThan(0);
    // every query counts in the round (and so in the probe budget, which paces the client)
    expect(r.stats.count + (r.external?.stats.count ?? 0)).toBe(ctx.sent.length);
    expect(ctx.sent.length).toBe(
      DEFAULT_PROBE_SETTINGS.latencyQueries + DEFAULT_PROBE_SETTINGS.externalLatencyQueries,
    );
    // unique names, so caches cannot hide the path
    expect(new Set(ctx.sent.filter((q) => !q.paired).map((q) => q.name)).size).toBe(
      ctx.sent.filter((q) => !q.paired).length,
    );
  });

  it('every AAAA lost, paired or alone: a path dropping AAAA, not the conntrack race', async () => {
    const ctx = ctxWith((q) => (q.type === 'AAAA' ? TIMEOUT : nx(1)));
    const round = await measureTarget(ctx, POD);
    const r = evaluateLatency([round], THRESHOLDS, {}, { clientNode: 'node-1' });
    expect(r.status).toBe('FAIL');
    expect(r.evidence).toMatchObject({
      conntrackRaceSignature: false,
      raceTargets: [],
      typeFilterTargets: [{ address: POD.address, lostType: 'AAAA' }],
      timeoutTargets: [POD.address],
      clientNode: 'node-1',
    });
    const t = (r.evidence.targets as { pairs: Record<string, unknown> }[])[0];
    expect(t?.pairs).toMatchObject({ verdict: 'type-filter', aLostInPairs: 0, loneA: { lost: 0 } });
    expect((t?.pairs.loneAAAA as { answered: number }).answered).toBe(0);
    // not the pod's losses (DNS-PER-ENDPOINT), nor UDP not answering (DNS-TCP-FALLBACK)
    expect(roundLosses(round.stats, round.pairs)).toMatchObject({ unanswered: 0 });
  });

  it('AAAA lost only in pairs while lone AAAA answers: the conntrack race', async () => {
    const ctx = ctxWith((q) => (q.type === 'AAAA' && q.paired ? TIMEOUT : nx(1)));
    const r = evaluateLatency([await measureTarget(ctx, POD)], THRESHOLDS, {});
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { conntrackRaceSignature: true, raceTargets: [POD.address], timeoutTargets: [] },
    });
    expect(r.evidence.typeFilterTargets).toBeUndefined();
  });

  it('slow external names only (internal fast): WARN on the external class, internal p99 within 100 ms', async () => {
    const ctx = ctxWith((q) => (external(q) ? nx(1000) : nx(2)));
    const r = evaluateLatency([await measureTarget(ctx, CIP)], THRESHOLDS, {});
    expect(r).toMatchObject({
      status: 'WARN',
      evidence: { slowClasses: ['external'], p99ByClass: { internal: 2, external: 1000 } },
    });
  });

  it('an external answer within the per-query timeout is an answer, not a timeout', async () => {
    const ctx = ctxWith((q) => (external(q) ? nx(1900) : nx(2)));
    const r = evaluateLatency([await measureTarget(ctx, CIP)], THRESHOLDS, {});
    expect(r.status).toBe('WARN');
    expect(r.evidence.timeoutTargets).toEqual([]);
  });

  it('internal names above 100 ms p99 WARN on the internal class; 400 ms external is within its 500 ms', async () => {
    const ctx = ctxWith((q) => (external(q) ? nx(400) : nx(150)));
    const r = evaluateLatency([await measureTarget(ctx, CIP)], THRESHOLDS, {});
    expect(r).toMatchObject({ status: 'WARN', evidence: { slowClasses: ['internal'] } });
  });

  it('the thresholds are configurable', async () => {
    const ctx = ctxWith((q) => (external(q) ? nx(1000) : nx(150)));
    const r = evaluateLatency(
      [await measureTarget(ctx, CIP)],
      { ...THRESHOLDS, internalP99WarnMs: 200, externalP99WarnMs: 2000 },
      {},
    );
    expect(r.status).toBe('PASS');
  });

  it('timeouts on external names only are told apart per class (the upstream behind the target)', async () => {
    const ctx = ctxWith((q) => (external(q) ? TIMEOUT : nx(2)));
    const r = evaluateLatency([await measureTarget(ctx, CIP)], THRESHOLDS, {});
    expect(r.status).toBe('FAIL');
    expect(r.evidence).toMatchObject({
      conntrackRaceSignature: false,
      timeoutsByTarget: {
        [CIP.address]: {
          unansweredInternal: 0,
          unansweredExternal: DEFAULT_PROBE_SETTINGS.externalLatencyQueries,
        },
      },
    });
  });
});
