import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterIdentityError,
  formatClusterArn,
  parseClusterArn,
  parseClusterReference,
  partitionOfRegion,
} from '../../../../lambdas/core/results/index.js';

describe('partitions and cluster ARNs', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s is in partition %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  it('builds the ARN in the partition of the region', () => {
    expect(formatClusterArn({ accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' })).toBe(
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
    );
    expect(formatClusterArn({ accountId: '111122223333', region: 'us-gov-east-1', name: 'x' })).toBe(
      'arn:aws-us-gov:eks:us-gov-east-1:111122223333:cluster/x',
    );
  });

  it('parses what it builds', () => {
    fc.assert(
      fc.property(
        fc.record({
          accountId: fc.stringMatching(/^[0-9]{12}$/),
          region: fc.constantFrom('eu-west-1', 'cn-north-1', 'us-gov-west-1', 'us-isob-east-1'),
          name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/),
        }),
        (parts) => {
          expect(parseClusterArn(formatClusterArn(parts))).toEqual({
            ...parts,
            partition: partitionOfRegion(parts.region),
          });
        },
      ),
    );
  });

  it.each([
    ['arn:aws:iam::111122223333:role/x', /expected arn:<partition>:eks:<region>:<accountId>:cluster\/<name>/],
    ['arn:aws:eks:eu-west-1:111122223333:nodegroup/x', /expected arn:<partition>:eks/],
    ['arn:aws:eks:eu-west-1:1111:cluster/x', /account id "1111" must be 12 digits/],
    ['arn:aws:eks:eu-west-1:111122223333:cluster/a/b', /cluster name "a\/b" must be/],
  ])('rejects %s', (arn, message) => {
    expect(() => parseClusterArn(arn)).toThrow(ClusterIdentityError);
    expect(() => parseClusterArn(arn)).toThrow(message);
  });

  it.each([
    ['prod-a', { name: 'prod-a' }],
    ['111122223333:eu-west-1:prod-a', { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }],
    [
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' },
    ],
  ])('reads the cluster reference %s', (text, expected) => {
    expect(parseClusterReference(text)).toEqual(expected);
  });

  it.each([
    ['', /cluster name "" must be/],
    ['prod a', /cluster name "prod a" must be/],
    ['111122223333:prod-a', /expected <accountId>:<region>:<clusterName>/],
  ])('rejects the cluster reference %j', (text, message) => {
    expect(() => parseClusterReference(text)).toThrow(message);
  });
});
