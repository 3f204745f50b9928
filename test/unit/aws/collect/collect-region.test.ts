import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import { collectRegion, RateLimiters } from '../../../../lambdas/aws/index.js';
import {
  buildCluster,
  buildVpc,
  callsByOperation,
  ec2Throttled,
  ec2Unauthorized,
  eksThrottled,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../support/fake-aws.js';
import type { FakeAws, FakeFault, FakeRegionWorld } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/** Two clusters share vpc-shared; a third has vpc-alone to itself. */
function world(): FakeRegionWorld {
  const shared = buildVpc({
    vpcId: 'vpc-shared',
    octet: 10,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [
      { name: 'prod-a', nodes: 3 },
      { name: 'prod-b', nodes: 2 },
    ],
    otherEnis: 20,
    prefixListIds: ['pl-0corp'],
  });
  const alone = buildVpc({
    vpcId: 'vpc-alone',
    octet: 20,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'batch', nodes: 2 }],
  });
  return {
    accountId: ACCOUNT,
    region: REGION,
    vpcs: [shared, alone],
    clusters: [
      buildCluster({ name: 'prod-a', accountId: ACCOUNT, region: REGION, vpc: shared }),
      buildCluster({
        name: 'prod-b',
        accountId: ACCOUNT,
        region: REGION,
        vpc: shared,
        addons: ['kube-proxy'],
      }),
      buildCluster({ name: 'batch', accountId: ACCOUNT, region: REGION, vpc: alone }),
    ],
    prefixLists: {
      'pl-0corp': [{ Cidr: '192.168.0.0/16', Description: 'office' }, { Cidr: '172.31.0.0/16' }],
    },
  };
}

