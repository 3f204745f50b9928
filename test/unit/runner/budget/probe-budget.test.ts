import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createProbeBudget } from '../../../../runner-image/src/budget/index.js';
import type { BudgetClock } from '../../../../runner-image/src/budget/index.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A discrete-event fake clock: `sleep` registers a timer, `advance` moves time forward firing
 * due timers in order and letting the woken code run before time moves on. Sequential
 * callers can also let `sleep` advance time directly (`autoAdvance`).
 */
function fakeClock(): BudgetClock & { advance(ms: number): Promise<void>; runAll(): Promise<void> } {
  let now = 1_000_000;
  const timers: { at: number; wake: () => void }[] = [];
  const fireUntil = async (limit: number): Promise<void> => {
    await settle();
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > limit) break;
      timers.shift();
      now = Math.max(now, next.at);
      next.wake();
      await settle();
    }
    if (Number.isFinite(limit)) now = Math.max(now, limit);
  };
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => timers.push({ at: now + ms, wake })),
    advance: (ms) => fireUntil(now + ms),
    runAll: () => fireUntil(Number.POSITIVE_INFINITY),
  };
}

/** Awaits `p` while driving the fake clock until it settles. */
async function drive<T>(clock: ReturnType<typeof fakeClock>, p: Promise<T>): Promise<T> {
  let done = false;
  const out = p.finally(() => {
    done = true;
  });
  while (!done) await clock.runAll();
  return out;
}

