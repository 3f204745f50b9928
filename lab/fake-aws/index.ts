/**
 * The fake AWS: a world of accounts × regions, answered through the tests' aws-sdk-client-mock
 * installer or over HTTP on 127.0.0.1 (the demo). @see ../README.md
 */
export * from './world.js';
export { createFakeAwsAnswers, FAKE_AWS_OPERATIONS, UnknownFakeOperationError } from './answers.js';
export type { FakeAwsAnswer, FakeAwsCaller, FakeAwsService, PerOperation } from './answers.js';
export {
  AWS_THROTTLE_DEFAULTS,
  createThrottle,
  parseCredentialScope,
  startFakeAwsEndpoint,
} from './server.js';
export type {
  FakeAwsBucket,
  FakeAwsCall,
  FakeAwsEndpoint,
  FakeAwsEndpointOptions,
  FakeAwsThrottleOptions,
} from './server.js';
