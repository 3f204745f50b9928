import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairLossVerdict, pairSignature, sumPairCounts } from '../../../../lambdas/core/dns/index.js';
import type { PairCounts, PairSample } from '../../../../lambdas/core/dns/index.js';

const pairs = (both: number, aLost: number, aaaaLost = 0, none = 0): PairSample[] => [
  ...Array.from({ length: both }, () => ({ first: 'answered' as const, second: 'answered' as const })),
  ...Array.from({ length: aLost }, () => ({ first: 'unanswered' as const, second: 'answered' as const })),
  ...Array.from({ length: aaaaLost }, () => ({ first: 'answered' as const, second: 'unanswered' as const })),
  ...Array.from({ length: none }, () => ({ first: 'unanswered' as const, second: 'unanswered' as const })),
];
const lone = (aLost: number, aaaaLost: number, each = 5) => ({
  A: { sent: each, unanswered: aLost },
  AAAA: { sent: each, unanswered: aaaaLost },
});

describe('pairLossVerdict: a filter is not a race (checks.md § Diagnosis, conntrack-race)', () => {
  it.each([
    // name, pairs [both, aLost, aaaaLost, none], lone [A lost, AAAA lost] of 5 each, verdict, lostType
    ['AAAA always lost in pairs, lone AAAA answered: the race', [0, 0, 5, 0], [0, 0], 'race', undefined],
    ['the lost half varies across pairs: the race', [2, 2, 2, 0], [0, 0], 'race', undefined],
    ['A always lost in pairs, lone A answered: the race', [3, 3, 0, 0], [0, 0], 'race', undefined],
    ['AAAA always lost, lone AAAA lost too: a filter of AAAA', [0, 0, 5, 0], [0, 5], 'type-filter', 'AAAA'],
    ['A always lost, lone A lost too: a filter of A', [1, 4, 0, 0], [5, 0], 'type-filter', 'A'],
    ['AAAA mostly lost, lone AAAA mostly lost: still a filter', [1, 0, 4, 0], [0, 4], 'type-filter', 'AAAA'],
    ['no one-sided pair', [5, 0, 0, 0], [0, 0], 'none', undefined],
    ['one one-sided pair is below the minimum', [9, 0, 1, 0], [0, 0], 'none', undefined],
    ['everything lost (a dead server) is no pair finding', [0, 0, 0, 5], [5, 5], 'none', undefined],
    ['independent 40 % loss is no race', [4, 2, 2, 2], [2, 2], 'none', undefined],
  ] as [string, [number, number, number, number], [number, number], string, string | undefined][])(
    '%s',
    (_name, p, l, verdict, lostType) => {
      const s = pairSignature(pairs(...p), lone(...l));
      expect(s.verdict).toBe(verdict);
      expect(s.lostType).toBe(lostType);
      expect(s.signature).toBe(verdict === 'race');
    },
  );

  it('records per type: pairs where A / AAAA was lost, lone A and AAAA answered and lost', () => {
    const s = pairSignature(pairs(1, 0, 4), lone(0, 5));
    expect(s).toMatchObject({
      pairs: 5,
      aLostInPairs: 0,
      aaaaLostInPairs: 4,
      loneA: { answered: 5, lost: 0 },
      loneAAAA: { answered: 0, lost: 5 },
    });
  });

  it('without lone queries of the lost type, one type always lost decides nothing', () => {
    expect(
      pairSignature(pairs(0, 0, 5), { A: { sent: 5, unanswered: 0 }, AAAA: { sent: 0, unanswered: 0 } })
        .verdict,
    ).toBe('none');
  });

  it('sums the counts of several rounds (internal and external names of one target)', () => {
    const internal = pairSignature(pairs(0, 0, 3), lone(0, 3, 3));
    const external = pairSignature(pairs(0, 0, 2), lone(0, 2, 2));
    const sum = sumPairCounts([internal, external]);
    expect(sum).toMatchObject({ pairs: 5, aaaaLostInPairs: 5, loneAAAA: { answered: 0, lost: 5 } });
    expect(pairLossVerdict(sum)).toEqual({ verdict: 'type-filter', lostType: 'AAAA' });
  });

  const counts = fc
    .record({
      bothAnswered: fc.nat(20),
      aLostInPairs: fc.nat(20),
      aaaaLostInPairs: fc.nat(20),
      bothUnanswered: fc.nat(20),
      loneA: fc.record({ answered: fc.nat(10), lost: fc.nat(10) }),
      loneAAAA: fc.record({ answered: fc.nat(10), lost: fc.nat(10) }),
    })
    .map((c): PairCounts => ({
      ...c,
      pairs: c.bothAnswered + c.aLostInPairs + c.aaaaLostInPairs + c.bothUnanswered,
    }));

  it('property: a type filter names a type that is always the one lost, and whose lone queries go unanswered', () => {
    fc.assert(
      fc.property(counts, (c) => {
        const v = pairLossVerdict(c);
        if (v.verdict !== 'type-filter') return;
        const other = v.lostType === 'A' ? c.aaaaLostInPairs : c.aLostInPairs;
        const lostLone = v.lostType === 'A' ? c.loneA : c.loneAAAA;
        expect(other).toBe(0);
        expect(lostLone.lost).toBeGreaterThan(0);
      }),
    );
  });

  it('property: when every lone query of the lost type is lost and the lost half never varies, it is never the race', () => {
    fc.assert(
      fc.property(counts, fc.boolean(), (c, aaaa) => {
        const only: PairCounts = aaaa
          ? { ...c, aLostInPairs: 0, loneAAAA: { answered: 0, lost: c.loneAAAA.lost + 1 } }
          : { ...c, aaaaLostInPairs: 0, loneA: { answered: 0, lost: c.loneA.lost + 1 } };
        const fixed = {
          ...only,
          pairs: only.bothAnswered + only.aLostInPairs + only.aaaaLostInPairs + only.bothUnanswered,
        };
        expect(pairLossVerdict(fixed).verdict).not.toBe('race');
      }),
    );
  });

  it('property: swapping the roles of A and AAAA swaps the lost type and keeps the verdict', () => {
    fc.assert(
      fc.property(counts, (c) => {
        const swapped: PairCounts = {
          ...c,
          aLostInPairs: c.aaaaLostInPairs,
          aaaaLostInPairs: c.aLostInPairs,
          loneA: c.loneAAAA,
          loneAAAA: c.loneA,
        };
        const v = pairLossVerdict(c);
        const w = pairLossVerdict(swapped);
        expect(w.verdict).toBe(v.verdict);
        if (v.lostType) expect(w.lostType).toBe(v.lostType === 'A' ? 'AAAA' : 'A');
      }),
    );
  });
});
