/**
 * When and how long to wait before retrying a Kubernetes API call, as client-go does: a
 * throttled (429) or briefly failing (500, 503) API server and a reset connection are transient,
 * everything else (403, 404, a timeout of the call's own deadline…) is the answer. The wait is
 * exponential backoff with full jitter, or the server's `Retry-After` when it sent one (bounded,
 * so a server cannot park the run), and never reaches past the run's deadline.
 *
 * @see https://github.com/kubernetes/client-go/blob/master/rest/with_retry.go
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */

/** HTTP statuses a Kubernetes API server answers while it recovers (throttled, restarting). */
export const RETRYABLE_STATUSES: readonly number[] = [429, 500, 503];

/** A connection the server or a proxy dropped mid-request (node's and node-fetch's wording). */
const RESET_CODES: readonly string[] = ['ECONNRESET'];
const RESET_MESSAGE = /\b(ECONNRESET|socket hang up)\b/;

export interface RetryPolicy {
  /** attempts in all, the first included @default 5 */
  readonly maxAttempts: number;
  /** backoff ceiling of the first retry; doubled per retry @default 200 */
  readonly baseDelayMs: number;
  /** backoff ceiling never grows past this @default 5000 */
  readonly maxDelayMs: number;
  /** a server's `Retry-After` is honoured up to this @default 10000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
};

/** A failure worth another attempt. */
export type TransientFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'reset'; readonly code: string };

/** What a failed attempt looked like, as much as the caller's client exposes. */
export interface AttemptFailure {
  /** the HTTP status, when the server answered */
  readonly status?: number;
  /** the `Retry-After` header, when present */
  readonly retryAfter?: string;
  /** a system error code (`ECONNRESET`) */
  readonly code?: string;
  readonly message?: string;
}

/**
 * `Retry-After` as whole seconds, or undefined when absent or not delta-seconds (the HTTP-date
 * form needs a clock; the backoff is used instead).
 */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value.trim());
}

/** The transient fault in a failed attempt, or undefined when retrying would not help. */
export function transientFaultOf(failure: AttemptFailure): TransientFault | undefined {
  if (failure.status !== undefined && failure.status !== 0) {
    if (!RETRYABLE_STATUSES.includes(failure.status)) return undefined;
    const retryAfterSeconds = parseRetryAfter(failure.retryAfter);
    return {
      kind: 'status',
      status: failure.status,
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    };
  }
  if (failure.code !== undefined && RESET_CODES.includes(failure.code))
    return { kind: 'reset', code: failure.code };
  const reset = failure.message?.match(RESET_MESSAGE);
  return reset ? { kind: 'reset', code: reset[1] as string } : undefined;
}

/**
 * The wait before retry number `retry` (1 for the first retry): the server's `Retry-After`
 * (capped at `maxRetryAfterMs`), else a uniform draw in [0, min(maxDelayMs, baseDelayMs·2^(retry-1))]
 * ("full jitter", so throttled clients do not retry in step). `random` returns [0, 1).
 */
export function retryDelayMs(
  retry: number,
  fault: TransientFault,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (fault.kind === 'status' && fault.retryAfterSeconds !== undefined)
    return Math.min(fault.retryAfterSeconds * 1000, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
}

/** Whether to retry after a failed attempt, and after how long. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly why: 'not transient' | 'attempts exhausted' | 'deadline' };

/**
 * Decides about attempt `attempt + 1` after attempt `attempt` (1-based) failed with `fault`:
 * no retry for a lasting failure, after `maxAttempts`, or when the wait would end at or past
 * `deadlineMs` (an absolute time on the caller's clock; absent = no deadline).
 */
export function decideRetry(input: {
  readonly attempt: number;
  readonly fault: TransientFault | undefined;
  readonly nowMs: number;
  readonly deadlineMs?: number;
  readonly policy: RetryPolicy;
  readonly random: () => number;
}): RetryDecision {
  if (input.fault === undefined) return { retry: false, why: 'not transient' };
  if (input.attempt >= input.policy.maxAttempts) return { retry: false, why: 'attempts exhausted' };
  const delayMs = retryDelayMs(input.attempt, input.fault, input.policy, input.random);
  if (input.deadlineMs !== undefined && input.nowMs + delayMs >= input.deadlineMs)
    return { retry: false, why: 'deadline' };
  return { retry: true, delayMs };
}
