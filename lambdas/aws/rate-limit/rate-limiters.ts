import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import { AwsConfigurationError } from '../errors.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { TokenBucket } from './token-bucket.js';

/**
 * How much of an account's API budget the scanner may use. Every default is applied in
 * {@link resolveRateLimitOptions}.
 */
export interface RateLimitOptions {
  /**
   * Burst size of the account×region request bucket AWS meters EC2 non-mutating calls with.
   * @default 100
   */
  readonly burstCapacity?: number;
  /**
   * Tokens AWS adds to that bucket per second.
   * @default 20
   */
  readonly refillPerSecond?: number;
  /**
   * Share of that bucket the scanner allows itself (other tools in the account draw from the
   * same bucket), in (0, 1].
   * @default 0.5
   */
  readonly share?: number;
  /**
   * Calls in flight at once per account (all its regions together).
   * @default 8
   */
  readonly accountConcurrency?: number;
  /**
   * Calls in flight at once across every account.
   * @default 32
   */
  readonly globalConcurrency?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export type ResolvedRateLimitOptions = Required<RateLimitOptions>;

/** Applies the defaults of {@link RateLimitOptions} and validates the values. */
export function resolveRateLimitOptions(options: RateLimitOptions = {}): ResolvedRateLimitOptions {
  const resolved: ResolvedRateLimitOptions = {
    burstCapacity: options.burstCapacity ?? 100,
    refillPerSecond: options.refillPerSecond ?? 20,
    share: options.share ?? 0.5,
    accountConcurrency: options.accountConcurrency ?? 8,
    globalConcurrency: options.globalConcurrency ?? 32,
    clock: options.clock ?? systemClock,
  };
  if (!(resolved.share > 0 && resolved.share <= 1)) {
    throw new AwsConfigurationError(`rate limit share must be in (0, 1], got ${resolved.share}`);
  }
  for (const key of ['accountConcurrency', 'globalConcurrency'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new AwsConfigurationError(`${key} must be an integer ≥ 1, got ${value}`);
    }
  }
  return resolved;
}

/** What one limiter let through: calls per `service:Operation` (each page counts). */
export interface ApiCallStats {
  readonly total: number;
  readonly byCall: Readonly<Record<string, number>>;
}

/**
 * The gate every EC2 and EKS request of one account×region passes: a slot of the account's
 * concurrency, then a token of the account×region bucket, then a slot of the global
 * concurrency. The global slot is taken last so a call waiting for its account's tokens never
 * holds a slot other accounts could use.
 */
export class ApiLimiter {
  readonly #counts = new Map<string, number>();

  constructor(
    readonly accountId: string,
    readonly region: string,
    readonly bucket: TokenBucket,
    private readonly accountSlots: LimitFunction,
    private readonly globalSlots: LimitFunction,
  ) {}

  /** Runs one API request (`call` is `service:Operation`) once the budget allows it. */
  run<T>(call: string, request: () => Promise<T>): Promise<T> {
    return this.accountSlots(async () => {
      await this.bucket.take();
      this.#counts.set(call, (this.#counts.get(call) ?? 0) + 1);
      return this.globalSlots(request);
    });
  }

  stats(): ApiCallStats {
    const byCall = Object.fromEntries([...this.#counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.#counts.values()].reduce((a, b) => a + b, 0), byCall };
  }
}

/**
 * One {@link ApiLimiter} per account×region, sharing per-account and global concurrency.
 * Create one per scan (or per collect-region Lambda invocation) and hand its limiters to every
 * collector of that account×region.
 *
 * @example
 * const limiters = new RateLimiters({ share: 0.5 });
 * const limiter = limiters.forAccountRegion('111122223333', 'eu-west-1');
 * await limiter.run('ec2:DescribeSubnets', () => ec2.send(new DescribeSubnetsCommand(input)));
 */
export class RateLimiters {
  readonly options: ResolvedRateLimitOptions;
  readonly #limiters = new Map<string, ApiLimiter>();
  readonly #accountSlots = new Map<string, LimitFunction>();
  readonly #globalSlots: LimitFunction;

  constructor(options: RateLimitOptions = {}) {
    this.options = resolveRateLimitOptions(options);
    this.#globalSlots = pLimit(this.options.globalConcurrency);
  }

  /** The limiter of one account×region (created on first use, then shared). */
  forAccountRegion(accountId: string, region: string): ApiLimiter {
    const key = `${accountId}/${region}`;
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      let accountSlots = this.#accountSlots.get(accountId);
      if (!accountSlots) {
        accountSlots = pLimit(this.options.accountConcurrency);
        this.#accountSlots.set(accountId, accountSlots);
      }
      const { burstCapacity, refillPerSecond, share, clock } = this.options;
      const bucket = new TokenBucket({
        capacity: Math.max(1, Math.floor(burstCapacity * share)),
        refillPerSecond: refillPerSecond * share,
        clock,
      });
      limiter = new ApiLimiter(accountId, region, bucket, accountSlots, this.#globalSlots);
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }

  /** Calls per account×region so far (`accountId/region` → stats). */
  stats(): Record<string, ApiCallStats> {
    return Object.fromEntries([...this.#limiters.entries()].map(([key, l]) => [key, l.stats()]));
  }
}
