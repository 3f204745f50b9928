import { describe, expect, it } from 'vitest';
import { buildClusterResult, buildFleetReport } from '../../../../lambdas/core/results/index.js';
import { fleetReportSchema } from '../../../../lambdas/core/schema/index.js';

const started = { id: 'scan-1', startedAt: '2026-01-01T00:00:00Z' };
const finished = { ...started, finishedAt: '2026-01-01T00:05:00Z' };
const result = (accountId: string, region: string, name: string) =>
  buildClusterResult({ accountId, region, name }, [], { scan: started });

describe('buildFleetReport', () => {
  it('counts accounts and account×regions, stamps the finished scan on every cluster, keeps the gaps', () => {
    const gap = { scope: 'account' as const, accountId: '999999999999', reason: 'AccessDenied' };
    const report = buildFleetReport({
      scan: finished,
      clusters: [
        result('111122223333', 'eu-west-1', 'a'),
        result('111122223333', 'eu-west-1', 'b'),
        result('111122223333', 'us-east-1', 'c'),
        result('444455556666', 'eu-west-1', 'd'),
      ],
      gaps: [gap],
    });
    expect(report.coverage).toEqual({ accounts: 2, regions: 3, clustersScanned: 4, gaps: [gap] });
    expect(report.clusters.map((c) => c.scan)).toEqual([finished, finished, finished, finished]);
    expect(report.scan).toEqual(finished);
    expect(fleetReportSchema.safeParse(report).success).toBe(true);
  });

  it('reports an empty fleet with no gaps', () => {
    expect(buildFleetReport({ scan: finished, clusters: [] }).coverage).toEqual({
      accounts: 0,
      regions: 0,
      clustersScanned: 0,
      gaps: [],
    });
  });
});
