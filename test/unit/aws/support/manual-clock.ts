import type { Clock } from '../../../../lambdas/aws/index.js';

/** A clock that moves only when the test says so; sleepers wake in time order. */
export class ManualClock implements Clock {
  #now = 0;
  #sleepers: { until: number; wake: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.#sleepers.push({ until: this.#now + ms, wake });
    });
  }

  /** Moves time forward by `ms`, waking every sleeper due on the way (and letting them run). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      this.#sleepers.sort((a, b) => a.until - b.until);
      const next = this.#sleepers[0];
      if (!next || next.until > target) break;
      this.#sleepers.shift();
      this.#now = next.until;
      next.wake();
    }
    this.#now = target;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}
