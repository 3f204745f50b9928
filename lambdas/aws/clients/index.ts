export {
  clientConfig,
  createAwsClients,
  createOrganizationsClient,
  DEFAULT_AWS_TIMEOUTS,
  resolveAwsTimeouts,
} from './create-clients.js';
export type {
  AwsClientFactory,
  AwsClientOptions,
  AwsClients,
  AwsTimeouts,
  CredentialsInput,
} from './create-clients.js';
export { DeadlineHttpHandler } from './deadline-http-handler.js';
