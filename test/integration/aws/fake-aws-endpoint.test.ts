/**
 * The fake AWS endpoint (lab/fake-aws/server.ts) against the real collectors: the same world
 * collected through the real SDK over HTTP on 127.0.0.1 and through the tests' aws-sdk-client-mock
 * must give the same snapshots, coverage gaps and collection errors. The mock hands the world's
 * objects straight to the collector, so any field the wire serde drops, renames or mistypes
 * (wrong xmlName, a list without `item`, a timestamp in the wrong format) shows up as a difference.
 */
import {
  DescribeDhcpOptionsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import type { Account } from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assumeRole, collectRegion, getCallerIdentity, roleArnFor } from '../../../lambdas/aws/index.js';
import type { RegionCollection } from '../../../lambdas/aws/index.js';
import { FAKE_AWS_OPERATIONS } from '../../../lab/fake-aws/answers.js';
import { startFakeAwsEndpoint } from '../../../lab/fake-aws/server.js';
import type { FakeAwsEndpoint } from '../../../lab/fake-aws/server.js';
import {
  buildCluster,
  buildVpc,
  ec2Unauthorized,
  fakeAwsEnvironment,
  installFakeAws,
} from '../../unit/aws/support/fake-aws.js';
import type { FakeAwsOptions, FakeFault, FakeRegionWorld } from '../../unit/aws/support/fake-aws.js';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const REGION = 'eu-west-1';
const NOW = new Date('2026-03-01T06:00:00Z');

/** Three clusters in two VPCs of the central account, one in a member account. */
function worlds(): FakeRegionWorld[] {
  const shared = buildVpc({
    vpcId: 'vpc-shared',
    octet: 10,
    accountId: CENTRAL,
    region: REGION,
    clusters: [
      { name: 'prod-a', nodes: 3 },
      { name: 'prod-b', nodes: 2 },
    ],
    otherEnis: 7,
    prefixListIds: ['pl-0corp'],
    denyDnsUdpIntoSubnetB: true,
  });
  const alone = buildVpc({
    vpcId: 'vpc-alone',
    octet: 20,
    accountId: CENTRAL,
    region: REGION,
    clusters: [{ name: 'batch', nodes: 2 }],
    dhcpServers: ['10.20.0.2', '192.168.1.53'],
    enableDnsHostnames: false,
  });
  const member = buildVpc({
    vpcId: 'vpc-member',
    octet: 30,
    accountId: MEMBER,
    region: REGION,
    clusters: [{ name: 'payments', nodes: 2 }],
  });
  return [
    {
      accountId: CENTRAL,
      region: REGION,
      vpcs: [shared, alone],
      clusters: [
        buildCluster({ name: 'prod-a', accountId: CENTRAL, region: REGION, vpc: shared }),
        buildCluster({
          name: 'prod-b',
          accountId: CENTRAL,
          region: REGION,
          vpc: shared,
          addons: ['kube-proxy'],
          endpointPublicAccess: false,
        }),
        buildCluster({ name: 'batch', accountId: CENTRAL, region: REGION, vpc: alone, version: '1.30' }),
      ],
      prefixLists: {
        'pl-0corp': [
          { Cidr: '192.168.0.0/16', Description: 'office & lab <vpn>' },
          { Cidr: '172.31.0.0/16' },
        ],
      },
    },
    {
      accountId: MEMBER,
      region: REGION,
      vpcs: [member],
      clusters: [buildCluster({ name: 'payments', accountId: MEMBER, region: REGION, vpc: member })],
    },
  ];
}

const ORG_ACCOUNTS: Account[] = [CENTRAL, MEMBER, '777788889999'].map((Id, i) => ({
  Id,
  Arn: `arn:aws:organizations::${CENTRAL}:account/o-fake/${Id}`,
  Name: `account-${i}`,
  Email: `aws+${i}@example.com`,
  Status: 'ACTIVE',
  JoinedMethod: 'CREATED',
  JoinedTimestamp: new Date('2024-05-0' + String(i + 1) + 'T12:00:00Z'),
}));

interface Scan {
  readonly central: RegionCollection;
  readonly member: RegionCollection;
  readonly callerAccount: string;
}

