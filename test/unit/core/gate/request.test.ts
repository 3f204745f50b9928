import { describe, expect, it } from 'vitest';
import {
  GateInputError,
  parseTargetVersion,
  UPGRADE_INSIGHT_STATUSES,
  upgradeInsightStatus,
  validateGateRequest,
} from '../../../../lambdas/core/gate/index.js';
import { ClusterIdentityError } from '../../../../lambdas/core/results/index.js';
import { STATUSES } from '../../../../lambdas/core/schema/index.js';
import type { Status } from '../../../../lambdas/core/schema/index.js';

describe('validateGateRequest', () => {
  it('accepts a well-formed cluster id and normalizes the target version', () => {
    expect(
      validateGateRequest({ clusterId: '111122223333:eu-west-1:prod-a', targetVersion: 'v1.33' }),
    ).toEqual({
      clusterId: '111122223333:eu-west-1:prod-a',
      cluster: { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' },
      targetVersion: '1.33',
    });
    expect(validateGateRequest({ clusterId: '111122223333:eu-west-1:prod-a' })).not.toHaveProperty(
      'targetVersion',
    );
  });

  it.each([
    ['prod-a', 'expected <accountId>:<region>:<clusterName>'],
    ['11112222333:eu-west-1:prod-a', 'account id "11112222333" must be 12 digits'],
    ['111122223333:EU-WEST-1:prod-a', 'region "EU-WEST-1" must be a region code'],
    ['111122223333:eu-west-1:-prod', 'cluster name "-prod" must be 1-100 letters'],
  ])(
    'refuses the cluster id %j with the cluster-id parser’s message (field clusterId)',
    (clusterId, message) => {
      let error: unknown;
      try {
        validateGateRequest({ clusterId });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(GateInputError);
      expect((error as GateInputError).field).toBe('clusterId');
      expect((error as GateInputError).message).toContain(message);
      expect((error as GateInputError).cause).toBeInstanceOf(ClusterIdentityError);
    },
  );

  it('refuses a malformed targetVersion for a well-formed cluster (field targetVersion)', () => {
    expect(() =>
      validateGateRequest({ clusterId: '111122223333:eu-west-1:prod-a', targetVersion: '1.33.1' }),
    ).toThrow(expect.objectContaining({ field: 'targetVersion', input: '1.33.1' }));
  });

  it('parseTargetVersion', () => {
    expect(parseTargetVersion('1.33')).toBe('1.33');
    expect(parseTargetVersion(' v1.09 ')).toBe('1.9');
    expect(() => parseTargetVersion('1.33.0')).toThrow(GateInputError);
  });
});

describe('upgradeInsightStatus (checks.md § Gate)', () => {
  it.each<[Status, string]>([
    ['PASS', 'PASSING'],
    ['WARN', 'WARNING'],
    ['FAIL', 'ERROR'],
    ['ERROR', 'UNKNOWN'],
    ['SKIPPED', 'UNKNOWN'],
  ])('%s → %s', (status, insight) => {
    expect(upgradeInsightStatus(status)).toBe(insight);
  });

  it('covers every status, and maps only to EKS insight statuses', () => {
    for (const s of STATUSES) expect(UPGRADE_INSIGHT_STATUSES).toContain(upgradeInsightStatus(s));
    expect(() => upgradeInsightStatus('MUTED' as Status)).toThrow(TypeError);
  });
});
