/**
 * The Kubernetes objects fleet-dns creates, as pure functions (no I/O): a scan's Secret and runner
 * Jobs, and the onboarding namespace, ServiceAccount and RBAC. See README.md.
 */
export { ManifestError } from './errors.js';
export {
  ANNOTATION_NODE_NAME,
  ANNOTATION_SCAN_ID,
  COMPONENT_NODE_AGENT,
  COMPONENT_PROBE,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  LABEL_COMPONENT,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_SCAN_ID,
  MANAGED_BY,
  nodeAgentJobName,
  nodeAgentSelector,
  probeJobName,
  RUNNER_APP_NAME,
  scanIdLabelValue,
  scanIdProblem,
  scanLabels,
  scanSecretName,
} from './names.js';
export {
  DEFAULT_RUNNER_JOB_SETTINGS,
  NODE_AGENT_REPORT_MARGIN_SECONDS,
  parseRunnerJobSettings,
} from './settings.js';
export type { RunnerJobSettings, RunnerJobSettingsInput } from './settings.js';
export { buildScanSecret, hmacKeyProblem, RESULT_KEY_SECRET_KEY } from './secret.js';
export type { ScanSecretInput } from './secret.js';
export {
  buildNodeAgentJob,
  buildProbeJob,
  captureSecurityContext,
  READY_FILE,
  RUNNER_RESOURCES,
  SCRATCH_DIR,
} from './jobs.js';
export type { NodeAgentJobInput, ScanJobInput } from './jobs.js';
export {
  buildOnboardingManifests,
  DEFAULT_SCANNER_GROUP,
  DISPATCHER_ROLE,
  DISPATCHER_RULES,
  READER_CLUSTER_ROLE,
  READER_RULES,
  RUNNER_ROLE,
  RUNNER_RULES,
} from './onboarding.js';
export type { OnboardingInput, OnboardingManifests, OnboardingObject } from './onboarding.js';
