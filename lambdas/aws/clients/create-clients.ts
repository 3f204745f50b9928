import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { Route53ResolverClientConfig } from '@aws-sdk/client-route53resolver';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DeadlineHttpHandler } from './deadline-http-handler.js';

/** Credentials for the clients: omitted → the SDK's default chain (env, profile, SSO, IMDS…). */
export type CredentialsInput = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** How long one AWS request may take; every default is applied in {@link resolveAwsTimeouts}. */
export interface AwsTimeouts {
  /**
   * Time to establish the TCP (and TLS) connection.
   * @default 3_000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Time from sending the request to the end of the response, and the longest a socket may sit
   * idle. A request that exceeds it fails with `TimeoutError` (retried by the SDK like any
   * transient failure, within `maxAttempts` and the run's deadline).
   * @default 10_000
   */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_AWS_TIMEOUTS: Required<AwsTimeouts> = {
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
};

export function resolveAwsTimeouts(timeouts: AwsTimeouts = {}): Required<AwsTimeouts> {
  return { ...DEFAULT_AWS_TIMEOUTS, ...timeouts };
}

export interface AwsClientOptions {
  readonly region: string;
  /** @default the SDK default credential provider chain (honours AWS_PROFILE and friends) */
  readonly credentials?: CredentialsInput;
  /**
   * Attempts per request including the first (SDK retries).
   * @default the SDK's own default: AWS_MAX_ATTEMPTS / `max_attempts` in the profile, else 3
   */
  readonly maxAttempts?: number;
  /** @default {@link DEFAULT_AWS_TIMEOUTS} (3 s connect, 10 s request) */
  readonly timeouts?: AwsTimeouts;
  /**
   * The run's deadline: every request still in flight (or retrying) when it aborts fails at once.
   * @default none (each request is still bounded by `timeouts` × `maxAttempts`)
   */
  readonly deadline?: AbortSignal;
}

/** The clients one account×region collection uses. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly eks: EKSClient;
  readonly sts: STSClient;
  /** Resolver rules and DNS Firewall of the clusters' VPCs (the snapshot's @2 `resolver` block) */
  readonly route53resolver: Route53ResolverClient;
}

/**
 * Common client configuration: adaptive retries (client-side rate limiting that backs off when
 * AWS throttles) and nothing that would stop the SDK from applying its own defaults — the
 * default credential chain, profiles, and the endpoint overrides `AWS_ENDPOINT_URL` /
 * `AWS_ENDPOINT_URL_<SERVICE>`, which the SDK reads only when no `endpoint` is passed. Each call
 * gets its own request handler with connection and request timeouts and the run's deadline: the
 * SDK's defaults have none, so an endpoint that accepts and never answers would hang forever.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function clientConfig(options: AwsClientOptions) {
  const { connectTimeoutMs, requestTimeoutMs } = resolveAwsTimeouts(options.timeouts);
  return {
    region: options.region,
    retryMode: 'adaptive' as const,
    requestHandler: new DeadlineHttpHandler(
      {
        connectionTimeout: connectTimeoutMs,
        requestTimeout: requestTimeoutMs,
        socketTimeout: requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
      options.deadline,
    ),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

/** Builds the EC2, EKS, STS and Route 53 Resolver clients of one account×region. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  // One handler per client: destroying one client must not close another's sockets.
  return {
    ec2: new EC2Client(clientConfig(options)),
    eks: new EKSClient(clientConfig(options)),
    sts: new STSClient(clientConfig(options)),
    // Built against older @smithy/types than the other clients (3.654.0 is the newest the
    // registry here has): the same configuration at run time, only its typing differs.
    route53resolver: new Route53ResolverClient(clientConfig(options) as Route53ResolverClientConfig),
  };
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
