/**
 * What a cluster costs in EC2 + EKS requests: the contract behind "fewest calls that stay
 * correct at any size". Counted on the mocks (what AWS would have received), not by our code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectRegion } from '../../../../lambdas/aws/index.js';
import {
  buildCluster,
  buildVpc,
  callsByOperation,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../support/fake-aws.js';
import type { FakeAws, FakeRegionWorld } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function worldWith(clusterNames: readonly string[], otherEnis = 0): FakeRegionWorld {
  const vpc = buildVpc({
    vpcId: 'vpc-one',
    octet: 30,
    accountId: ACCOUNT,
    region: REGION,
    clusters: clusterNames.map((name) => ({ name, nodes: 2 })),
    otherEnis,
  });
  return {
    accountId: ACCOUNT,
    region: REGION,
    vpcs: [vpc],
    clusters: clusterNames.map((name) => buildCluster({ name, accountId: ACCOUNT, region: REGION, vpc })),
  };
}

describe('requests per cluster', () => {
  let aws: FakeAws | undefined;
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => aws?.restore());

  async function countFor(world: FakeRegionWorld) {
    aws?.restore();
    aws = installFakeAws([world], { currentAccountId: ACCOUNT });
    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });
    expect(result.clusters).toHaveLength(world.clusters.length);
    return {
      ec2: aws.ec2.calls().length,
      eks: aws.eks.calls().length,
      ops: callsByOperation(aws.ec2, aws.eks),
    };
  }

  it('a cluster alone in its VPC costs 8 EC2 and 6 EKS requests', async () => {
    const { ec2, eks, ops } = await countFor(worldWith(['solo']));
    expect(ops).toEqual({
      DescribeVpcs: 1,
      DescribeVpcAttribute: 2,
      DescribeDhcpOptions: 1,
      DescribeSubnets: 1,
      DescribeSecurityGroups: 1,
      DescribeNetworkAcls: 1,
      DescribeNetworkInterfaces: 1,
      ListClusters: 1,
      DescribeCluster: 1,
      DescribeAddon: 2,
      DescribeAddonVersions: 2,
    });
    expect({ ec2, eks }).toEqual({ ec2: 8, eks: 6 });
  });

  it('two clusters in one VPC cost no more EC2 requests than one', async () => {
    const one = await countFor(worldWith(['first']));
    const two = await countFor(worldWith(['first', 'second']));
    expect(two.ec2).toBe(one.ec2);
    // The second cluster: DescribeCluster + DescribeAddon ×2; add-on versions are shared (same Kubernetes version).
    expect(two.eks - one.eks).toBe(3);
  });

  it('each further cluster in an already-collected VPC costs 0 EC2 and 3 EKS requests', async () => {
    const five = await countFor(worldWith(['c1', 'c2', 'c3', 'c4', 'c5']));
    const six = await countFor(worldWith(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']));
    expect(six.ec2 - five.ec2).toBe(0);
    expect(six.eks - five.eks).toBe(3);
  });

  it('grows with the number of ENIs only by pages (1000 per page)', async () => {
    const small = await countFor(worldWith(['solo'], 10)); // 12 ENIs: 1 page
    const large = await countFor(worldWith(['solo'], 2_500)); // 2,502 ENIs: 3 pages
    expect(large.ops.DescribeNetworkInterfaces).toBe(3);
    expect(large.ec2 - small.ec2).toBe(2);
    expect(large.eks).toBe(small.eks);
  });
});
