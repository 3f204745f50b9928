/**
 * The upgrade gate (checks.md § Gate): `decideGate` from a cluster's newest result to
 * pass / fail / unknown with reasons, the request validation the API and CLI share, and the EKS
 * upgrade-insight status of a check status. Pure: the caller reads the store and the clock.
 */
export { ADDON_CHECK_ID, decideGate, DEFAULT_FRESHNESS_HOURS, DEFAULT_GATE_SEVERITY } from './decide-gate.js';
export type { DecideGateInput } from './decide-gate.js';
export { parseTargetVersion, validateGateRequest } from './request.js';
export type { GateRequest } from './request.js';
export { UPGRADE_INSIGHT_STATUSES, upgradeInsightStatus } from './upgrade-insight.js';
export type { UpgradeInsightStatus } from './upgrade-insight.js';
export { GateError, GateInputError } from './errors.js';
export type { GateInputField } from './errors.js';
