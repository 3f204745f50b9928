/** Collecting the in-cluster runner's results: verified results and failure reasons from its pods' logs. */
export { runnerResultsFromLogs } from './runner-results-from-logs.js';
export type {
  NodeAgentPodLog,
  RunnerPodLog,
  RunnerResultsFromLogs,
  RunnerResultsFromLogsInput,
} from './runner-results-from-logs.js';
