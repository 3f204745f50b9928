import {
  DescribeDhcpOptionsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  collectVpcNetwork,
  PromiseCache,
  RateLimiters,
  referencedPrefixListIds,
  sharedVpcNetwork,
} from '../../../../lambdas/aws/index.js';
import type { PrefixListResult, VpcNetwork } from '../../../../lambdas/aws/index.js';
import { buildVpc, ec2Throttled, installFakeAws, stubFakeAwsEnvironment } from '../support/fake-aws.js';
import type { FakeAws, FakeFault, FakeRegionWorld } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function world(vpcOptions: Partial<Parameters<typeof buildVpc>[0]> = {}): FakeRegionWorld {
  const vpc = buildVpc({
    vpcId: 'vpc-net',
    octet: 40,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'c', nodes: 2 }],
    prefixListIds: ['pl-0a', 'pl-0b'],
    ...vpcOptions,
  });
  return {
    accountId: ACCOUNT,
    region: REGION,
    vpcs: [vpc],
    clusters: [],
    prefixLists: {
      'pl-0a': [{ Cidr: '192.0.2.0/24' }],
      'pl-0b': Array.from({ length: 150 }, (_, i) => ({
        Cidr: `198.51.${Math.floor(i / 100)}.${i % 100}/32`,
      })),
      'pl-0unused': [{ Cidr: '203.0.113.0/24' }],
    },
  };
}

describe('collectVpcNetwork', () => {
  let aws: FakeAws;
  const input = () => ({
    ec2: new EC2Client({ region: REGION }),
    limiter: new RateLimiters().forAccountRegion(ACCOUNT, REGION),
    vpcId: 'vpc-net',
    prefixListCache: new PromiseCache<PrefixListResult>(),
  });
  const install = (w: FakeRegionWorld, faults: FakeFault[] = []) => {
    aws = installFakeAws([w], { currentAccountId: ACCOUNT, faults });
  };
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => aws.restore());

  it('reads only the prefix lists the rules reference, every page of them', async () => {
    install(world());
    const network = await collectVpcNetwork(input());
    expect(network.prefixLists.map((p) => [p.PrefixListId, p.Entries.length])).toEqual([
      ['pl-0a', 1],
      ['pl-0b', 150],
    ]);
    expect(aws.ec2).toHaveReceivedCommandTimes(GetManagedPrefixListEntriesCommand, 3); // pl-0a: 1 page, pl-0b: 2 pages
    expect(aws.ec2).not.toHaveReceivedCommandWith(GetManagedPrefixListEntriesCommand, {
      PrefixListId: 'pl-0unused',
    });
  });

  it('reads the DHCP options set the VPC names, and none for "default"', async () => {
    install(world({ dhcpServers: ['10.40.0.53', '10.40.1.53'] }));
    const withSet = await collectVpcNetwork(input());
    expect(
      withSet.dhcpOptions?.DhcpConfigurations?.find((c) => c.Key === 'domain-name-servers')?.Values,
    ).toEqual([{ Value: '10.40.0.53' }, { Value: '10.40.1.53' }]);
    aws.restore();

    const w = world();
    const vpc = w.vpcs[0];
    if (!vpc) throw new Error('no vpc');
    w.vpcs[0] = { ...vpc, vpc: { ...vpc.vpc, DhcpOptionsId: 'default' } };
    install(w);
    const without = await collectVpcNetwork(input());
    expect(without.dhcpOptions).toBeUndefined();
    expect(without.errors).toEqual([]);
    expect(aws.ec2).not.toHaveReceivedCommand(DescribeDhcpOptionsCommand);
  });

  it('keeps going when one call fails, recording which checks lose their input', async () => {
    install(world(), [
      {
        operation: 'GetManagedPrefixListEntries',
        when: (i) => i.PrefixListId === 'pl-0b',
        error: ec2Throttled,
      },
      {
        operation: 'DescribeVpcAttribute',
        when: (i) => i.Attribute === 'enableDnsHostnames',
        error: ec2Throttled,
      },
    ]);
    const network = await collectVpcNetwork(input());
    expect(network.prefixLists.map((p) => p.PrefixListId)).toEqual(['pl-0a']);
    expect(network.vpcAttributes).toEqual({ enableDnsSupport: true });
    expect(network.errors).toEqual([
      {
        call: 'ec2:DescribeVpcAttribute',
        code: 'RequestLimitExceeded',
        message: 'Request limit exceeded. (vpc-net enableDnsHostnames)',
        checks: ['NET-VPC-DNS-ATTRIBUTES'],
      },
      {
        call: 'ec2:GetManagedPrefixListEntries',
        code: 'RequestLimitExceeded',
        message: 'Request limit exceeded. (pl-0b)',
        checks: ['NET-SG-DNS-UDP', 'NET-SG-DNS-TCP', 'NET-UPSTREAM-REACH'],
      },
    ]);
    expect(network.networkInterfaces).toHaveLength(2);
  });

  it('names a VPC that no longer exists', async () => {
    install({ accountId: ACCOUNT, region: REGION, vpcs: [], clusters: [] });
    const network = await collectVpcNetwork(input());
    expect(network.vpc).toBeUndefined();
    expect(network.errors.find((e) => e.call === 'ec2:DescribeVpcs')).toMatchObject({
      code: 'InvalidVpcID.NotFound',
      checks: ['NET-DHCP-OPTIONS', 'NET-UPSTREAM-REACH'],
    });
  });

  it('shares one in-flight collection between concurrent callers of the same VPC', async () => {
    install(world());
    const cache = new PromiseCache<VpcNetwork>();
    const shared = input();
    const [a, b] = await Promise.all([sharedVpcNetwork(cache, shared), sharedVpcNetwork(cache, shared)]);
    expect(a).toBe(b);
    expect(
      aws.ec2
        .calls()
        .filter((c) => (c.args[0] as object).constructor.name === 'DescribeNetworkInterfacesCommand'),
    ).toHaveLength(1);
  });
});

describe('referencedPrefixListIds', () => {
  it('collects ids from ingress and egress rules, once each', () => {
    expect(
      referencedPrefixListIds([
        { IpPermissions: [{ PrefixListIds: [{ PrefixListId: 'pl-2' }, { PrefixListId: 'pl-1' }] }] },
        {
          IpPermissionsEgress: [
            { PrefixListIds: [{ PrefixListId: 'pl-1' }] },
            { IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
        {},
      ]),
    ).toEqual(['pl-1', 'pl-2']);
  });
});
