import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import { allPages, callAws } from '../calls.js';
import { AwsCallError, ClusterNotFoundError } from '../errors.js';
import type { ApiLimiter } from '../rate-limit/index.js';

/** ListClusters returns at most 100 names per page. */
const LIST_CLUSTERS_PAGE_SIZE = 100;

/**
 * Names of every EKS cluster in the client's region (eks:ListClusters, every page).
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html
 */
export async function listClusterNames(eks: EKSClient, limiter: ApiLimiter): Promise<string[]> {
  const pages = await allPages(
    limiter,
    'eks:ListClusters',
    paginateListClusters({ client: eks, pageSize: LIST_CLUSTERS_PAGE_SIZE }, {}),
    (p) => p.nextToken,
  );
  return [...new Set(pages.flatMap((p) => p.clusters ?? []))];
}

/**
 * One cluster's description (eks:DescribeCluster).
 *
 * @throws ClusterNotFoundError when the cluster does not exist
 * @throws AwsCallError for any other AWS failure
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html
 */
export async function describeCluster(eks: EKSClient, limiter: ApiLimiter, name: string): Promise<Cluster> {
  try {
    const out = await callAws(limiter, 'eks:DescribeCluster', () =>
      eks.send(new DescribeClusterCommand({ name })),
    );
    if (!out.cluster) throw new ClusterNotFoundError(name, limiter.accountId, limiter.region);
    return out.cluster;
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'not-found') {
      throw new ClusterNotFoundError(name, limiter.accountId, limiter.region, { cause: err });
    }
    throw err;
  }
}
