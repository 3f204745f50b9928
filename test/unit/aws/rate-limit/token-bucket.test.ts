import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsConfigurationError, TokenBucket } from '../../../../lambdas/aws/index.js';
import { flush, ManualClock } from '../support/manual-clock.js';

describe('TokenBucket', () => {
  it('grants a full burst at once, then one token per 1/rate seconds', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 10, clock });
    const granted: number[] = [];
    for (let i = 0; i < 8; i += 1) void bucket.take().then(() => granted.push(clock.now()));

    await flush();
    expect(granted).toEqual([0, 0, 0, 0, 0]);
    await clock.advance(1000);
    expect(granted).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  });

  it('serves waiters first come, first served', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, clock });
    const order: string[] = [];
    await bucket.take();
    void bucket.take().then(() => order.push('first'));
    void bucket.take().then(() => order.push('second'));
    await clock.advance(999);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(order).toEqual(['first']);
    await clock.advance(1000);
    expect(order).toEqual(['first', 'second']);
  });

  it('never holds more than its capacity, however long it idles', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 100, clock });
    await clock.advance(60_000);
    expect(bucket.available()).toBe(3);
  });

  it.each([
    [{ capacity: 0, refillPerSecond: 1 }, /capacity must be ≥ 1, got 0/],
    [{ capacity: 10, refillPerSecond: 0 }, /refill rate must be > 0 per second, got 0/],
    [{ capacity: Number.NaN, refillPerSecond: 1 }, /capacity/],
  ])('rejects unusable options %o', (options, message) => {
    expect(() => new TokenBucket(options)).toThrow(AwsConfigurationError);
    expect(() => new TokenBucket(options)).toThrow(message);
  });

  it('never grants more than capacity + rate × t in any window of t seconds (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        async (capacity, rate, gaps) => {
          const clock = new ManualClock();
          const bucket = new TokenBucket({ capacity, refillPerSecond: rate, clock });
          const grants: number[] = [];
          for (const gap of gaps) {
            await clock.advance(gap);
            void bucket.take().then(() => grants.push(clock.now()));
          }
          await clock.advance(((gaps.length + capacity) / rate) * 1000 + 1000);
          expect(grants).toHaveLength(gaps.length);
          for (let i = 0; i < grants.length; i += 1) {
            for (let j = i; j < grants.length; j += 1) {
              const windowSeconds = ((grants[j] ?? 0) - (grants[i] ?? 0)) / 1000;
              // j - i + 1 grants fell inside [grants[i], grants[j]]
              expect(j - i + 1).toBeLessThanOrEqual(capacity + rate * windowSeconds + 1e-9);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
