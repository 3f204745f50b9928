/** Dispatching the in-cluster runner: where its Jobs stand (pure readings of Job, pod and event objects). */
export { runnerJobStatus, runnerScanStatus } from './runner-job-status.js';
export type {
  RunnerJobPhase,
  RunnerJobRole,
  RunnerJobStatus,
  RunnerJobStatusInput,
  RunnerScanStatus,
} from './runner-job-status.js';
