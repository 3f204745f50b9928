import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import {
  buildFleetSummary,
  buildClusterResult,
  regressionsBetween,
  worstStatus,
} from '../../../../lambdas/core/results/index.js';
import { fleetSummarySchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult, Status } from '../../../../lambdas/core/schema/index.js';

const check = (id: Parameters<typeof makeResult>[0], status: Status, muted = false): CheckResult => ({
  ...makeResult(id, { status, evidence: status === 'ERROR' || status === 'SKIPPED' ? { reason: 'r' } : {} }),
  ...(muted ? { muted: true, mutedReason: 'accepted' } : {}),
});
const cluster = (name: string, checks: CheckResult[]) =>
  buildClusterResult({ accountId: '111122223333', region: 'eu-west-1', name }, checks);

describe('worstStatus', () => {
  it('FAIL > ERROR > WARN > PASS > SKIPPED over unmuted checks; PASS when none count', () => {
    expect(worstStatus([check('DNS-INTERNAL', 'PASS'), check('DNS-LATENCY', 'WARN')])).toBe('WARN');
    expect(worstStatus([check('DNS-INTERNAL', 'ERROR'), check('DNS-LATENCY', 'FAIL')])).toBe('FAIL');
    expect(worstStatus([check('DNS-INTERNAL', 'SKIPPED'), check('DNS-LATENCY', 'PASS')])).toBe('PASS');
    expect(worstStatus([check('DNS-INTERNAL', 'FAIL', true), check('DNS-LATENCY', 'WARN')])).toBe('WARN');
    expect(worstStatus([])).toBe('PASS');
  });
});

describe('regressionsBetween', () => {
  it('an unmuted check present and not FAIL before, FAIL now; not a new check, not a muted one, not FAIL→FAIL', () => {
    const before = cluster('a', [
      check('DNS-INTERNAL', 'PASS'),
      check('DNS-LATENCY', 'FAIL'),
      check('DNS-EXTERNAL', 'ERROR'),
    ]);
    const now = cluster('a', [
      check('DNS-INTERNAL', 'FAIL'),
      check('DNS-LATENCY', 'FAIL'),
      check('DNS-EXTERNAL', 'FAIL', true),
      check('DNS-CAPTURE', 'FAIL'),
    ]);
    expect(regressionsBetween(before, now)).toEqual([
      { clusterId: '111122223333:eu-west-1:a', checkId: 'DNS-INTERNAL', from: 'PASS', to: 'FAIL' },
    ]);
    expect(regressionsBetween(null, now)).toEqual([]);
  });
});

describe('buildFleetSummary', () => {
  it('counts unmuted checks by status, severity and check, causes by cluster, every enum key present', () => {
    const clusters = [
      cluster('a', [check('DNS-INTERNAL', 'PASS'), check('NET-SG-DNS-UDP', 'FAIL')]),
      cluster('b', [check('DNS-INTERNAL', 'PASS'), check('NET-SG-DNS-UDP', 'FAIL', true)]),
    ];
    const summary = buildFleetSummary({
      scan: { id: 's', startedAt: '2026-12-01T00:00:00Z' },
      clusters,
      gaps: [{ scope: 'account', accountId: '444455556666', reason: 'denied' }],
    });
    expect(fleetSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary.clusters).toBe(2);
    expect(summary.byStatus).toEqual({ PASS: 2, FAIL: 1, WARN: 0, ERROR: 0, SKIPPED: 0 });
    expect(summary.byCheck['NET-SG-DNS-UDP']).toMatchObject({ FAIL: 1 });
    expect(summary.bySeverity.info).toEqual({ PASS: 0, FAIL: 0, WARN: 0, ERROR: 0, SKIPPED: 0 });
    const items = clusters.flatMap((c) => c.diagnosis);
    expect(Object.values(summary.byCause).reduce((x, y) => x + y, 0)).toBe(items.length);
    expect(summary.byCause[items[0]!.cause]).toBeGreaterThan(0);
    expect(summary.coverage).toEqual({
      accounts: 1,
      regions: 1,
      clustersScanned: 2,
      gaps: [{ scope: 'account', accountId: '444455556666', reason: 'denied' }],
    });
  });
});
