import pLimit from 'p-limit';
import { formatClusterId } from '../../core/results/index.js';
import type { CoverageGap } from '../../core/schema/index.js';
import type { FleetAccount } from '../accounts/index.js';
import { createAwsClients } from '../clients/index.js';
import type {
  AwsClientFactory,
  AwsClientOptions,
  AwsClients,
  AwsTimeouts,
  CredentialsInput,
} from '../clients/index.js';
import { describeCluster, listClusterNames } from '../discovery/index.js';
import { AwsCallError, ClusterNotFoundError } from '../errors.js';
import { RateLimiters } from '../rate-limit/index.js';
import type { ApiCallStats } from '../rate-limit/index.js';
import { collectClusterSnapshot } from './collect-cluster.js';
import type { CollectedCluster, KubeCollectOptions } from './collect-cluster.js';
import { createScanCaches } from './scan-caches.js';
import type { ScanCaches } from './scan-caches.js';

export interface CollectRegionInput {
  readonly account: FleetAccount;
  readonly region: string;
  /** only these clusters (skips eks:ListClusters); @default every cluster of the region */
  readonly clusterNames?: readonly string[];
}

/** Options of {@link collectRegion}; every default is applied at the top of it. */
export interface CollectRegionOptions {
  /** @default clients built by `clientFactory` with `credentials` */
  readonly clients?: AwsClients;
  /** @default createAwsClients (adaptive retries, default chain, endpoint overrides) */
  readonly clientFactory?: AwsClientFactory;
  /** the account's credentials (an assumed role); @default the SDK default chain */
  readonly credentials?: CredentialsInput;
  /** SDK attempts per request; @default the SDK's (3, or AWS_MAX_ATTEMPTS) */
  readonly maxAttempts?: number;
  /** connection and request timeouts of every AWS request; @default DEFAULT_AWS_TIMEOUTS (3 s, 10 s) */
  readonly timeouts?: AwsTimeouts;
  /**
   * The run's deadline: AWS requests still in flight when it aborts fail (`DeadlineExceeded`),
   * becoming collection errors like any failed call. @default none
   */
  readonly deadline?: AbortSignal;
  /** share one across every region of a scan (global and per-account concurrency); @default a new one */
  readonly limiters?: RateLimiters;
  /** @default new caches (one scan) */
  readonly caches?: ScanCaches;
  /**
   * Clusters of the region collected at once.
   * @default 4
   */
  readonly clusterConcurrency?: number;
  /**
   * How to consult the cluster API: `{ read: kubernetesReader() }` from lambdas/kube (the caller
   * joins the adapters); `false`: AWS side only, the snapshot has no `kubernetes` block.
   * @default false
   */
  readonly kubernetes?: KubeCollectOptions | false;
  /** the IAM principal the scanner acts as, named in access-failure reasons */
  readonly principalArn?: string;
  /** called as each cluster finishes (progress) */
  readonly onCluster?: (cluster: CollectedCluster) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The client options a collection's options imply — region, credentials, retries, timeouts, deadline — in one place. */
export function awsClientOptions(
  options: Pick<CollectRegionOptions, 'maxAttempts' | 'timeouts' | 'deadline'>,
  region: string,
  credentials?: CredentialsInput,
): AwsClientOptions {
  return {
    region,
    ...(credentials !== undefined ? { credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.timeouts !== undefined ? { timeouts: options.timeouts } : {}),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
  };
}

/** The outcome of one account×region: snapshots, what could not be scanned and why, calls made. */
export interface RegionCollection {
  readonly accountId: string;
  readonly region: string;
  readonly clusters: CollectedCluster[];
  readonly gaps: CoverageGap[];
  /** EC2 + EKS requests of this account×region (each page counts) */
  readonly calls: ApiCallStats;
}

function gapReason(err: unknown): string {
  if (err instanceof AwsCallError) return `${err.call}: ${err.code}: ${err.awsMessage}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Collects the network snapshots of every EKS cluster in one account×region — the unit the
 * deployed flow's collect-region Lambda owns (design.md): one rate limiter for the account×
 * region's EC2/EKS budget, one VPC cache so each VPC is described once and shared by the
 * clusters in it. A failure is contained where it happens: a failed call is a
 * `collectionErrors` entry of the clusters it concerns; a cluster that cannot be described, or
 * a region whose clusters cannot be listed, is a coverage gap. It never throws for AWS errors.
 *
 * @example
 * const result = await collectRegion({ account: { id: '111122223333' }, region: 'eu-west-1' });
 * for (const { record, snapshot } of result.clusters) console.log(record.id, auditNetworkSnapshot(snapshot));
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html
 */
export async function collectRegion(
  input: CollectRegionInput,
  options: CollectRegionOptions = {},
): Promise<RegionCollection> {
  const { account, region } = input;
  const limiters = options.limiters ?? new RateLimiters();
  const limiter = limiters.forAccountRegion(account.id, region);
  const clients =
    options.clients ??
    (options.clientFactory ?? createAwsClients)(awsClientOptions(options, region, options.credentials));
  const caches = options.caches ?? createScanCaches();
  const clusterSlots = pLimit(options.clusterConcurrency ?? 4);
  const gaps: CoverageGap[] = [];
  const clusters: CollectedCluster[] = [];
  const done = () => ({ accountId: account.id, region, clusters, gaps, calls: limiter.stats() });

  let names: readonly string[];
  try {
    names = input.clusterNames ?? (await listClusterNames(clients.eks, limiter));
  } catch (err) {
    if (!(err instanceof AwsCallError)) throw err;
    gaps.push({ scope: 'region', accountId: account.id, region, reason: gapReason(err) });
    return done();
  }

  await Promise.all(
    names.map((name) =>
      clusterSlots(async () => {
        const id = formatClusterId({ accountId: account.id, region, name });
        try {
          const cluster = await describeCluster(clients.eks, limiter, name);
          const collected = await collectClusterSnapshot(
            {
              account,
              region,
              clients,
              limiter,
              caches,
              kubernetes: options.kubernetes ?? false,
              ...(options.principalArn ? { principalArn: options.principalArn } : {}),
              ...(options.now ? { now: options.now } : {}),
            },
            cluster,
          );
          clusters.push(collected);
          options.onCluster?.(collected);
        } catch (err) {
          // Contained per cluster: whatever went wrong here (even a bug) never stops the others.
          const reason = err instanceof ClusterNotFoundError ? err.message : gapReason(err);
          gaps.push({ scope: 'cluster', accountId: account.id, region, clusterId: id, reason });
        }
      }),
    ),
  );
  clusters.sort((a, b) => a.record.name.localeCompare(b.record.name));
  return done();
}
