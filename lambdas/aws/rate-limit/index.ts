export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { TokenBucket } from './token-bucket.js';
export type { TokenBucketOptions } from './token-bucket.js';
export { ApiLimiter, RateLimiters, resolveRateLimitOptions } from './rate-limiters.js';
export type { ApiCallStats, RateLimitOptions, ResolvedRateLimitOptions } from './rate-limiters.js';
