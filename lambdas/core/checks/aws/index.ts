/**
 * The AWS-side checks (checks.md §A): a pure function from a network snapshot to check results.
 */
export { auditNetworkSnapshot, AWS_CHECK_IDS } from './audit-network-snapshot.js';
export type { AwsAuditOptions } from './audit-context.js';
export {
  addonCompatibleWith,
  addonCompatibilityEvidenceSchema,
  addonMatrix,
  DNS_ADDONS,
  knownClusterVersions,
  parseEksVersion,
} from './coredns-addon.js';
export type {
  AddonCompatibilityEvidence,
  AddonMatrix,
  AddonTargetCompatibility,
  AddonTargetVerdict,
} from './coredns-addon.js';
export { parseUpstream } from './upstream-reach.js';
export type { UpstreamTarget } from './upstream-reach.js';
export { dhcpNameServers } from './dhcp-options.js';
export { AwsAuditError } from './errors.js';