/** The most grants in any one-second window [t, t+1000). */
function maxInWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('createProbeBudget', () => {
  it('applies the checks.md defaults (50 per second, 20 per target)', () => {
    expect(createProbeBudget().options).toEqual({ maxQps: 50, maxQpsPerTarget: 20 });
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => createProbeBudget({ maxQps: 0 })).toThrow(/maxQps must be a positive integer/);
    expect(() => createProbeBudget({ maxQpsPerTarget: 1.5 })).toThrow(/maxQpsPerTarget/);
  });

  it('lets a burst up to the per-target limit through at once, then waits a second', async () => {
    const clock = fakeClock();
    const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget: 20, slackMs: 0, clock });
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      await drive(clock, budget.acquire('198.18.1.1'));
      times.push(clock.now() - start);
    }
    expect(times.slice(0, 20).every((t) => t === 0)).toBe(true);
    expect(times[20]).toBe(1000);
  });

  it('counts every target against the global limit', async () => {
    const clock = fakeClock();
    const budget = createProbeBudget({ maxQps: 5, maxQpsPerTarget: 5, slackMs: 0, clock });
    const start = clock.now();
    for (let i = 0; i < 5; i += 1) await drive(clock, budget.acquire(`198.18.1.${i}`));
    await drive(clock, budget.acquire('198.18.1.99'));
    expect(clock.now() - start).toBe(1000);
    expect(budget.stats()).toEqual({
      sent: 6,
      maxInAnySecond: 5,
      perTarget: {
        '198.18.1.0': 1,
        '198.18.1.1': 1,
        '198.18.1.2': 1,
        '198.18.1.3': 1,
        '198.18.1.4': 1,
        '198.18.1.99': 1,
      },
    });
  });

  it('never exceeds either limit in any one-second window, whatever the request pattern (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(
          fc.record({
            target: fc.constantFrom('a', 'b', 'c', 'd'),
            gapMs: fc.integer({ min: 0, max: 400 }),
            concurrent: fc.boolean(),
            count: fc.integer({ min: 1, max: 3 }),
          }),
          {
            maxLength: 150,
          },
        ),
        async (maxQps, maxQpsPerTarget, requests) => {
          const clock = fakeClock();
          const budget = createProbeBudget({ maxQps, maxQpsPerTarget, slackMs: 0, clock });
          const grants: { target: string; at: number }[] = [];
          const pending: Promise<void>[] = [];
          for (const r of requests) {
            await clock.advance(r.gapMs);
            const count = Math.min(r.count, maxQps, maxQpsPerTarget);
            const p = budget.acquire(r.target, count).then(() => {
              for (let i = 0; i < count; i += 1) grants.push({ target: r.target, at: clock.now() });
            });
            if (r.concurrent) pending.push(p);
            else await drive(clock, p);
          }
          await drive(clock, Promise.all(pending));
          const total = requests.reduce((n, r) => n + Math.min(r.count, maxQps, maxQpsPerTarget), 0);
          expect(grants).toHaveLength(total);
          expect(maxInWindow(grants.map((g) => g.at))).toBeLessThanOrEqual(maxQps);
          for (const t of ['a', 'b', 'c', 'd'])
            expect(maxInWindow(grants.filter((g) => g.target === t).map((g) => g.at))).toBeLessThanOrEqual(
              maxQpsPerTarget,
            );
          expect(budget.stats().maxInAnySecond).toBe(maxInWindow(grants.map((g) => g.at)));
          expect(budget.stats().sent).toBe(total);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('grants a pair (count 2) as one step, and refuses a count no window could hold', async () => {
    const clock = fakeClock();
    const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget: 3, slackMs: 0, clock });
    const start = clock.now();
    await drive(clock, budget.acquire('a', 2));
    await drive(clock, budget.acquire('a', 2)); // only one slot left in this second: waits for both
    expect(clock.now() - start).toBe(1000);
    expect(budget.stats().perTarget).toEqual({ a: 4 });
    await expect(budget.acquire('a', 4)).rejects.toThrow(/count must be an integer from 1 to 3/);
  });

  it('counts a query to a shared address (the ClusterIP) against every CoreDNS pod behind it (checks.md: ≤ 20 to any one pod)', async () => {
    const clock = fakeClock();
    const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget: 20, slackMs: 0, clock });
    budget.shareTarget('10.100.0.10', ['10.0.1.5', '10.0.2.6']);
    const grants: { target: string; at: number }[] = [];
    // latency rounds to the ClusterIP and to each pod at once, as the probe sends them
    await drive(
      clock,
      Promise.all(
        ['10.100.0.10', '10.0.1.5', '10.0.2.6'].flatMap((target) =>
          Array.from({ length: 20 }, () =>
            budget.acquire(target).then(() => grants.push({ target, at: clock.now() })),
          ),
        ),
      ),
    );
    // Whichever pod kube-proxy picks, the ClusterIP queries and the direct ones together stay
    // within the per-pod limit in every one-second window.
    for (const pod of ['10.0.1.5', '10.0.2.6'])
      expect(
        maxInWindow(grants.filter((g) => g.target === pod || g.target === '10.100.0.10').map((g) => g.at)),
      ).toBeLessThanOrEqual(20);
    expect(grants).toHaveLength(60);
    expect(budget.stats()).toMatchObject({
      sent: 60,
      maxToOneTargetInAnySecond: 20,
      sharedTargets: { '10.100.0.10': ['10.0.1.5', '10.0.2.6'] },
    });
  });

  it('keeps every pod within its limit counting the shared address, whatever the pattern (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 30 }),
        fc.array(
          fc.record({
            target: fc.constantFrom('vip', 'a', 'b', 'c'),
            gapMs: fc.integer({ min: 0, max: 300 }),
            count: fc.integer({ min: 1, max: 2 }),
          }),
          { maxLength: 120 },
        ),
        async (maxQpsPerTarget, requests) => {
          const clock = fakeClock();
          const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget, slackMs: 0, clock });
          budget.shareTarget('vip', ['a', 'b']);
          const grants: { target: string; at: number }[] = [];
          const pending: Promise<void>[] = [];
          for (const r of requests) {
            await clock.advance(r.gapMs);
            pending.push(
              budget.acquire(r.target, r.count).then(() => {
                for (let i = 0; i < r.count; i += 1) grants.push({ target: r.target, at: clock.now() });
              }),
            );
          }
          await drive(clock, Promise.all(pending));
          for (const pod of ['a', 'b'])
            expect(
              maxInWindow(grants.filter((g) => g.target === pod || g.target === 'vip').map((g) => g.at)),
            ).toBeLessThanOrEqual(maxQpsPerTarget);
          expect(maxInWindow(grants.filter((g) => g.target === 'c').map((g) => g.at))).toBeLessThanOrEqual(
            maxQpsPerTarget,
          );
          expect(maxInWindow(grants.map((g) => g.at))).toBeLessThanOrEqual(50);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('paces a long run at the limit with the real clock', async () => {
    // the default slack absorbs the moment between a grant and the caller seeing it
    const budget = createProbeBudget({ maxQps: 20, maxQpsPerTarget: 20 });
    const times: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, () => budget.acquire('x').then(() => times.push(Date.now()))),
    );
    expect(maxInWindow(times)).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });
});
