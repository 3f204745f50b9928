import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { buildClusterResult, findingsExitCode } from '../../../../lambdas/core/results/index.js';
import type { CheckResult, Severity, Status } from '../../../../lambdas/core/schema/index.js';
import type { FindingsExitCodeOptions } from '../../../../lambdas/core/results/index.js';

/** A check result with the status, severity and muting under test. */
function check(status: Status, severity: Severity, muted = false): CheckResult {
  return {
    ...makeResult('NET-SG-DNS-UDP', {
      status,
      evidence: status === 'ERROR' || status === 'SKIPPED' ? { reason: 'r' } : {},
    }),
    severity,
    muted,
    ...(muted ? { mutedReason: 'accepted risk' } : {}),
  };
}

const cluster = (...checks: CheckResult[]) =>
  buildClusterResult({ accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }, checks);

describe('findingsExitCode', () => {
  it.each<[string, CheckResult[], FindingsExitCodeOptions, 0 | 3]>([
    ['no --fail-on: findings never change the exit code', [check('FAIL', 'critical')], {}, 0],
    ['a FAIL at the threshold', [check('FAIL', 'medium')], { failOn: 'medium' }, 3],
    ['a FAIL above the threshold', [check('FAIL', 'critical')], { failOn: 'low' }, 3],
    ['a FAIL below the threshold', [check('FAIL', 'medium')], { failOn: 'high' }, 0],
    ['--fail-on info counts every FAIL', [check('FAIL', 'info')], { failOn: 'info' }, 3],
    ['a muted FAIL never counts', [check('FAIL', 'critical', true)], { failOn: 'info' }, 0],
    [
      'WARN and ERROR are not FAIL',
      [check('WARN', 'critical'), check('ERROR', 'critical')],
      { failOn: 'info' },
      0,
    ],
    [
      '--ignore-exit-code turns 3 into 0',
      [check('FAIL', 'critical')],
      { failOn: 'low', ignoreExitCode: true },
      0,
    ],
    [
      'one unmuted FAIL beside a muted one',
      [check('FAIL', 'high', true), check('FAIL', 'high')],
      { failOn: 'high' },
      3,
    ],
  ])('%s', (_name, checks, options, expected) => {
    expect(findingsExitCode(cluster(...checks), options)).toBe(expected);
  });

  it('judges a fleet: 3 when any cluster has a blocking FAIL', () => {
    const healthy = cluster(check('PASS', 'high'));
    const failing = cluster(check('FAIL', 'high'));
    expect(findingsExitCode([healthy], { failOn: 'high' })).toBe(0);
    expect(findingsExitCode([healthy, failing], { failOn: 'high' })).toBe(3);
    expect(findingsExitCode([], { failOn: 'info' })).toBe(0);
  });
});
