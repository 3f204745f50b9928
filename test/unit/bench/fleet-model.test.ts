/** The fleet benchmark's shape and lower-bound arithmetic (bench/fleet-model.ts; docs/scale.md). */
import { describe, expect, it } from 'vitest';
import {
  clustersOf,
  designMinimumCalls,
  fleetLowerBound,
  fleetShape,
  itemLowerBound,
} from '../../../bench/fleet-model.js';
import type { LowerBoundModel } from '../../../bench/fleet-model.js';

const MODEL: LowerBoundModel = {
  burst: 100,
  refillPerSecond: 20,
  share: 0.5,
  mapConcurrency: 40,
  clusterConcurrency: 4,
  runnerSeconds: 7.8,
};

describe('itemLowerBound', () => {
  it('is free within the limiter’s share of the burst, then the share of the sustained rate', () => {
    // 50 calls fit the 50-token share of the burst: only the runners (2 waves) count
    expect(itemLowerBound({ calls: 50, clusters: 5 }, MODEL)).toBeCloseTo(2 * 7.8);
    // 150 calls: 100 beyond the burst at 10/s = 10 s, plus one wave
    expect(itemLowerBound({ calls: 150, clusters: 4 }, MODEL)).toBeCloseTo(10 + 7.8);
  });

  it('counts the runner waves of the inline Map', () => {
    expect(itemLowerBound({ calls: 0, clusters: 30 }, MODEL)).toBeCloseTo(8 * 7.8);
    expect(itemLowerBound({ calls: 0, clusters: 0 }, MODEL)).toBe(0);
  });
});

describe('fleetLowerBound', () => {
  it('is the longest item when the slots are plenty', () => {
    const items = [
      { calls: 250, clusters: 30 },
      { calls: 10, clusters: 1 },
    ];
    expect(fleetLowerBound(items, MODEL)).toBeCloseTo(20 + 8 * 7.8);
  });

  it('is the total work over the Map concurrency when the slots are few', () => {
    const items = Array.from({ length: 80 }, () => ({ calls: 10, clusters: 4 }));
    // 80 × 7.8 / 40 = 15.6 > 7.8
    expect(fleetLowerBound(items, MODEL)).toBeCloseTo(15.6);
    expect(fleetLowerBound(items, { ...MODEL, mapConcurrency: 1 })).toBeCloseTo(80 * 7.8);
  });
});

describe('fleetShape', () => {
  it('has exactly the clusters asked for, in accounts × regions items, the largest first', () => {
    const items = fleetShape();
    expect(items).toHaveLength(200);
    expect(items.reduce((n, it) => n + clustersOf(it), 0)).toBe(1000);
    expect(clustersOf(items[0]!)).toBe(30);
    expect(Math.max(...items.slice(1).map(clustersOf))).toBeLessThan(30);
    expect(new Set(items.map((it) => `${it.accountIndex}/${it.regionIndex}`)).size).toBe(200);
    const enis = items.flatMap((it) => it.vpcs.map((v) => v.otherEnis));
    expect(Math.min(...enis)).toBe(20);
    expect(Math.max(...enis)).toBe(2000);
    expect(items.some((it) => it.vpcs.some((v) => v.clusters > 1))).toBe(true);
  });
});

describe('designMinimumCalls', () => {
  it('counts the item’s, each VPC’s (with its ENI pages) and each cluster’s calls', () => {
    // 3 + VPC (7 + 1 page of 20+6 ENIs) + VPC (7 + 3 pages of 2000+3 ENIs) + 3 clusters × 3
    expect(
      designMinimumCalls({
        accountIndex: 0,
        regionIndex: 0,
        vpcs: [
          { clusters: 2, otherEnis: 20 },
          { clusters: 1, otherEnis: 2000 },
        ],
      }),
    ).toBe(3 + 8 + 10 + 9);
  });
});
