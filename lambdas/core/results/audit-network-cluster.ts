/**
 * The AWS-side audit of whole clusters: network snapshot(s) → ClusterResult(s), as
 * `fleet-dns audit-network --snapshot` prints and the demo's embedded fleet shows.
 */
import { auditNetworkSnapshot } from '../checks/aws/index.js';
import type { AwsAuditOptions } from '../checks/aws/index.js';
import type { ClusterResult, ScanRef } from '../schema/index.js';
import type { NetworkSnapshot } from '../snapshot/index.js';
import { buildClusterResult } from './cluster-result.js';
import type { ClusterIdentityInput } from './cluster-result.js';

/** The cluster's identity as the snapshot records it (DescribeCluster's name, ARN and version). */
export function snapshotClusterIdentity(snapshot: NetworkSnapshot): ClusterIdentityInput {
  const { cluster } = snapshot;
  return {
    accountId: snapshot.accountId,
    region: snapshot.region,
    name: cluster.name,
    ...(cluster.arn !== undefined ? { arn: cluster.arn } : {}),
    ...(cluster.version !== undefined ? { version: cluster.version } : {}),
  };
}

/** Options of {@link auditNetworkCluster}: the audit's options plus the scan the result belongs to. */
export interface AuditNetworkClusterOptions extends AwsAuditOptions {
  readonly scan?: ScanRef;
}

/**
 * One cluster's AWS-side ClusterResult: the section-A checks of its snapshot and their diagnosis.
 *
 * @throws AwsAuditError on unusable audit options; ClusterIdentityError on a malformed identity
 */
export function auditNetworkCluster(
  snapshot: NetworkSnapshot,
  options: AuditNetworkClusterOptions = {},
): ClusterResult {
  const { scan, ...auditOptions } = options;
  return buildClusterResult(snapshotClusterIdentity(snapshot), auditNetworkSnapshot(snapshot, auditOptions), {
    ...(scan ? { scan } : {}),
  });
}

/** The AWS-side ClusterResults of a fleet of snapshots, in the order given, all of one scan. */
export function auditNetworkFleet(snapshots: readonly NetworkSnapshot[], scan: ScanRef): ClusterResult[] {
  return snapshots.map((snapshot) => auditNetworkCluster(snapshot, { scan }));
}
