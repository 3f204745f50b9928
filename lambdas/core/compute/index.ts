/**
 * EKS-COMPUTE-MODE and the behaviour behind it: the cluster's compute mode from the facts the
 * scanner reads, and the checks that do not apply to it SKIPPED with the reason.
 */
export {
  COMPUTE_NODE_LABELS,
  COMPUTE_TYPE_LABEL,
  NODEGROUP_LABEL,
  computeModeOf,
  evaluateComputeMode,
} from './compute-mode.js';
export type { ComputeFacts, ComputeMode, ComputeModeInput, ComputeModeName } from './compute-mode.js';
export { applyComputeMode, computeModeFrom } from './apply-compute-mode.js';
