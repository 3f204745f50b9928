import type { Cluster } from '@aws-sdk/client-eks';
import { formatClusterId } from '../../core/results/index.js';
import type { ClusterIdentity } from '../../core/schema/index.js';

/** How the cluster's API endpoint can be reached (EKS `resourcesVpcConfig`). */
export type EndpointAccessMode = 'public' | 'private' | 'public-and-private';

/**
 * One discovered EKS cluster: its fleet identity (`<accountId>:<region>:<name>`, account name
 * when Organizations knows it, ARN, version) plus what collection needs next — the endpoint
 * access mode and the VPC.
 */
export interface ClusterRecord extends ClusterIdentity {
  readonly arn: string;
  readonly version: string;
  readonly endpointAccess: EndpointAccessMode;
  /** absent only for a cluster EKS describes without a VPC (should not happen) */
  readonly vpcId?: string;
}

/**
 * The endpoint access mode from `resourcesVpcConfig`. EKS defaults are public on, private off.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
 */
export function endpointAccessMode(cluster: Cluster): EndpointAccessMode {
  const publicAccess = cluster.resourcesVpcConfig?.endpointPublicAccess ?? true;
  const privateAccess = cluster.resourcesVpcConfig?.endpointPrivateAccess ?? false;
  if (publicAccess && privateAccess) return 'public-and-private';
  return publicAccess ? 'public' : 'private';
}

/** Builds the {@link ClusterRecord} of a DescribeCluster result. */
export function toClusterRecord(
  account: { readonly id: string; readonly name?: string },
  region: string,
  cluster: Cluster,
): ClusterRecord {
  const name = cluster.name ?? '';
  const vpcId = cluster.resourcesVpcConfig?.vpcId;
  return {
    id: formatClusterId({ accountId: account.id, region, name }),
    accountId: account.id,
    ...(account.name !== undefined ? { accountName: account.name } : {}),
    region,
    name,
    arn: cluster.arn ?? '',
    version: cluster.version ?? '',
    endpointAccess: endpointAccessMode(cluster),
    ...(vpcId !== undefined ? { vpcId } : {}),
  };
}
