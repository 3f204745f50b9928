import { describe, expect, it } from 'vitest';
import { latencyStats, pairSignature, percentile } from '../../../../lambdas/core/dns/index.js';
import type { PairSample } from '../../../../lambdas/core/dns/index.js';

describe('latencyStats', () => {
  it('computes nearest-rank percentiles, counts timeouts and fills the histogram', () => {
    const samples = [
      ...Array.from({ length: 98 }, (_, i) => ({ outcome: 'answer' as const, latencyMs: i < 50 ? 1 : 3 })),
      { outcome: 'answer' as const, latencyMs: 700 },
      { outcome: 'answer' as const, latencyMs: 4000 },
      { outcome: 'timeout' as const },
      { outcome: 'error' as const },
    ];
    const s = latencyStats(samples);
    expect(s).toMatchObject({
      count: 100,
      timeouts: 1,
      errors: 1,
      p50Ms: 1,
      p95Ms: 3,
      p99Ms: 700,
      maxMs: 4000,
    });
    expect(s.histogram).toEqual({ '≤1ms': 50, '≤5ms': 48, '≤1000ms': 1, '≤5000ms': 1 });
  });

  it('gives nulls when nothing was answered', () => {
    expect(latencyStats([{ outcome: 'timeout' }])).toMatchObject({ count: 0, p50Ms: null, maxMs: null });
    expect(percentile([], 50)).toBeNull();
  });
});

const pairs = (both: number, firstOnly: number, secondOnly = 0, none = 0): PairSample[] => [
  ...Array.from({ length: both }, () => ({ first: 'answered' as const, second: 'answered' as const })),
  ...Array.from({ length: firstOnly }, () => ({ first: 'unanswered' as const, second: 'answered' as const })),
  ...Array.from({ length: secondOnly }, () => ({
    first: 'answered' as const,
    second: 'unanswered' as const,
  })),
  ...Array.from({ length: none }, () => ({ first: 'unanswered' as const, second: 'unanswered' as const })),
];

describe('pairSignature', () => {
  it('sees the conntrack race: one of each pair lost while single queries are all answered', () => {
    const s = pairSignature(pairs(6, 4), { sent: 20, unanswered: 0 });
    expect(s).toMatchObject({
      pairs: 10,
      firstOnlyUnanswered: 4,
      oneSidedShare: 0.4,
      singleLossRate: 0,
      signature: true,
    });
  });

  it('does not call independent loss a race: a server dropping 40 % of everything', () => {
    // 2·0.4·0.6 = 0.48 one-sided expected; 0.4 observed is what random loss gives
    expect(pairSignature(pairs(4, 2, 2, 2), { sent: 20, unanswered: 8 }).signature).toBe(false);
  });

  it('needs at least two one-sided pairs and the minimum share', () => {
    expect(pairSignature(pairs(20, 1), { sent: 20, unanswered: 0 }).signature).toBe(false);
    expect(pairSignature(pairs(40, 2), { sent: 20, unanswered: 0 }).signature).toBe(false);
    expect(pairSignature([], null).signature).toBe(false);
  });
});
