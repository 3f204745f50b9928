/** Collecting the in-cluster runner's results: verified results and failure reasons from its pods' logs. */
export { collectRunner, deleteRunnerObjects, runnerStatus } from './collect-runner.js';
export type { CollectedRunner, CollectRunnerInput } from './collect-runner.js';
export { NODE_AGENT_STOP_MARGIN_MS } from './read-runner-pod-log.js';
export { runnerResultsFromLogs } from './runner-results-from-logs.js';
export type {
  NodeAgentPodLog,
  RunnerPodLog,
  RunnerResultsFromLogs,
  RunnerResultsFromLogsInput,
} from './runner-results-from-logs.js';
