import { EKSServiceException, ListClustersCommand } from '@aws-sdk/client-eks';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  collectFleet,
  collectWorkItem,
  discoverWorkItems,
  largestFirst,
} from '../../../../lambdas/aws/index.js';
import type { FleetScope } from '../../../../lambdas/aws/index.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../support/fake-aws.js';
import type { FakeAws, FakeRegionWorld } from '../support/fake-aws.js';

const MANAGEMENT = '111111111111';
const PROD = '222222222222';
const DENIED = '333333333333';
const SUSPENDED = '444444444444';

function regionWorld(accountId: string, region: string, clusters: readonly string[]): FakeRegionWorld {
  const vpc = buildVpc({
    vpcId: `vpc-${accountId.slice(0, 3)}${region.slice(-1)}`,
    octet: Number(accountId.slice(0, 1)) * 10,
    accountId,
    region,
    clusters: clusters.map((name) => ({ name, nodes: 2 })),
  });
  return {
    accountId,
    region,
    vpcs: clusters.length > 0 ? [vpc] : [],
    clusters: clusters.map((name) => buildCluster({ name, accountId, region, vpc })),
  };
}

const organizationAccounts = [
  { Id: MANAGEMENT, Name: 'management', State: 'ACTIVE' as const, Status: 'ACTIVE' as const },
  { Id: PROD, Name: 'prod', State: 'ACTIVE' as const, Status: 'ACTIVE' as const },
  { Id: DENIED, Name: 'sandbox', State: 'ACTIVE' as const, Status: 'ACTIVE' as const },
  { Id: SUSPENDED, Name: 'closed', State: 'SUSPENDED' as const, Status: 'SUSPENDED' as const },
].map((a) => ({
  ...a,
  Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-abc/${a.Id}`,
  Email: `${a.Name}@example.com`,
}));

const scope: FleetScope = {
  accounts: { mode: 'organization' },
  regions: { mode: 'enabled' },
  scanId: '2025-06-01T02:00:00Z#nightly',
  externalId: 'fleet-dns-external-id',
};

describe('fleet discovery and collection', () => {
  let aws: FakeAws;
  beforeEach(() => {
    stubFakeAwsEnvironment('eu-west-1');
    aws = installFakeAws(
      [
        regionWorld(MANAGEMENT, 'eu-west-1', ['ops']),
        regionWorld(PROD, 'eu-west-1', ['prod-a', 'prod-b']),
        regionWorld(PROD, 'us-east-1', []),
      ],
      {
        currentAccountId: MANAGEMENT,
        organizationAccounts,
        denyAssumeRole: [DENIED],
        enabledRegions: ['eu-west-1', 'us-east-1'],
      },
    );
  });
  afterEach(() => aws.restore());

  it('scans every ACTIVE account of the Organization; an account whose role is refused is a coverage gap', async () => {
    const result = await collectFleet(scope, { homeRegion: 'eu-west-1', kubernetes: false });

    expect(result.clusters.map((c) => c.record.id)).toEqual([
      `${MANAGEMENT}:eu-west-1:ops`,
      `${PROD}:eu-west-1:prod-a`,
      `${PROD}:eu-west-1:prod-b`,
    ]);
    expect(result.coverage).toMatchObject({ accounts: 3, regions: 2, clustersScanned: 3 });
    expect(result.coverage.gaps).toHaveLength(1);
    expect(result.coverage.gaps[0]).toMatchObject({ scope: 'account', accountId: DENIED });
    expect(result.coverage.gaps[0]?.reason).toMatch(
      /^cannot assume arn:aws:iam::333333333333:role\/fleet-dns-scanner: AccessDenied: /,
    );
    // The suspended account is never entered.
    expect(aws.sts).not.toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${SUSPENDED}:role/fleet-dns-scanner`,
    });
  });

  it('enters member accounts with the configured role, ExternalId and a session name that names the scan', async () => {
    await collectFleet(
      { ...scope, roleName: 'platform/FleetDnsScanner' },
      { homeRegion: 'eu-west-1', kubernetes: false },
    );

    expect(aws.sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${PROD}:role/platform/FleetDnsScanner`,
      RoleSessionName: 'fleet-dns-2025-06-01T02-00-00Z-nightly',
      ExternalId: 'fleet-dns-external-id',
    });
    // Its own account is scanned with its own credentials.
    expect(aws.sts).not.toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MANAGEMENT}:role/platform/FleetDnsScanner`,
    });
    // One AssumeRole per member account however many regions and clients use it.
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('names accounts as the Organization knows them', async () => {
    const result = await collectFleet(scope, { homeRegion: 'eu-west-1', kubernetes: false });
    expect(result.clusters.find((c) => c.record.name === 'prod-a')?.record.accountName).toBe('prod');
  });

  it('honours exclusions and an explicit region list', async () => {
    const result = await collectFleet(
      { ...scope, exclude: [PROD], regions: { mode: 'list', regions: ['eu-west-1'] } },
      { homeRegion: 'eu-west-1', kubernetes: false },
    );
    expect(result.clusters.map((c) => c.record.name)).toEqual(['ops']);
    expect(result.coverage.regions).toBe(1);
  });

  it('lists work items per account×region, largest first by their clusters (a region without clusters is still an item)', async () => {
    const { items, gaps } = await discoverWorkItems(scope, { homeRegion: 'eu-west-1' });
    const member = {
      roleArn: `arn:aws:iam::${PROD}:role/fleet-dns-scanner`,
      sessionName: 'fleet-dns-2025-06-01T02-00-00Z-nightly',
      externalId: 'fleet-dns-external-id',
    };
    expect(items).toEqual([
      { accountId: PROD, accountName: 'prod', region: 'eu-west-1', ...member, clusterCount: 2 },
      { accountId: MANAGEMENT, accountName: 'management', region: 'eu-west-1', clusterCount: 1 },
      { accountId: MANAGEMENT, accountName: 'management', region: 'us-east-1', clusterCount: 0 },
      { accountId: PROD, accountName: 'prod', region: 'us-east-1', ...member, clusterCount: 0 },
    ]);
    expect(gaps.map((g) => g.accountId)).toEqual([DENIED]);
    // Sized in each region with the member's own credentials: one ListClusters per item.
    expect(aws.eks.commandCalls(ListClustersCommand)).toHaveLength(4);
  });

  it('puts an item whose clusters could not be listed first, without a count and without a gap', async () => {
    aws.restore();
    aws = installFakeAws(
      [regionWorld(MANAGEMENT, 'eu-west-1', ['ops']), regionWorld(PROD, 'eu-west-1', ['prod-a', 'prod-b'])],
      {
        currentAccountId: MANAGEMENT,
        organizationAccounts,
        denyAssumeRole: [DENIED],
        enabledRegions: ['eu-west-1', 'us-east-1'],
        faults: [
          {
            operation: 'ListClusters',
            accountId: MANAGEMENT,
            region: 'us-east-1',
            error: () =>
              new EKSServiceException({
                name: 'AccessDeniedException',
                $fault: 'client',
                $metadata: { httpStatusCode: 403 },
                message: 'not authorized to perform: eks:ListClusters',
              }),
          },
        ],
      },
    );
    const { items, gaps } = await discoverWorkItems(scope, { homeRegion: 'eu-west-1' });
    expect(items.map((i) => [i.accountId, i.region, i.clusterCount])).toEqual([
      [MANAGEMENT, 'us-east-1', undefined],
      [PROD, 'eu-west-1', 2],
      [MANAGEMENT, 'eu-west-1', 1],
      [PROD, 'us-east-1', 0],
    ]);
    expect(gaps.map((g) => g.accountId)).toEqual([DENIED]);
  });

  it('does not size the items when told not to (a scan of named clusters), and keeps their order', async () => {
    const { items } = await discoverWorkItems(scope, { homeRegion: 'eu-west-1', sizeItems: false });
    expect(items.map((i) => [i.accountId, i.region, i.clusterCount])).toEqual([
      [MANAGEMENT, 'eu-west-1', undefined],
      [MANAGEMENT, 'us-east-1', undefined],
      [PROD, 'eu-west-1', undefined],
      [PROD, 'us-east-1', undefined],
    ]);
    expect(aws.eks.commandCalls(ListClustersCommand)).toHaveLength(0);
  });

  it('does not size a single item (a one-cluster scan)', async () => {
    const { items } = await discoverWorkItems(
      {
        ...scope,
        accounts: { mode: 'list', accounts: [PROD] },
        regions: { mode: 'list', regions: ['eu-west-1'] },
      },
      { homeRegion: 'eu-west-1' },
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.clusterCount).toBeUndefined();
    expect(aws.eks.commandCalls(ListClustersCommand)).toHaveLength(0);
  });

  it('orders by count descending, unknown first, ties in their given order', () => {
    const item = (id: string, clusterCount?: number) => ({
      id,
      ...(clusterCount !== undefined ? { clusterCount } : {}),
    });
    expect(
      largestFirst([
        item('a', 1),
        item('b', 9),
        item('c'),
        item('d', 1),
        item('e', 0),
        item('f'),
        item('g', 9),
      ]).map((i) => i.id),
    ).toEqual(['c', 'f', 'b', 'g', 'a', 'd', 'e']);
  });

  it('collects one work item in its member account, and reports a refused role as that item’s gap', async () => {
    const ok = await collectWorkItem(
      {
        accountId: PROD,
        region: 'eu-west-1',
        roleArn: `arn:aws:iam::${PROD}:role/fleet-dns-scanner`,
        sessionName: 's',
      },
      { homeRegion: 'eu-west-1', kubernetes: false },
    );
    expect(ok.clusters.map((c) => c.record.id)).toEqual([
      `${PROD}:eu-west-1:prod-a`,
      `${PROD}:eu-west-1:prod-b`,
    ]);

    const refused = await collectWorkItem(
      {
        accountId: DENIED,
        region: 'eu-west-1',
        roleArn: `arn:aws:iam::${DENIED}:role/fleet-dns-scanner`,
        sessionName: 's',
      },
      { homeRegion: 'eu-west-1', kubernetes: false },
    );
    expect(refused.clusters).toEqual([]);
    expect(refused.gaps).toEqual([
      expect.objectContaining({ scope: 'account', accountId: DENIED, region: 'eu-west-1' }),
    ]);
  });
});
