import { AwsConfigurationError } from '../errors.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';

export interface TokenBucketOptions {
  /** tokens the bucket holds when full (the burst) */
  readonly capacity: number;
  /** tokens added per second, up to `capacity` */
  readonly refillPerSecond: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * A token bucket with a FIFO queue of waiters: `take()` resolves when one token is available.
 * It mirrors how EC2 meters API requests (a bucket per account and region, with a burst
 * capacity and a refill rate), so a scanner that takes a token before each request can never
 * send more than `capacity + refillPerSecond × t` requests in any window of `t` seconds.
 *
 * @see https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  readonly #waiters: Array<() => void> = [];
  #draining = false;

  constructor(options: TokenBucketOptions) {
    if (!Number.isFinite(options.capacity) || options.capacity < 1) {
      throw new AwsConfigurationError(`token bucket capacity must be ≥ 1, got ${options.capacity}`);
    }
    if (!Number.isFinite(options.refillPerSecond) || options.refillPerSecond <= 0) {
      throw new AwsConfigurationError(
        `token bucket refill rate must be > 0 per second, got ${options.refillPerSecond}`,
      );
    }
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.#clock = options.clock ?? systemClock;
    this.#tokens = options.capacity;
    this.#updatedAt = this.#clock.now();
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves when one token has been taken; waiters are served first come, first served. */
  take(): Promise<void> {
    if (this.#waiters.length === 0) {
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return Promise.resolve();
      }
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      void this.#drain();
    });
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed / 1000) * this.refillPerSecond);
    this.#updatedAt = now;
  }

  /** One loop at a time hands out tokens to the queue, sleeping until the next one refills. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#waiters.length > 0) {
        this.#refill();
        if (this.#tokens >= 1) {
          this.#tokens -= 1;
          this.#waiters.shift()?.();
          continue;
        }
        const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) / this.refillPerSecond) * 1000));
        await this.#clock.sleep(waitMs);
      }
    } finally {
      this.#draining = false;
    }
  }
}
