import { EKSClient } from '@aws-sdk/client-eks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsCallError,
  ClusterNotFoundError,
  describeCluster,
  listClusterNames,
  RateLimiters,
} from '../../../../lambdas/aws/index.js';
import {
  buildCluster,
  buildVpc,
  eksThrottled,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../support/fake-aws.js';
import type { FakeAws, FakeFault } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const names = Array.from({ length: 7 }, (_, i) => `c${i}`);

describe('EKS discovery', () => {
  let aws: FakeAws;
  const install = (faults: FakeFault[] = []) => {
    const vpc = buildVpc({
      vpcId: 'vpc-d',
      octet: 60,
      accountId: ACCOUNT,
      region: REGION,
      clusters: names.map((name) => ({ name, nodes: 0 })),
    });
    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: names.map((name) => buildCluster({ name, accountId: ACCOUNT, region: REGION, vpc })),
        },
      ],
      { currentAccountId: ACCOUNT, pageCap: 3, faults },
    );
  };
  const limiter = () => new RateLimiters().forAccountRegion(ACCOUNT, REGION);
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => aws.restore());

  it('follows nextToken through every page of ListClusters', async () => {
    install();
    const l = limiter();
    await expect(listClusterNames(new EKSClient({ region: REGION }), l)).resolves.toEqual(names);
    expect(l.stats().byCall['eks:ListClusters']).toBe(3); // 3 + 3 + 1
  });

  it('says which cluster does not exist, where', async () => {
    install();
    const failure = await describeCluster(new EKSClient({ region: REGION }), limiter(), 'ghost').catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ClusterNotFoundError);
    expect((failure as Error).message).toBe(
      'EKS cluster "ghost" not found in account 111122223333, region eu-west-1',
    );
  });

  it('reports a throttled DescribeCluster as an AwsCallError', async () => {
    install([{ operation: 'DescribeCluster', error: eksThrottled }]);
    await expect(describeCluster(new EKSClient({ region: REGION }), limiter(), 'c1')).rejects.toBeInstanceOf(
      AwsCallError,
    );
  });
});
