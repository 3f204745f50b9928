/**
 * Check statuses as EKS upgrade-insight statuses (checks.md § Gate): PASS→PASSING, WARN→WARNING,
 * FAIL→ERROR, ERROR/SKIPPED→UNKNOWN.
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_InsightStatus.html
 */
import type { Status } from '../schema/results.js';

export const UPGRADE_INSIGHT_STATUSES = ['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'] as const;
export type UpgradeInsightStatus = (typeof UPGRADE_INSIGHT_STATUSES)[number];

const MAPPING: Readonly<Record<Status, UpgradeInsightStatus>> = {
  PASS: 'PASSING',
  WARN: 'WARNING',
  FAIL: 'ERROR',
  ERROR: 'UNKNOWN',
  SKIPPED: 'UNKNOWN',
};

/**
 * The EKS upgrade-insight status of a check status. A check that could not run (ERROR) or does not
 * apply (SKIPPED) says nothing about the upgrade: UNKNOWN, never PASSING.
 *
 * @example upgradeInsightStatus('FAIL') // 'ERROR'
 */
export function upgradeInsightStatus(status: Status): UpgradeInsightStatus {
  const mapped = MAPPING[status];
  if (mapped === undefined) throw new TypeError(`not a check status: ${JSON.stringify(status)}`);
  return mapped;
}
