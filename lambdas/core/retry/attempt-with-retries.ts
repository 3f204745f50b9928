/**
 * The one retry loop of the Kubernetes API clients (the runner's reads and the collectors'
 * HTTP layer): runs a call, asks the policy whether its failure is transient and how long to
 * wait, and tries again within the attempts and the deadline. The clock is injected; the
 * default one is the process's timers (no I/O of its own).
 */
import { DEFAULT_RETRY_POLICY, decideRetry } from './retry-policy.js';
import type { RetryPolicy, TransientFault } from './retry-policy.js';

/** The outcome of one attempt: what the call resolved to, or what it threw. */
export type AttemptOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The last attempt's outcome, with how many attempts it took and the transient faults met. */
export type Attempted<T> = AttemptOutcome<T> & {
  readonly attempts: number;
  readonly faults: readonly TransientFault[];
};

export interface RetryClock {
  /** milliseconds on the same scale as `deadlineMs` */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const SYSTEM_RETRY_CLOCK: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface AttemptWithRetriesOptions<T> {
  /**
   * The transient fault in an attempt's outcome, undefined for a success or a lasting failure.
   * It sees resolved values too: an HTTP layer resolves a 429 response rather than throwing.
   */
  readonly faultOf: (outcome: AttemptOutcome<T>) => TransientFault | undefined;
  /** @default DEFAULT_RETRY_POLICY, field by field */
  readonly policy?: Partial<RetryPolicy>;
  /** no retry whose wait would end at or after this time (`clock.now()` scale) @default none */
  readonly deadlineMs?: number;
  /** @default SYSTEM_RETRY_CLOCK */
  readonly clock?: RetryClock;
  /** uniform in [0, 1) for the jitter @default Math.random */
  readonly random?: () => number;
}

/** How a client retries: everything but how to tell a transient fault, which is the client's. */
export type RetrySettings = Omit<AttemptWithRetriesOptions<unknown>, 'faultOf'>;

/** Runs `call` until it succeeds, fails for good, or the attempts or the deadline run out. Never rejects. */
export async function attemptWithRetries<T>(
  call: () => Promise<T>,
  options: AttemptWithRetriesOptions<T>,
): Promise<Attempted<T>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const clock = options.clock ?? SYSTEM_RETRY_CLOCK;
  const random = options.random ?? Math.random;
  const faults: TransientFault[] = [];
  for (let attempt = 1; ; attempt += 1) {
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { ok: true, value: await call() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const fault = options.faultOf(outcome);
    if (fault !== undefined) faults.push(fault);
    const decision = decideRetry({
      attempt,
      fault,
      nowMs: clock.now(),
      ...(options.deadlineMs !== undefined && { deadlineMs: options.deadlineMs }),
      policy,
      random,
    });
    if (!decision.retry) return { ...outcome, attempts: attempt, faults };
    await clock.sleep(decision.delayMs);
  }
}