describe('collectRegion', () => {
  let aws: FakeAws;
  const install = (w: FakeRegionWorld[], faults: FakeFault[] = [], pageCap?: number) => {
    aws = installFakeAws(w, { currentAccountId: ACCOUNT, faults, ...(pageCap ? { pageCap } : {}) });
  };
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => aws?.restore());

  it('collects one snapshot per cluster, with the VPC data of each cluster’s own VPC', async () => {
    install([world()], [], 2);

    const result = await collectRegion(
      { account: { id: ACCOUNT, name: 'prod' }, region: REGION },
      { kubernetes: false },
    );

    expect(result.gaps).toEqual([]);
    expect(result.clusters.map((c) => c.record.id)).toEqual([
      `${ACCOUNT}:${REGION}:batch`,
      `${ACCOUNT}:${REGION}:prod-a`,
      `${ACCOUNT}:${REGION}:prod-b`,
    ]);
    const prodA = result.clusters.find((c) => c.record.name === 'prod-a');
    expect(prodA?.record).toMatchObject({
      accountId: ACCOUNT,
      accountName: 'prod',
      region: REGION,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod-a`,
      version: '1.31',
      endpointAccess: 'public-and-private',
      vpcId: 'vpc-shared',
    });
    const snap = prodA?.snapshot;
    // @2: the Resolver data was read (the fake's VPCs have nothing associated).
    expect(snap?.format).toBe('fleet-dns/network-snapshot@2');
    expect(snap?.resolver).toEqual(
      expect.objectContaining({ ruleAssociations: [], firewallRuleGroupAssociations: [] }),
    );
    expect(snap?.vpc.VpcId).toBe('vpc-shared');
    expect(snap?.vpcAttributes).toEqual({ enableDnsSupport: true, enableDnsHostnames: true });
    expect(snap?.subnets.map((s) => s.SubnetId)).toEqual([
      'subnet-shareda',
      'subnet-sharedb',
      'subnet-sharedc',
    ]);
    // 5 node ENIs + 20 other workloads, read in pages of 2: all there.
    expect(snap?.networkInterfaces).toHaveLength(25);
    expect(snap?.prefixLists).toEqual([
      {
        PrefixListId: 'pl-0corp',
        Entries: [{ Cidr: '192.168.0.0/16', Description: 'office' }, { Cidr: '172.31.0.0/16' }],
      },
    ]);
    expect(snap?.addons?.map((a) => a.addonName)).toEqual(['coredns', 'kube-proxy']);
    expect(snap?.addonVersions?.map((a) => a.addonName)).toEqual(['coredns', 'kube-proxy']);
    expect(snap?.kubernetes).toBeUndefined();
    expect(snap?.collectionErrors).toEqual([]);
    // Dates from the SDK are the ISO strings a saved file holds.
    expect(snap?.cluster.createdAt).toBe('2025-01-10T08:00:00.000Z');
    // The other VPC's data never leaks into this cluster's snapshot.
    const batch = result.clusters.find((c) => c.record.name === 'batch')?.snapshot;
    expect(batch?.networkInterfaces.every((e) => e.VpcId === 'vpc-alone')).toBe(true);
  });

  it('records a self-managed add-on as absent, not as a failure', async () => {
    install([world()]);
    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });
    const prodB = result.clusters.find((c) => c.record.name === 'prod-b')?.snapshot;
    expect(prodB?.addons?.map((a) => a.addonName)).toEqual(['kube-proxy']);
    expect(prodB?.collectionErrors).toEqual([]);
  });

  it('describes a shared VPC once and shares it between its clusters', async () => {
    install([world()]);
    await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });

    expect(aws.ec2).toHaveReceivedCommandTimes(
      (await import('@aws-sdk/client-ec2')).DescribeNetworkInterfacesCommand,
      2, // vpc-shared once, vpc-alone once — not once per cluster
    );
    const ops = callsByOperation(aws.ec2);
    expect(ops).toMatchObject({
      DescribeVpcs: 2,
      DescribeVpcAttribute: 4,
      DescribeSubnets: 2,
      DescribeSecurityGroups: 2,
      DescribeNetworkAcls: 2,
    });
    // Only the referenced prefix list, once.
    expect(ops.GetManagedPrefixListEntries).toBe(1);
  });

  it('filters every VPC-wide Describe call by vpc-id', async () => {
    install([world()]);
    await collectRegion(
      { account: { id: ACCOUNT }, region: REGION, clusterNames: ['batch'] },
      { kubernetes: false },
    );
    const {
      DescribeSubnetsCommand,
      DescribeSecurityGroupsCommand,
      DescribeNetworkAclsCommand,
      DescribeNetworkInterfacesCommand,
    } = await import('@aws-sdk/client-ec2');
    for (const command of [
      DescribeSubnetsCommand,
      DescribeSecurityGroupsCommand,
      DescribeNetworkAclsCommand,
      DescribeNetworkInterfacesCommand,
    ]) {
      expect(aws.ec2).toHaveReceivedCommandWith(command, {
        Filters: [{ Name: 'vpc-id', Values: ['vpc-alone'] }],
      });
    }
  });

  it('turns a throttled call into ERROR inputs of the checks it feeds, for the clusters of that VPC only', async () => {
    install(
      [world()],
      [
        {
          operation: 'DescribeNetworkAcls',
          when: (i) => JSON.stringify(i).includes('vpc-shared'),
          error: ec2Throttled,
        },
      ],
    );

    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });

    expect(result.gaps).toEqual([]);
    for (const name of ['prod-a', 'prod-b']) {
      const snap = result.clusters.find((c) => c.record.name === name)?.snapshot;
      expect(snap?.collectionErrors).toEqual([
        {
          call: 'ec2:DescribeNetworkAcls',
          code: 'RequestLimitExceeded',
          message: 'Request limit exceeded. (vpc-shared)',
          checks: ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP', 'NET-UPSTREAM-REACH'],
        },
      ]);
      expect(snap?.subnets.length).toBeGreaterThan(0);
    }
    expect(result.clusters.find((c) => c.record.name === 'batch')?.snapshot.collectionErrors).toEqual([]);
  });

  it('turns a denied call into a collection error naming the code', async () => {
    install([world()], [{ operation: 'DescribeNetworkAcls', error: ec2Unauthorized }]);
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION, clusterNames: ['batch'] },
      { kubernetes: false },
    );
    expect(result.clusters[0]?.snapshot.collectionErrors[0]).toMatchObject({
      call: 'ec2:DescribeNetworkAcls',
      code: 'UnauthorizedOperation',
    });
    expect(result.clusters[0]?.snapshot.networkAcls).toEqual([]);
  });

  it('makes a cluster whose DescribeCluster is throttled a coverage gap and collects the others', async () => {
    install(
      [world()],
      [{ operation: 'DescribeCluster', when: (i) => i.name === 'prod-b', error: eksThrottled }],
    );

    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });

    expect(result.clusters.map((c) => c.record.name)).toEqual(['batch', 'prod-a']);
    expect(result.gaps).toEqual([
      {
        scope: 'cluster',
        accountId: ACCOUNT,
        region: REGION,
        clusterId: `${ACCOUNT}:${REGION}:prod-b`,
        reason: 'eks:DescribeCluster: ThrottlingException: Rate exceeded',
      },
    ]);
  });

  it('makes a region whose clusters cannot be listed a coverage gap', async () => {
    install([world()], [{ operation: 'ListClusters', error: eksThrottled }]);
    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION }, { kubernetes: false });
    expect(result.clusters).toEqual([]);
    expect(result.gaps).toEqual([
      {
        scope: 'region',
        accountId: ACCOUNT,
        region: REGION,
        reason: 'eks:ListClusters: ThrottlingException: Rate exceeded',
      },
    ]);
  });

  it('returns nothing (and calls no EC2) for a region without clusters', async () => {
    install([world()]);
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: 'ap-southeast-2' },
      { kubernetes: false },
    );
    expect(result).toMatchObject({
      clusters: [],
      gaps: [],
      calls: { total: 1, byCall: { 'eks:ListClusters': 1 } },
    });
    expect(aws.ec2.calls()).toHaveLength(0);
  });

  it('reads every page of ListClusters', async () => {
    install([world()], [], 1);
    // One item per page costs many requests: a generous budget keeps the test fast.
    const limiters = new RateLimiters({ burstCapacity: 10_000, refillPerSecond: 10_000, share: 1 });
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION },
      { kubernetes: false, limiters },
    );
    expect(result.clusters).toHaveLength(3);
    expect(result.calls.byCall['eks:ListClusters']).toBe(3);
  });

  it('counts every request against the account×region limiter', async () => {
    install([world()]);
    const limiters = new RateLimiters();
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION },
      { kubernetes: false, limiters },
    );
    expect(result.calls.total).toBe(
      aws.ec2.calls().length + aws.eks.calls().length + aws.route53resolver.calls().length,
    );
    // Two Resolver requests per VPC with nothing associated, under the same limiter.
    expect(aws.route53resolver.calls().length).toBeGreaterThanOrEqual(2);
    expect(limiters.stats()[`${ACCOUNT}/${REGION}`]?.total).toBe(result.calls.total);
  });
});
