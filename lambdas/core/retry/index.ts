export {
  DEFAULT_RETRY_POLICY,
  RETRYABLE_STATUSES,
  decideRetry,
  parseRetryAfter,
  retryDelayMs,
  transientFaultOf,
} from './retry-policy.js';
export type { AttemptFailure, RetryDecision, RetryPolicy, TransientFault } from './retry-policy.js';
export { SYSTEM_RETRY_CLOCK, attemptWithRetries } from './attempt-with-retries.js';
export type {
  AttemptOutcome,
  Attempted,
  AttemptWithRetriesOptions,
  RetryClock,
  RetrySettings,
} from './attempt-with-retries.js';
export { apiRetryRecord, withApiRetries } from './api-retries.js';
export type { ApiRetryRecord } from './api-retries.js';