/** The central account's region, then the member's through AssumeRole — what a fleet scan does. */
async function scan(): Promise<Scan> {
  const sts = new STSClient({ region: REGION });
  const identity = await getCallerIdentity(sts);
  // pageCap 2 forces several pages of every list: the NextToken round trip is exercised too
  const central = await collectRegion(
    { account: { id: CENTRAL, name: 'central' }, region: REGION },
    { kubernetes: false, now: () => NOW },
  );
  const credentials = await assumeRole({
    sts,
    roleArn: roleArnFor(MEMBER, 'fleet-dns-scanner'),
    sessionName: 'fleet-dns-test',
  });
  const member = await collectRegion(
    { account: { id: MEMBER, name: 'member' }, region: REGION },
    { kubernetes: false, credentials, now: () => NOW },
  );
  return { central, member, callerAccount: identity.accountId };
}

/**
 * The comparable part: everything but `collectedAt`, which `now` fixes anyway. Request counts are
 * compared too: the limiter counts one per page, and no call here is retried (403 is final).
 */
const comparable = (s: Scan) => ({
  callerAccount: s.callerAccount,
  central: s.central,
  member: s.member,
});

const stubEnv = (env: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
};

describe('the fake AWS endpoint', () => {
  let endpoint: FakeAwsEndpoint | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await endpoint?.close();
    endpoint = undefined;
  });

  const options = (faults: FakeFault[] = []): FakeAwsOptions => ({
    currentAccountId: CENTRAL,
    pageCap: 2,
    organizationAccounts: ORG_ACCOUNTS,
    faults,
  });

  async function overHttp(faults: FakeFault[] = []): Promise<Scan> {
    endpoint = await startFakeAwsEndpoint(worlds(), options(faults));
    // a developer's shell: a profile the SDK would prefer to the fake keys, a stray session token
    stubEnv({
      AWS_PROFILE: 'developer-sso',
      AWS_SESSION_TOKEN: 'stray-token',
      AWS_DEFAULT_REGION: 'us-west-2',
    });
    stubEnv(endpoint.env);
    return scan();
  }

  async function throughMocks(faults: FakeFault[] = []): Promise<Scan> {
    stubEnv(fakeAwsEnvironment(REGION));
    const aws = installFakeAws(worlds(), options(faults));
    try {
      return await scan();
    } finally {
      aws.restore();
      vi.unstubAllEnvs();
    }
  }

  it('collects the same snapshots over HTTP as through the mocks, the member account through AssumeRole', async () => {
    const expected = await throughMocks();
    const actual = await overHttp();

    expect(expected.central.clusters.map((c) => c.record.name).sort()).toEqual(['batch', 'prod-a', 'prod-b']);
    expect(expected.member.clusters.map((c) => c.record.name)).toEqual(['payments']);
    expect(comparable(actual)).toEqual(comparable(expected));
    // the wire really carried it: every service, the member's calls signed with the assumed key
    const calls = endpoint?.calls() ?? [];
    expect(calls).toContainEqual({
      service: 'sts',
      operation: 'AssumeRole',
      accountId: CENTRAL,
      region: REGION,
    });
    expect(calls).toContainEqual({
      service: 'eks',
      operation: 'DescribeCluster',
      accountId: MEMBER,
      region: REGION,
    });
    expect(calls).toContainEqual({
      service: 'ec2',
      operation: 'DescribeNetworkInterfaces',
      accountId: MEMBER,
      region: REGION,
    });
    expect(
      calls.filter((c) => c.operation === 'DescribeSubnets' && c.accountId === CENTRAL).length,
    ).toBeGreaterThan(2);
    // one request on the wire per EC2/EKS request the collector's limiter counted (no retries)
    expect(calls.filter((c) => c.service !== 'sts' && c.accountId === CENTRAL)).toHaveLength(
      actual.central.calls.total,
    );
    const snapshot = actual.central.clusters.find((c) => c.record.name === 'prod-a')?.snapshot;
    expect(snapshot?.collectionErrors).toEqual([]);
  });

  it('surfaces a world fault as the same collection error over HTTP as through the mocks', async () => {
    const denyAcls = (): FakeFault[] => [
      { operation: 'DescribeNetworkAcls', accountId: CENTRAL, error: ec2Unauthorized },
    ];
    const expected = await throughMocks(denyAcls());
    const actual = await overHttp(denyAcls());

    const errors = (s: Scan) => s.central.clusters.map((c) => [c.record.name, c.snapshot.collectionErrors]);
    expect(expected.central.clusters.flatMap((c) => c.snapshot.collectionErrors)).toContainEqual(
      expect.objectContaining({ call: 'ec2:DescribeNetworkAcls', code: 'UnauthorizedOperation' }),
    );
    expect(errors(actual)).toEqual(errors(expected));
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('gives the SDK the same output over HTTP as through the mocks, for every served operation', async () => {
    const vpc = { Filters: [{ Name: 'vpc-id', Values: ['vpc-shared'] }] };
    // every operation FAKE_AWS_OPERATIONS lists, with an input that exercises its parameters
    const ask = async () => {
      const ec2 = new EC2Client({ region: REGION });
      const eks = new EKSClient({ region: REGION });
      const sts = new STSClient({ region: REGION });
      const organizations = new OrganizationsClient({ region: 'us-east-1' });
      const answers: Record<string, unknown> = {
        DescribeVpcs: await ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-shared', 'vpc-alone'] })),
        DescribeVpcAttribute: await ec2.send(
          new DescribeVpcAttributeCommand({ VpcId: 'vpc-alone', Attribute: 'enableDnsHostnames' }),
        ),
        DescribeDhcpOptions: await ec2.send(
          new DescribeDhcpOptionsCommand({ DhcpOptionsIds: ['dopt-alone'] }),
        ),
        DescribeSubnets: await ec2.send(new DescribeSubnetsCommand({ ...vpc, MaxResults: 5 })),
        DescribeSecurityGroups: await ec2.send(new DescribeSecurityGroupsCommand(vpc)),
        DescribeNetworkAcls: await ec2.send(new DescribeNetworkAclsCommand(vpc)),
        DescribeNetworkInterfaces: await ec2.send(
          new DescribeNetworkInterfacesCommand({ ...vpc, NextToken: 'tok-2', MaxResults: 5 }),
        ),
        GetManagedPrefixListEntries: await ec2.send(
          new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-0corp' }),
        ),
        DescribeRegions: await ec2.send(new DescribeRegionsCommand({})),
        ListClusters: await eks.send(new ListClustersCommand({ maxResults: 10 })),
        DescribeCluster: await eks.send(new DescribeClusterCommand({ name: 'prod-b' })),
        DescribeAddon: await eks.send(
          new DescribeAddonCommand({ clusterName: 'prod-a', addonName: 'coredns' }),
        ),
        DescribeAddonVersions: await eks.send(
          new DescribeAddonVersionsCommand({ addonName: 'coredns', kubernetesVersion: '1.31' }),
        ),
        GetCallerIdentity: await sts.send(new GetCallerIdentityCommand({})),
        AssumeRole: await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArnFor(MEMBER, 'fleet-dns-scanner'), RoleSessionName: 'ops' }),
        ),
        ListAccounts: await organizations.send(new ListAccountsCommand({ MaxResults: 2 })),
      };
      for (const answer of Object.values(answers)) delete (answer as { $metadata?: unknown }).$metadata;
      // issued now by both fakes: not the same instant
      delete (answers.AssumeRole as { Credentials?: { Expiration?: Date } }).Credentials?.Expiration;
      return answers;
    };
    stubEnv(fakeAwsEnvironment(REGION));
    const aws = installFakeAws(worlds(), options());
    const expected = await ask().finally(() => aws.restore());
    vi.unstubAllEnvs();
    endpoint = await startFakeAwsEndpoint(worlds(), options());
    stubEnv(endpoint.env);

    const actual = await ask();

    expect(Object.keys(actual).sort()).toEqual(Object.values(FAKE_AWS_OPERATIONS).flat().sort());
    expect(actual).toEqual(expected);
  });

  it('gives the SDK the same modeled errors over HTTP as through the mocks', async () => {
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (err: Error & Record<string, unknown> & { $metadata?: { httpStatusCode?: number } }) => ({
          name: err.name,
          message: err.message,
          fault: err.$fault,
          status: err.$metadata?.httpStatusCode,
          clusterName: err.clusterName,
          addonName: err.addonName,
        }),
      );
    const ask = async () => {
      const ec2 = new EC2Client({ region: REGION });
      const eks = new EKSClient({ region: REGION });
      const sts = new STSClient({ region: REGION });
      return {
        vpc: await refusal(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-gone'] }))),
        prefixList: await refusal(
          ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-gone' })),
        ),
        cluster: await refusal(eks.send(new DescribeClusterCommand({ name: 'gone' }))),
        addon: await refusal(
          eks.send(new DescribeAddonCommand({ clusterName: 'prod-b', addonName: 'coredns' })),
        ),
        assumeRole: await refusal(
          sts.send(
            new AssumeRoleCommand({
              RoleArn: roleArnFor('777788889999', 'fleet-dns-scanner'),
              RoleSessionName: 's',
            }),
          ),
        ),
        fault: await refusal(ec2.send(new DescribeSecurityGroupsCommand({}))),
      };
    };
    const withDenials = (): FakeAwsOptions => ({
      ...options([{ operation: 'DescribeSecurityGroups', error: ec2Unauthorized }]),
      denyAssumeRole: ['777788889999'],
    });
    stubEnv(fakeAwsEnvironment(REGION));
    const aws = installFakeAws(worlds(), withDenials());
    const expected = await ask().finally(() => aws.restore());
    vi.unstubAllEnvs();
    endpoint = await startFakeAwsEndpoint(worlds(), withDenials());
    stubEnv(endpoint.env);

    const actual = await ask();

    expect(expected.addon).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      addonName: 'coredns',
    });
    expect(expected.assumeRole).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(actual).toEqual(expected);
  });

  it('answers Organizations ListAccounts and EC2 DescribeRegions as the mocks do', async () => {
    const ask = async () => {
      const accounts: Account[] = [];
      const organizations = new OrganizationsClient({ region: 'us-east-1' });
      for await (const page of paginateListAccounts({ client: organizations }, {})) {
        accounts.push(...(page.Accounts ?? []));
      }
      const regions = await new EC2Client({ region: REGION }).send(new DescribeRegionsCommand({}));
      return { accounts, regions: regions.Regions };
    };
    stubEnv(fakeAwsEnvironment(REGION));
    const aws = installFakeAws(worlds(), options());
    const expected = await ask().finally(() => aws.restore());
    vi.unstubAllEnvs();
    endpoint = await startFakeAwsEndpoint(worlds(), options());
    stubEnv(endpoint.env);

    const actual = await ask();

    expect(actual).toEqual(expected);
    expect(actual.accounts.map((a) => a.Id)).toEqual([CENTRAL, MEMBER, '777788889999']);
    expect(endpoint.calls().filter((c) => c.operation === 'ListAccounts')).toHaveLength(2);
  });

  it("answers an operation it does not serve with the protocol's own error, and keeps serving", async () => {
    endpoint = await startFakeAwsEndpoint(worlds(), options());
    stubEnv({ ...endpoint.env, AWS_MAX_ATTEMPTS: '1' });
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (err: Error & { $metadata?: { httpStatusCode?: number } }) => [
          err.name,
          err.$metadata?.httpStatusCode,
        ],
      );

    expect(await refusal(new EC2Client({ region: REGION }).send(new DescribeInstancesCommand({})))).toEqual([
      'InvalidAction',
      400,
    ]);
    expect(await refusal(new STSClient({ region: REGION }).send(new GetSessionTokenCommand({})))).toEqual([
      'InvalidAction',
      400,
    ]);
    expect(
      await refusal(
        new EKSClient({ region: REGION }).send(new ListNodegroupsCommand({ clusterName: 'prod-a' })),
      ),
    ).toEqual(['UnknownOperationException', 400]);
    expect(
      await refusal(
        new OrganizationsClient({ region: 'us-east-1' }).send(new DescribeOrganizationCommand({})),
      ),
    ).toEqual(['UnknownOperationException', 400]);
    expect(await getCallerIdentity(new STSClient({ region: REGION }))).toMatchObject({ accountId: CENTRAL });
  });

  it('answers malformed input and unsigned requests with 4xx, not a crash', async () => {
    endpoint = await startFakeAwsEndpoint(worlds(), options());
    const authorization = `AWS4-HMAC-SHA256 Credential=AKIAFLEETDNSTESTKEY1/20260301/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=00`;
    const post = (body: string, auth?: string) =>
      fetch(endpoint?.url ?? '', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: auth } : {}),
        },
        body,
      });

    const malformed = await post('Action=DescribeSubnets&Version=2016-11-15&MaxResults=many', authorization);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('<Code>MalformedQueryString</Code>');
    const unsigned = await post('Action=DescribeVpcs&Version=2016-11-15');
    expect(unsigned.status).toBe(403);
    const eksJson = await fetch(`${endpoint.url}/clusters?maxResults=lots`, {
      headers: { authorization: authorization.replace('/ec2/', '/eks/') },
    });
    expect([eksJson.status, eksJson.headers.get('x-amzn-errortype')]).toEqual([
      400,
      'SerializationException',
    ]);
    const vpcs = await post('Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-alone', authorization);
    expect(vpcs.status).toBe(200);
    expect(await vpcs.text()).toMatch(/<vpcSet><item><ownerId>[^<]*<\/ownerId>.*<vpcId>vpc-alone<\/vpcId>/);
  });
});
