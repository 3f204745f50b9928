import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { clientConfig, createAwsClients } from '../clients/index.js';
import { assumeRole, getCallerIdentity, scanSessionName } from '../credentials/index.js';
import { describeCluster } from '../discovery/index.js';
import { AwsConfigurationError } from '../errors.js';
import { RateLimiters } from '../rate-limit/index.js';
import type { ApiCallStats } from '../rate-limit/index.js';
import { collectClusterSnapshot } from './collect-cluster.js';
import type { CollectedCluster } from './collect-cluster.js';
import { awsClientOptions } from './collect-region.js';
import type { CollectRegionOptions } from './collect-region.js';
import { createScanCaches } from './scan-caches.js';

export interface ClusterTarget {
  readonly clusterName: string;
  readonly region: string;
  /** the account the cluster must be in (checked against the credentials used) */
  readonly accountId?: string;
  /** a role to assume first (another account, or a narrower role) */
  readonly roleArn?: string;
  readonly externalId?: string;
  /** names the session in CloudTrail; @default a `fleet-dns-<time>` name */
  readonly scanId?: string;
}

export interface CollectedClusterByName extends CollectedCluster {
  /** EC2 + EKS requests this collection made */
  readonly calls: ApiCallStats;
}

/**
 * Collects one named cluster — the live mode of `fleet-dns audit-network --cluster NAME
 * --region R [--account ID --role-arn ARN]`: default credential chain and endpoint overrides,
 * an optional AssumeRole, the account taken from the role ARN or sts:GetCallerIdentity (and
 * checked against `accountId` when given), then the same collection as a fleet scan, without eks:ListClusters.
 *
 * @throws AssumeRoleError when the role cannot be assumed
 * @throws AwsConfigurationError when the credentials belong to another account than `accountId`
 * @throws ClusterNotFoundError when the cluster does not exist there
 * @throws AwsCallError when DescribeCluster is refused or fails (other failures are
 *   `collectionErrors` in the snapshot)
 */
export async function collectClusterByName(
  target: ClusterTarget,
  options: Omit<CollectRegionOptions, 'credentials' | 'clusterConcurrency' | 'onCluster'> & {
    readonly sts?: STSClient;
  } = {},
): Promise<CollectedClusterByName> {
  const sts = options.sts ?? new STSClient(clientConfig(awsClientOptions(options, target.region)));
  let credentials: AwsCredentialIdentityProvider | undefined;
  let accountId: string;
  let principalArn: string;
  if (target.roleArn) {
    const roleAccount = /^arn:[a-z-]+:iam::([0-9]{12}):role\/.+$/.exec(target.roleArn)?.[1];
    if (!roleAccount) throw new AwsConfigurationError(`not an IAM role ARN: "${target.roleArn}"`);
    credentials = await assumeRole({
      sts,
      roleArn: target.roleArn,
      sessionName: scanSessionName(target.scanId ?? `cli-${Date.now()}`),
      ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
    });
    accountId = roleAccount;
    principalArn = target.roleArn;
  } else {
    const me = await getCallerIdentity(sts);
    accountId = me.accountId;
    principalArn = me.arn;
  }
  if (target.accountId !== undefined && target.accountId !== accountId) {
    throw new AwsConfigurationError(
      `the credentials act in account ${accountId}, not ${target.accountId}: pass --role-arn for a role in ${target.accountId}`,
    );
  }
  const clients =
    options.clients ??
    (options.clientFactory ?? createAwsClients)(awsClientOptions(options, target.region, credentials));
  const limiter = (options.limiters ?? new RateLimiters()).forAccountRegion(accountId, target.region);
  // DescribeCluster directly (no ListClusters): a missing cluster is ClusterNotFoundError, a refusal AwsCallError.
  const cluster = await describeCluster(clients.eks, limiter, target.clusterName);
  const collected = await collectClusterSnapshot(
    {
      account: { id: accountId },
      region: target.region,
      clients,
      limiter,
      caches: options.caches ?? createScanCaches(),
      kubernetes: options.kubernetes ?? false,
      principalArn,
      ...(options.now ? { now: options.now } : {}),
    },
    cluster,
  );
  return { ...collected, calls: limiter.stats() };
}
