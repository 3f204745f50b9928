import { describe, expect, it } from 'vitest';
import {
  fleetFindings,
  fleetStatusCounts,
  regressions,
  resolutions,
  worstClustersFirst,
} from '../../../../lambdas/core/report/index.js';
import { EXPECTED_COUNTS, fleetModel } from './report-fixtures.js';

describe('ReportModel derivations', () => {
  it('flattens one finding per cluster × check with the cluster identity, ARN and scan id', () => {
    const findings = fleetFindings(fleetModel());
    expect(findings).toHaveLength(EXPECTED_COUNTS.total);
    expect(findings[0]).toMatchObject({
      cluster: { id: '111122223333:eu-west-1:prod-a', accountId: '111122223333', region: 'eu-west-1' },
      clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      scanId: 'scan-2',
      check: { id: 'NET-SG-DNS-UDP', status: 'FAIL' },
    });
  });

  it('counts unmuted results by status and muted ones apart', () => {
    const { byStatus, muted, total } = fleetStatusCounts(fleetModel());
    const { muted: m, total: t, ...expected } = EXPECTED_COUNTS;
    expect({ byStatus, muted, total }).toEqual({ byStatus: expected, muted: m, total: t });
  });

  it('orders clusters worst first: most severe unmuted FAIL, then FAIL/ERROR/WARN counts', () => {
    expect(worstClustersFirst(fleetModel()).map((c) => c.cluster.name)).toEqual([
      'prod-a',
      'staging-b',
      'dev-c',
    ]);
  });

  it('lists as regressions the checks FAIL now and not FAIL before, nothing for new clusters or still-failing checks', () => {
    const found = regressions(fleetModel()).map((r) => [r.finding.cluster.name, r.finding.check.id, r.from]);
    expect(found).toEqual([
      ['prod-a', 'NET-SG-DNS-UDP', 'PASS'],
      ['staging-b', 'DNS-LATENCY', 'WARN'],
    ]);
  });

  it('lists as resolved the checks FAIL or WARN before that PASS now', () => {
    expect(resolutions(fleetModel()).map((r) => [r.finding.check.id, r.from])).toEqual([
      ['NET-SG-DNS-TCP', 'FAIL'],
    ]);
  });

  it('has no regressions and nothing resolved without a previous scan', () => {
    const model = fleetModel({ previous: false });
    expect(regressions(model)).toEqual([]);
    expect(resolutions(model)).toEqual([]);
  });
});
