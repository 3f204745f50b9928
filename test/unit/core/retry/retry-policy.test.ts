import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  attemptWithRetries,
  decideRetry,
  parseRetryAfter,
  retryDelayMs,
  transientFaultOf,
} from '../../../../lambdas/core/retry/index.js';
import type { RetryClock, RetryPolicy, TransientFault } from '../../../../lambdas/core/retry/index.js';

const policyArb: fc.Arbitrary<RetryPolicy> = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 12 }),
  baseDelayMs: fc.integer({ min: 1, max: 2_000 }),
  maxDelayMs: fc.integer({ min: 1, max: 60_000 }),
  maxRetryAfterMs: fc.integer({ min: 0, max: 60_000 }),
});
const faultArb: fc.Arbitrary<TransientFault> = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom(429, 500, 503) }),
  fc.record({
    kind: fc.constant('status' as const),
    status: fc.constantFrom(429, 503),
    retryAfterSeconds: fc.integer({ min: 0, max: 3_600 }),
  }),
  fc.constant<TransientFault>({ kind: 'reset', code: 'ECONNRESET' }),
);
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** A clock that only moves when slept on, recording every wait. */
function fakeClock(startMs = 0): RetryClock & { sleeps: number[] } {
  let t = startMs;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) };
}

describe('transientFaultOf', () => {
  it.each([
    [{ status: 429 }, { kind: 'status', status: 429 }],
    [{ status: 500 }, { kind: 'status', status: 500 }],
    [
      { status: 503, retryAfter: '2' },
      { kind: 'status', status: 503, retryAfterSeconds: 2 },
    ],
    [
      { code: 'ECONNRESET', message: 'read ECONNRESET' },
      { kind: 'reset', code: 'ECONNRESET' },
    ],
    [
      { message: 'request to https://10.0.0.1/api/v1/nodes failed, reason: socket hang up' },
      { kind: 'reset', code: 'socket hang up' },
    ],
  ])('retries %j', (failure, fault) => {
    expect(transientFaultOf(failure)).toEqual(fault);
  });

  it.each([
    [{ status: 403 }],
    [{ status: 404 }],
    [{ status: 401 }],
    [{ status: 502 }],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6443' }],
    [{ message: 'The operation was aborted due to timeout' }],
  ])('does not retry %j', (failure) => {
    expect(transientFaultOf(failure)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and nothing else', () => {
    expect(parseRetryAfter('1')).toBe(1);
    expect(parseRetryAfter(' 30 ')).toBe(30);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('stays within [0, min(maxDelayMs, baseDelayMs·2^(retry-1))] without Retry-After (full jitter)', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 40 }), unit, faultArb, (policy, retry, r, fault) => {
        fc.pre(fault.kind === 'reset' || fault.retryAfterSeconds === undefined);
        const delay = retryDelayMs(retry, fault, policy, () => r);
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('honours Retry-After, capped at maxRetryAfterMs, whatever the jitter draw', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 12 }),
        unit,
        fc.integer({ min: 0, max: 3_600 }),
        (policy, retry, r, seconds) => {
          const fault: TransientFault = { kind: 'status', status: 429, retryAfterSeconds: seconds };
          expect(retryDelayMs(retry, fault, policy, () => r)).toBe(
            Math.min(seconds * 1000, policy.maxRetryAfterMs),
          );
        },
      ),
    );
  });

  it('spreads the waits of clients that failed together (the draw decides, not the attempt alone)', () => {
    const fault: TransientFault = { kind: 'status', status: 429 };
    expect(retryDelayMs(3, fault, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
    expect(retryDelayMs(3, fault, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(400);
  });
});

describe('decideRetry', () => {
  it('never schedules a retry that ends at or past the deadline, nor beyond maxAttempts', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 1, max: 15 }),
        faultArb,
        unit,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 120_000 }),
        (policy, attempt, fault, r, nowMs, left) => {
          const d = decideRetry({ attempt, fault, nowMs, deadlineMs: nowMs + left, policy, random: () => r });
          if (d.retry) {
            expect(nowMs + d.delayMs).toBeLessThan(nowMs + left);
            expect(attempt).toBeLessThan(policy.maxAttempts);
          }
        },
      ),
    );
  });

  it('gives up on a lasting failure at once', () => {
    expect(
      decideRetry({ attempt: 1, fault: undefined, nowMs: 0, policy: DEFAULT_RETRY_POLICY, random: () => 0 }),
    ).toEqual({ retry: false, why: 'not transient' });
  });
});

describe('attemptWithRetries', () => {
  const statusError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
  const faultOf = (o: { ok: boolean; error?: unknown }) =>
    o.ok ? undefined : transientFaultOf({ status: (o.error as { status: number }).status });

  it('retries a burst of 429s until it clears, and says how many attempts it took', async () => {
    const answers = [429, 429, 200];
    const clock = fakeClock();
    const out = await attemptWithRetries(
      async () => {
        const s = answers.shift();
        if (s !== 200) throw statusError(s ?? 0);
        return 'value';
      },
      { faultOf, clock, random: () => 0.5 },
    );
    expect(out).toMatchObject({ ok: true, value: 'value', attempts: 3 });
    expect(out.faults).toHaveLength(2);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('stops after maxAttempts with the last failure; waits are never past the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, unit, fc.integer({ min: 0, max: 30_000 }), async (policy, r, left) => {
        const clock = fakeClock(1_000);
        let calls = 0;
        const out = await attemptWithRetries(
          async () => {
            calls += 1;
            throw statusError(503);
          },
          { faultOf, clock, policy, random: () => r, deadlineMs: 1_000 + left },
        );
        expect(out.ok).toBe(false);
        expect(out.attempts).toBe(calls);
        expect(calls).toBeLessThanOrEqual(policy.maxAttempts);
        expect(clock.now()).toBeLessThan(1_000 + Math.max(left, 1));
      }),
    );
  });

  it('does not retry a 403', async () => {
    let calls = 0;
    const out = await attemptWithRetries(
      async () => {
        calls += 1;
        throw statusError(403);
      },
      { faultOf, clock: fakeClock() },
    );
    expect(out).toMatchObject({ ok: false, attempts: 1, faults: [] });
    expect(calls).toBe(1);
  });
});
