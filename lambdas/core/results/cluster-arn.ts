/**
 * AWS partitions and EKS cluster ARNs, `arn:<partition>:eks:<region>:<accountId>:cluster/<name>`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html#amazonelastickubernetesservice-resources-for-iam-policies
 */
import { accountIdProblem, clusterNameProblem, parseClusterId, regionProblem } from './cluster-id.js';
import type { ClusterIdParts } from './cluster-id.js';
import { ClusterIdentityError } from './errors.js';

/** Region prefixes of the partitions other than `aws`, most specific first (us-isob- before us-iso-). */
const PARTITION_BY_REGION_PREFIX: readonly (readonly [prefix: string, partition: string])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['eusc-', 'aws-eusc'],
];

/**
 * The AWS partition a region belongs to: `aws-cn` for cn-*, `aws-us-gov` for us-gov-*, the ISO
 * and sovereign partitions by their prefixes, else `aws`.
 *
 * @example partitionOfRegion('cn-north-1') // 'aws-cn'
 */
export function partitionOfRegion(region: string): string {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** The parts of an EKS cluster ARN. */
export interface ClusterArnParts extends ClusterIdParts {
  readonly partition: string;
}

/**
 * The ARN of a cluster from its identity, in the partition of its region.
 *
 * @example formatClusterArn({ accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' })
 * // 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a'
 */
export function formatClusterArn(parts: ClusterIdParts): string {
  return `arn:${partitionOfRegion(parts.region)}:eks:${parts.region}:${parts.accountId}:cluster/${parts.name}`;
}

const CLUSTER_ARN = /^arn:(aws[a-z-]*):eks:([^:]*):([^:]*):cluster\/(.*)$/;

/**
 * The parts of an EKS cluster ARN.
 *
 * @throws ClusterIdentityError when `text` is not an EKS cluster ARN or a part is malformed
 */
export function parseClusterArn(text: string): ClusterArnParts {
  const match = CLUSTER_ARN.exec(text);
  if (!match) {
    throw new ClusterIdentityError(
      `cluster ARN ${JSON.stringify(text)}: expected arn:<partition>:eks:<region>:<accountId>:cluster/<name>`,
      text,
    );
  }
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  const problem = accountIdProblem(accountId) ?? regionProblem(region) ?? clusterNameProblem(name);
  if (problem) throw new ClusterIdentityError(`cluster ARN ${JSON.stringify(text)}: ${problem}`, text);
  return { partition, region, accountId, name };
}

/** What a `--cluster` argument names: always the cluster name, and account and region when given. */
export interface ClusterReference {
  readonly name: string;
  readonly accountId?: string;
  readonly region?: string;
}

/**
 * Reads a cluster reference as people write it: a cluster id (`<accountId>:<region>:<name>`), a
 * cluster ARN, or a bare cluster name (conventions.md: `--cluster` accepts a bare name).
 *
 * @throws ClusterIdentityError naming what is malformed
 */
export function parseClusterReference(text: string): ClusterReference {
  if (text.startsWith('arn:')) {
    const { accountId, region, name } = parseClusterArn(text);
    return { accountId, region, name };
  }
  if (text.includes(':')) return parseClusterId(text);
  const problem = clusterNameProblem(text);
  if (problem) throw new ClusterIdentityError(problem, text);
  return { name: text };
}
