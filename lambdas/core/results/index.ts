/**
 * Results, once: cluster identity (id, ARN, partition), building a ClusterResult from checks,
 * the in-cluster assessment of runner results, fleet reports and the exit code findings give.
 * Pure: the CLI, the lab, the collectors and the handlers call these and add only I/O.
 */
export {
  accountIdProblem,
  CLUSTER_ID_EXAMPLE,
  clusterNameProblem,
  formatClusterId,
  parseClusterId,
  regionProblem,
} from './cluster-id.js';
export type { ClusterIdParts } from './cluster-id.js';
export {
  formatClusterArn,
  parseClusterArn,
  parseClusterReference,
  partitionOfRegion,
} from './cluster-arn.js';
export type { ClusterArnParts, ClusterReference } from './cluster-arn.js';
export { buildClusterResult } from './cluster-result.js';
export type { BuildClusterResultOptions, ClusterIdentityInput } from './cluster-result.js';
export { auditNetworkCluster, auditNetworkFleet, snapshotClusterIdentity } from './audit-network-cluster.js';
export type { AuditNetworkClusterOptions } from './audit-network-cluster.js';
export { assessRunnerResults } from './runner-assessment.js';
export type { RunnerAssessment } from './runner-assessment.js';
export { buildFleetReport } from './fleet-report.js';
export { buildFleetSummary, regressionsBetween, worstStatus } from './fleet-summary.js';
export type { FleetRegression, FleetSummaryInput } from './fleet-summary.js';
export type { FleetReportInput } from './fleet-report.js';
export { blockingFailures, findingsExitCode, isAtOrAbove } from './findings-exit-code.js';
export type { FindingsExitCodeOptions } from './findings-exit-code.js';
export { ClusterIdentityError, ResultsError } from './errors.js';
export { newScanId } from './scan-id.js';
