import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Credentials for the clients: omitted → the SDK's default chain (env, profile, SSO, IMDS…). */
export type CredentialsInput = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface AwsClientOptions {
  readonly region: string;
  /** @default the SDK default credential provider chain (honours AWS_PROFILE and friends) */
  readonly credentials?: CredentialsInput;
  /**
   * Attempts per request including the first (SDK retries).
   * @default the SDK's own default: AWS_MAX_ATTEMPTS / `max_attempts` in the profile, else 3
   */
  readonly maxAttempts?: number;
}

/** The clients one account×region collection uses. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly sts: STSClient;
}

/**
 * Common client configuration: adaptive retries (client-side rate limiting that backs off when
 * AWS throttles) and nothing that would stop the SDK from applying its own defaults — the
 * default credential chain, profiles, and the endpoint overrides `AWS_ENDPOINT_URL` /
 * `AWS_ENDPOINT_URL_<SERVICE>`, which the SDK reads only when no `endpoint` is passed.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function clientConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    retryMode: 'adaptive' as const,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

/** Builds the EC2, EKS and STS clients of one account×region. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = clientConfig(options);
  return { ec2: new EC2Client(config), eks: new EKSClient(config), sts: new STSClient(config) };
}

/**
 * The Organizations client. Organizations is a global service served from one region
 * (us-east-1 in the `aws` partition); the SDK resolves the endpoint from the region given.
 */
export function createOrganizationsClient(options: AwsClientOptions): OrganizationsClient {
  return new OrganizationsClient(clientConfig(options));
}

/** A factory for the clients of one account×region; inject one in tests or to share clients. */
export type AwsClientFactory = (options: AwsClientOptions) => AwsClients;
