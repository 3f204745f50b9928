/**
 * The netns DNS lab: build a scenario's topology, run commands in it, tear it down.
 * @see ../../test/lab/README.md
 */
export { startLab, labNamespacesOnMachine } from './lab.js';
export { LAB_ADDRESSES } from './topology.js';
export { LAB_SCANNER_USER } from './lab.js';
export type { Lab, StartLabOptions } from './lab.js';
export type { LabNode, LabPod } from './topology.js';
export { sweepStaleLabs } from './names.js';
export { run, splitShellWords } from './exec.js';
export type { CommandResult, LabProcess, RunOptions } from './exec.js';
export { kubeProxyRules } from './kube-proxy.js';
export { assembleKubeObjects, servicesOf } from './kube-objects.js';
export type { ServiceView } from './kube-objects.js';
export { LabError, LabCommandError, LabScenarioError } from './errors.js';
export { runScenario, requestVerb, leftoverObjects, LAB_RUNNER_IMAGE } from './run-scenario.js';
export type { ApiRequestCounts, RunScenarioOptions, ScanApiRequests, ScenarioRun } from './run-scenario.js';
export { runByHand, maxInAnySecond } from './run-by-hand.js';
export type { ByHandRun, RunByHandOptions } from './run-by-hand.js';
export { startRunnerJobs, tamperFrames } from './runner-jobs.js';
export type { RanContainer, RunnerJobs, RunnerJobsOptions } from './runner-jobs.js';
export { judgeScenario } from './judge.js';
export type { ExpectationVerdict, ScenarioJudgement } from './judge.js';
