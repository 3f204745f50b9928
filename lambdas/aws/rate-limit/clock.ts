import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A monotonic clock the rate limiter waits on. Injected so tests can move time by hand instead
 * of sleeping.
 */
export interface Clock {
  /** milliseconds on a monotonic scale (only differences matter) */
  now(): number;
  /** resolves after `ms` milliseconds of this clock */
  sleep(ms: number): Promise<void>;
}

/** The process's monotonic clock (`performance.now()`), sleeping with real timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms) => {
    await sleep(ms);
  },
};
