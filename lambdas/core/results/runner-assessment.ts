/**
 * The collector's view of a cluster's in-cluster side: the probe's and the node agents' runner
 * results combined into check results, and the diagnosis of those checks — what the lab, the
 * collector and the demo show for one cluster.
 */
import { diagnose } from '../diagnosis/index.js';
import { combineRunnerResults } from '../runner-results/index.js';
import type { RunnerFailures } from '../runner-results/index.js';
import type { CheckResult, DiagnosisItem, RunnerResult } from '../schema/index.js';

/** A cluster's in-cluster check results and their diagnosis. */
export interface RunnerAssessment {
  readonly checks: CheckResult[];
  readonly diagnosis: DiagnosisItem[];
}

/**
 * Combines the probe's and the node agents' results (DNS-CAPTURE correlated, NODE-* merged) and
 * diagnoses them; roles without a usable result are ERRORs with the reason (`failures`).
 */
export function assessRunnerResults(
  probe: RunnerResult | undefined,
  nodes: readonly RunnerResult[],
  failures: RunnerFailures = {},
): RunnerAssessment {
  const checks = combineRunnerResults(probe, nodes, failures);
  return { checks, diagnosis: diagnose(checks) };
}
