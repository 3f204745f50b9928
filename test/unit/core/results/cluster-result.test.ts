import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import {
  buildClusterResult,
  ClusterIdentityError,
  ResultsError,
} from '../../../../lambdas/core/results/index.js';
import { clusterResultSchema } from '../../../../lambdas/core/schema/index.js';

const failingUdp = makeResult('NET-SG-DNS-UDP', { status: 'FAIL', evidence: { summary: 'blocked' } });
const identity = { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' };

describe('buildClusterResult', () => {
  it('names the cluster by id and ARN and diagnoses its checks', () => {
    const result = buildClusterResult(identity, [failingUdp]);
    expect(result.cluster).toEqual({
      id: '111122223333:eu-west-1:prod-a',
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod-a',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
    });
    expect(result.checks).toEqual([failingUdp]);
    expect(result.diagnosis).toEqual(diagnose([failingUdp]));
    expect(result.diagnosis[0]).toMatchObject({ cause: 'network-path' });
    expect(result).not.toHaveProperty('scan');
    expect(clusterResultSchema.safeParse(result).success).toBe(true);
  });

  it("keeps AWS's ARN, the account name, the version and the scan when given", () => {
    const scan = { id: 'scan-1', startedAt: '2026-01-01T00:00:00Z' };
    const result = buildClusterResult(
      {
        ...identity,
        accountName: 'prod',
        arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
        version: '1.31',
      },
      [],
      { scan },
    );
    expect(result.cluster).toMatchObject({ accountName: 'prod', version: '1.31' });
    expect(result.scan).toEqual(scan);
    expect(result.diagnosis[0]?.cause).toBe('healthy');
  });

  it('builds the ARN in the partition of the region', () => {
    expect(buildClusterResult({ ...identity, region: 'cn-north-1' }, []).cluster.arn).toBe(
      'arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod-a',
    );
  });

  it('refuses a malformed identity, naming the part', () => {
    expect(() => buildClusterResult({ ...identity, name: 'prod a' }, [])).toThrow(ClusterIdentityError);
    expect(() => buildClusterResult({ ...identity, accountId: '42' }, [])).toThrow(/account id "42"/);
  });

  it('refuses checks that break the result schema (an ERROR must say why)', () => {
    const unexplained = makeResult('NET-SG-DNS-TCP', { status: 'ERROR', evidence: {} });
    expect(() => buildClusterResult(identity, [unexplained])).toThrow(ResultsError);
    expect(() => buildClusterResult(identity, [unexplained])).toThrow(/evidence\.reason/);
  });
});
