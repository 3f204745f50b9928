import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AssumeRoleError, AwsConfigurationError, toAwsCallError } from '../errors.js';

export interface AssumeRoleOptions {
  /** the STS client that signs with the scanner's own (default-chain) credentials */
  readonly sts: STSClient;
  readonly roleArn: string;
  /** the ExternalId the member role's trust policy requires, if any */
  readonly externalId?: string;
  /** names the scan in CloudTrail; see {@link scanSessionName} */
  readonly sessionName: string;
  /** @default 3600 */
  readonly durationSeconds?: number;
  /**
   * Refresh this long before the credentials expire.
   * @default 300_000 (5 minutes, as the SDK's own providers do)
   */
  readonly refreshBeforeMs?: number;
  /** @default () => Date.now() */
  readonly now?: () => number;
}

const SESSION_NAME_CHARS = /[^\w+=,.@-]/g;

/**
 * A RoleSessionName that names the scan (visible in the member account's CloudTrail): only the
 * characters STS allows (`[\w+=,.@-]`), 2–64 long.
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function scanSessionName(scanId: string): string {
  const name = `fleet-dns-${scanId}`.replace(SESSION_NAME_CHARS, '-');
  return name.slice(0, 64);
}

/** The ARN of `roleName` in `accountId` (the partition comes from the caller's own ARN). */
export function roleArnFor(accountId: string, roleName: string, partition = 'aws'): string {
  if (!/^[0-9]{12}$/.test(accountId)) {
    throw new AwsConfigurationError(`account id must be 12 digits, got "${accountId}"`);
  }
  const path = roleName.startsWith('/') ? roleName.slice(1) : roleName;
  return `arn:${partition}:iam::${accountId}:role/${path}`;
}

/** The caller's account, ARN and partition (sts:GetCallerIdentity). */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly partition: string;
}

/** Who the scanner is: sts:GetCallerIdentity, translated to {@link CallerIdentity}. */
export async function getCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    return { accountId: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
  } catch (err) {
    throw toAwsCallError('sts:GetCallerIdentity', err) ?? err;
  }
}

/**
 * A credentials provider for `roleArn`: calls sts:AssumeRole on first use and again shortly
 * before the credentials expire; concurrent callers share one request. Every client of the
 * account (EC2, EKS, the EKS token signer) can share one provider, so an account costs one
 * AssumeRole per hour, not one per client.
 *
 * The SDK's `fromTemporaryCredentials` builds its own STS client internally; this provider
 * uses the injected one, so tests and endpoint overrides apply to it.
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function assumeRoleCredentials(options: AssumeRoleOptions): AwsCredentialIdentityProvider {
  const now = options.now ?? (() => Date.now());
  const refreshBeforeMs = options.refreshBeforeMs ?? 300_000;
  let cached: { readonly credentials: AwsCredentialIdentity; readonly expiresAt: number } | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;

  const fetchCredentials = async (): Promise<AwsCredentialIdentity> => {
    let out;
    try {
      out = await options.sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName,
          DurationSeconds: options.durationSeconds ?? 3600,
          ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
        }),
      );
    } catch (err) {
      const callError = toAwsCallError('sts:AssumeRole', err);
      if (!callError) throw err;
      throw new AssumeRoleError(options.roleArn, callError.code, callError.awsMessage, { cause: err });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new AssumeRoleError(options.roleArn, 'NoCredentials', 'AssumeRole returned no credentials');
    }
    const expiration = c.Expiration ?? new Date(now() + (options.durationSeconds ?? 3600) * 1000);
    const credentials: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined ? { sessionToken: c.SessionToken } : {}),
      expiration,
    };
    cached = { credentials, expiresAt: expiration.getTime() };
    return credentials;
  };

  return async () => {
    if (cached && now() < cached.expiresAt - refreshBeforeMs) return cached.credentials;
    // Concurrent callers share one request; a failed attempt is not cached (the next call retries).
    inflight ??= fetchCredentials().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}

/**
 * Assumes the role now (so a member account whose role cannot be assumed is found before any
 * collection starts) and returns the refreshing provider.
 *
 * @throws AssumeRoleError when STS refuses (the account becomes a coverage gap)
 */
export async function assumeRole(options: AssumeRoleOptions): Promise<AwsCredentialIdentityProvider> {
  const provider = assumeRoleCredentials(options);
  await provider();
  return provider;
}
