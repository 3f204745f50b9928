export { clientConfig, createAwsClients, createOrganizationsClient } from './create-clients.js';
export type { AwsClientFactory, AwsClientOptions, AwsClients, CredentialsInput } from './create-clients.js';
