/**
 * One scan's runner as a whole: dispatch with its key, wait, collect with its key — the steps
 * the state machine's Lambdas take one by one, and `runRunnerScan` takes in one process.
 */
export { collectScan } from './collect-scan.js';
export type { CollectedScan, CollectScanInput } from './collect-scan.js';
export { readCoreDnsPlacement } from './coredns-placement.js';
export { dispatchScan } from './dispatch-scan.js';
export type { DispatchedScan, DispatchScanInput } from './dispatch-scan.js';
export { runRunnerScan } from './run-runner-scan.js';
export type { RunnerScan, RunRunnerScanInput } from './run-runner-scan.js';
export { waitForRunner } from './wait-for-runner.js';
export type { RunnerWait, WaitForRunnerInput } from './wait-for-runner.js';
