/**
 * The node-agent role of the runner: ENA allowance counters (NODE-LINKLOCAL-ALLOWANCE,
 * NODE-CONNTRACK-ALLOWANCE) and a port-53 capture on a node that hosts CoreDNS.
 */
export { runNodeAgent } from './run-node-agent.js';
export type { NodeAgentOptions } from './run-node-agent.js';
export { runNodeAgentCli } from './node-agent-cli.js';
export type { NodeAgentCliIo } from './node-agent-cli.js';
export {
  parseEthtoolStats,
  enaCountersFrom,
  readInterfaceWithEthtool,
  listPhysicalInterfaces,
  readEnaStatsFile,
  enaStatsFileSchema,
  ENA_COUNTERS,
} from './ena-stats.js';
export type { InterfaceReading, EnaStatsFile } from './ena-stats.js';
export { NodeAgentError } from './errors.js';
