/**
 * The exit code findings give a run (conventions.md, "Exit codes"): 0 whatever was found, 3 only
 * when asked with `--fail-on SEVERITY` and an unmuted FAIL is at or above it; `--ignore-exit-code`
 * turns 3 into 0. The seed of the upgrade gate's decision.
 */
import { SEVERITIES } from '../schema/index.js';
import type { CheckResult, ClusterResult, Severity } from '../schema/index.js';

/** Options of {@link findingsExitCode}, as the flags of the same names. */
export interface FindingsExitCodeOptions {
  /** @default undefined: findings never change the exit code */
  readonly failOn?: Severity;
  /** @default false */
  readonly ignoreExitCode?: boolean;
}

/** True when `severity` is `threshold` or more severe. */
export function isAtOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** The unmuted FAIL results at or above `threshold` (a muted result never counts). */
export function blockingFailures(results: readonly ClusterResult[], threshold: Severity): CheckResult[] {
  return results.flatMap((r) =>
    r.checks.filter((c) => !c.muted && c.status === 'FAIL' && isAtOrAbove(c.severity, threshold)),
  );
}

/**
 * 3 when `failOn` is set, `ignoreExitCode` is not, and any of `results` has an unmuted FAIL at or
 * above `failOn`; else 0.
 *
 * @example findingsExitCode([result], { failOn: 'high' }) // 3 when an unmuted high or critical FAIL
 */
export function findingsExitCode(
  results: ClusterResult | readonly ClusterResult[],
  options: FindingsExitCodeOptions = {},
): 0 | 3 {
  const { failOn, ignoreExitCode = false } = options;
  if (failOn === undefined || ignoreExitCode) return 0;
  const all: readonly ClusterResult[] = Array.isArray(results) ? results : [results as ClusterResult];
  return blockingFailures(all, failOn).length > 0 ? 3 : 0;
}
