/**
 * AWS adapters: fleet discovery (accounts, regions, EKS clusters) and the collection of each
 * cluster's network snapshot, under one rate limiter per account×region. Reused by the Lambdas
 * (discover → collect-region) and the CLI (`audit-network --cluster`).
 *
 * @see ./README.md
 */
export * from './accounts/index.js';
export * from './api-client/index.js';
export * from './clients/index.js';
export * from './collect/index.js';
export * from './credentials/index.js';
export * from './discovery/index.js';
export * from './ec2/index.js';
export * from './eks/index.js';
export * from './eventbridge/index.js';
export * from './rate-limit/index.js';
export * from './s3/index.js';
export * from './securityhub/index.js';
export * from './regions/index.js';
export * from './route53resolver/index.js';
export * from './snapshot/index.js';
export * from './stepfunctions/index.js';
export { allPages, callAws } from './calls.js';
export { PromiseCache } from './promise-cache.js';
export {
  AssumeRoleError,
  AwsAdapterError,
  AwsCallError,
  AwsConfigurationError,
  ClusterNotFoundError,
  DEADLINE_EXCEEDED,
  failureKind,
  toAwsCallError,
} from './errors.js';
export type { AwsFailureKind } from './errors.js';
