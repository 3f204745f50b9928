import type { RetryClock } from '../../lambdas/core/retry/index.js';

/** A retry clock that moves only when slept on, recording the waits asked for (no real sleeping). */
export function recordingClock(): RetryClock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) };
}
