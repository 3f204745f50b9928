/** The probe role (client pod): runProbe and the pieces the lab and tests drive directly. */
export { runProbe } from './run-probe.js';
export type { RunProbeOptions } from './run-probe.js';
export { discover } from './discovery.js';
export type { Discovery, DiscoveredEndpoint, Read } from './discovery.js';
export { DEFAULT_PROBE_SETTINGS } from './context.js';
export type { ProbeSettings, ProbeTarget } from './context.js';
export { evaluateResolvConf } from './checks/resolv-conf.js';
export { readNodeLocalCorefile } from './checks/nodelocal.js';
export { KUBE_CHECK_IDS } from './kube-checks.js';
export type { RunKubeChecks } from './kube-checks.js';
export { waitForNodeAgents, DEFAULT_NODE_AGENTS_TIMEOUT_MS } from './node-agents.js';
export type { WaitClock, WaitForNodeAgentsOptions } from './node-agents.js';
export { ProbeError } from './errors.js';
