import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  AwsCallError,
  AwsConfigurationError,
  RateLimiters,
  resolveRegions,
} from '../../../../lambdas/aws/index.js';
import { ec2Error, stubFakeAwsEnvironment } from '../support/fake-aws.js';

describe('resolveRegions', () => {
  const ec2 = mockClient(EC2Client);
  afterAll(() => {
    ec2.restore();
  });
  const limiter = () => new RateLimiters().forAccountRegion('111122223333', 'us-east-1');
  beforeEach(() => {
    stubFakeAwsEnvironment('us-east-1');
    ec2.reset();
  });
  afterEach(() => ec2.reset());

  it('lists the regions enabled for the account, sorted, through the limiter', async () => {
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        {
          RegionName: 'us-east-1',
          Endpoint: 'ec2.us-east-1.amazonaws.com',
          OptInStatus: 'opt-in-not-required',
        },
        { RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'opted-in' },
        {
          RegionName: 'eu-west-1',
          Endpoint: 'ec2.eu-west-1.amazonaws.com',
          OptInStatus: 'opt-in-not-required',
        },
        { RegionName: 'me-south-1', Endpoint: 'ec2.me-south-1.amazonaws.com', OptInStatus: 'not-opted-in' },
      ],
    });
    const l = limiter();
    await expect(
      resolveRegions({ mode: 'enabled' }, new EC2Client({ region: 'us-east-1' }), l),
    ).resolves.toEqual(['af-south-1', 'eu-west-1', 'us-east-1']);
    expect(ec2).toHaveReceivedCommandWith(DescribeRegionsCommand, { AllRegions: false });
    expect(l.stats().byCall).toEqual({ 'ec2:DescribeRegions': 1 });
  });

  it('takes an explicit list without calling EC2, rejecting names that are not regions', async () => {
    const client = new EC2Client({ region: 'us-east-1' });
    await expect(
      resolveRegions(
        { mode: 'list', regions: ['eu-west-1', 'eu-west-1', 'us-gov-west-1'] },
        client,
        limiter(),
      ),
    ).resolves.toEqual(['eu-west-1', 'us-gov-west-1']);
    await expect(
      resolveRegions({ mode: 'list', regions: ['europe'] }, client, limiter()),
    ).rejects.toBeInstanceOf(AwsConfigurationError);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('translates a denied DescribeRegions', async () => {
    ec2
      .on(DescribeRegionsCommand)
      .rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    await expect(
      resolveRegions({ mode: 'enabled' }, new EC2Client({ region: 'us-east-1' }), limiter()),
    ).rejects.toBeInstanceOf(AwsCallError);
  });
});
