import type { Cluster } from '@aws-sdk/client-eks';
import {
  NETWORK_SNAPSHOT_FORMAT,
  NETWORK_SNAPSHOT_FORMAT_V1,
  parseNetworkSnapshot,
  parseVpcWideFields,
} from '../../core/snapshot/index.js';
import type {
  KubernetesBlock,
  NetworkSnapshot,
  SnapshotCollectionError,
  ValidatedVpcFields,
} from '../../core/snapshot/index.js';
import type { VpcNetwork } from '../ec2/index.js';
import type { ClusterAddons } from '../eks/index.js';

/**
 * Everything collected for one cluster, before it becomes a snapshot. Assembly stays beside the
 * AWS collectors because most parts are AWS SDK shapes (VpcNetwork, ClusterAddons); the
 * Kubernetes part arrives as plain data ({@link KubernetesBlock}, core's hand-off type).
 */
export interface SnapshotParts {
  readonly accountId: string;
  readonly region: string;
  /** EKS DescribeCluster → `.cluster` */
  readonly cluster: Cluster;
  /** the cluster VPC's network (shared with other clusters of the VPC) */
  readonly network: VpcNetwork;
  /** absent: add-ons were not collected */
  readonly addons?: ClusterAddons;
  /** absent: the cluster API was not consulted */
  readonly kubernetes?: KubernetesBlock;
  /** failures besides the VPC's and add-ons' (e.g. the Corefile read) */
  readonly errors?: readonly SnapshotCollectionError[];
  readonly collectedAt: Date;
}

/**
 * Builds the `fleet-dns/network-snapshot@2` document of one cluster (@1 when no Resolver data was read): raw SDK outputs under the
 * field names network-snapshot.md gives, `collectionErrors` for every call that failed (naming
 * the checks they feed), and the Kubernetes facts. The result is exactly what a file written
 * with `--save-snapshot` holds (timestamps as ISO strings) and has passed
 * {@link parseNetworkSnapshot}, so a collector can never hand the audit a document it rejects.
 *
 * @throws SnapshotError when AWS returned something the snapshot schema rejects (named field)
 * @see ../../../../shared/network-snapshot.md
 */
export function assembleSnapshot(parts: SnapshotParts): NetworkSnapshot {
  const { network, addons } = parts;
  const collectionErrors = [...network.errors, ...(addons?.errors ?? []), ...(parts.errors ?? [])];
  const addonVersionsFailed = addons?.errors.some((e) => e.call === 'eks:DescribeAddonVersions') ?? false;
  const document = {
    // @2 only when the Resolver data was read: an @1 snapshot makes those checks SKIPPED, where a
    // @2 one without the block would claim "nothing associated".
    format: network.resolver ? NETWORK_SNAPSHOT_FORMAT : NETWORK_SNAPSHOT_FORMAT_V1,
    accountId: parts.accountId,
    region: parts.region,
    collectedAt: parts.collectedAt.toISOString(),
    cluster: parts.cluster,
    ...(addons ? { addons: addons.addons } : {}),
    ...(addons && !addonVersionsFailed && addons.addonVersions.length > 0
      ? { addonVersions: addons.addonVersions }
      : {}),
    ...(parts.kubernetes ? { kubernetes: parts.kubernetes } : {}),
    ...(collectionErrors.length > 0 ? { collectionErrors } : {}),
  };
  // JSON round trip: Dates (createdAt, Attachment.AttachTime…) become the strings a saved file holds.
  return parseNetworkSnapshot(JSON.parse(JSON.stringify(document)) as unknown, vpcFieldsOf(network));
}

/**
 * Each VPC's validated fields, once per VpcNetwork: the per-VPC cache (lambdas/aws/collect
 * ScanCaches) hands every cluster of a VPC the same object, so its ENIs, security groups and
 * NACLs are round-tripped and validated once, not once per cluster.
 */
const validatedVpcs = new WeakMap<VpcNetwork, ValidatedVpcFields>();

function vpcFieldsOf(network: VpcNetwork): ValidatedVpcFields {
  let fields = validatedVpcs.get(network);
  if (fields === undefined) {
    const document = {
      // A VPC whose DescribeVpcs failed is still named, so the audit can say which VPC it could not read.
      vpc: network.vpc ?? { VpcId: network.vpcId },
      ...(network.vpcAttributes ? { vpcAttributes: network.vpcAttributes } : {}),
      ...(network.dhcpOptions ? { dhcpOptions: network.dhcpOptions } : {}),
      ...(network.subnets ? { subnets: network.subnets } : {}),
      ...(network.securityGroups ? { securityGroups: network.securityGroups } : {}),
      ...(network.networkAcls ? { networkAcls: network.networkAcls } : {}),
      ...(network.networkInterfaces ? { networkInterfaces: network.networkInterfaces } : {}),
      prefixLists: network.prefixLists,
      ...(network.resolver ? { resolver: network.resolver } : {}),
    };
    fields = parseVpcWideFields(JSON.parse(JSON.stringify(document)) as Record<string, unknown>);
    validatedVpcs.set(network, fields);
  }
  return fields;
}
