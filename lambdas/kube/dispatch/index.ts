/** Dispatching the in-cluster runner: creating its objects, where its Jobs stand, sweeping leftovers. */
export { dispatchRunner, labelSelectorOf, RunnerDispatchError, scanSelector } from './dispatch-runner.js';
export type { CoreDnsPodPlacement, DispatchedRunner, DispatchRunnerInput } from './dispatch-runner.js';
export { runnerJobStatus, runnerScanStatus } from './runner-job-status.js';
export type {
  RunnerJobPhase,
  RunnerJobRole,
  RunnerJobStatus,
  RunnerJobStatusInput,
  RunnerScanStatus,
} from './runner-job-status.js';
export { sweepRunnerObjects } from './sweep-runner-objects.js';
export type { SweepRunnerObjectsInput, SweptRunnerObjects } from './sweep-runner-objects.js';
export { readScanResultKey } from './read-scan-result-key.js';
export type { ReadScanResultKeyInput } from './read-scan-result-key.js';
