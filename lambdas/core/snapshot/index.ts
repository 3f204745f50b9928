/**
 * The network snapshot (`fleet-dns/network-snapshot@2`, @1 still read): its schema, its type and its parser.
 * Collectors (lambdas/aws) produce a {@link NetworkSnapshot}; the AWS-side audit consumes one.
 */
export { parseNetworkSnapshot, parseVpcWideFields, VPC_WIDE_FIELDS } from './parse-network-snapshot.js';
export type { ValidatedVpcFields, VpcWideField } from './parse-network-snapshot.js';
export { SnapshotError } from './errors.js';
export {
  NETWORK_SNAPSHOT_FORMAT,
  NETWORK_SNAPSHOT_FORMAT_V1,
  NETWORK_SNAPSHOT_FORMATS,
  networkSnapshotSchema,
} from './network-snapshot-schema.js';
export type * from './network-snapshot-schema.js';
export {
  CHECKS_FED_BY,
  checksFedBy,
  checksNamedBy,
  collectionError,
  normalizeCallName,
} from './checks-fed-by.js';
export type { CollectionCall } from './checks-fed-by.js';
export type {
  ClusterApiAccess,
  KubernetesBlock,
  KubernetesCollection,
  KubernetesReader,
} from './cluster-api-handoff.js';
