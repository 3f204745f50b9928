import { describe, expect, it } from 'vitest';
import { endpointAccessMode, toClusterRecord } from '../../../../lambdas/aws/index.js';
import { CLUSTER_ID_PATTERN } from '../../../../lambdas/core/schema/index.js';

describe('cluster records', () => {
  it.each([
    [{ endpointPublicAccess: true, endpointPrivateAccess: false }, 'public'],
    [{ endpointPublicAccess: false, endpointPrivateAccess: true }, 'private'],
    [{ endpointPublicAccess: true, endpointPrivateAccess: true }, 'public-and-private'],
    [{}, 'public'],
  ])('reads endpoint access %o as %s', (resourcesVpcConfig, mode) => {
    expect(endpointAccessMode({ resourcesVpcConfig })).toBe(mode);
  });

  it('carries the fleet identity, account name, ARN, version, endpoint mode and VPC', () => {
    const record = toClusterRecord({ id: '111122223333', name: 'prod' }, 'eu-west-1', {
      name: 'prod-a',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      version: '1.31',
      resourcesVpcConfig: { vpcId: 'vpc-1', endpointPublicAccess: false, endpointPrivateAccess: true },
    });
    expect(record).toEqual({
      id: '111122223333:eu-west-1:prod-a',
      accountId: '111122223333',
      accountName: 'prod',
      region: 'eu-west-1',
      name: 'prod-a',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      version: '1.31',
      endpointAccess: 'private',
      vpcId: 'vpc-1',
    });
    expect(record.id).toMatch(CLUSTER_ID_PATTERN);
  });
});
