import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../../../lambdas/aws/index.js';
import type { SnapshotParts, VpcNetwork } from '../../../../lambdas/aws/index.js';
import { parseNetworkSnapshot, SnapshotError } from '../../../../lambdas/core/snapshot/index.js';
import { buildCluster, buildVpc } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const built = buildVpc({
  vpcId: 'vpc-s',
  octet: 70,
  accountId: ACCOUNT,
  region: REGION,
  clusters: [{ name: 'snap', nodes: 2 }],
});
const { cluster, addons } = buildCluster({ name: 'snap', accountId: ACCOUNT, region: REGION, vpc: built });

function network(overrides: Partial<VpcNetwork> = {}): VpcNetwork {
  return {
    vpcId: 'vpc-s',
    vpc: built.vpc,
    vpcAttributes: built.attributes,
    ...(built.dhcpOptions ? { dhcpOptions: built.dhcpOptions } : {}),
    subnets: built.subnets,
    securityGroups: built.securityGroups,
    networkAcls: built.networkAcls,
    networkInterfaces: built.networkInterfaces,
    prefixLists: [],
    errors: [],
    ...overrides,
  };
}

const parts = (overrides: Partial<SnapshotParts> = {}): SnapshotParts => ({
  accountId: ACCOUNT,
  region: REGION,
  cluster,
  network: network(),
  addons: { addons, addonVersions: [], errors: [] },
  collectedAt: new Date('2025-06-01T02:00:00Z'),
  ...overrides,
});

describe('assembleSnapshot', () => {
  it('produces a document the snapshot parser accepts unchanged, with ISO timestamps', () => {
    const snapshot = assembleSnapshot(parts());
    expect(parseNetworkSnapshot(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    expect(snapshot).toMatchObject({
      format: 'fleet-dns/network-snapshot@1',
      accountId: ACCOUNT,
      region: REGION,
      collectedAt: '2025-06-01T02:00:00.000Z',
    });
    expect(snapshot.networkInterfaces[0]?.Attachment).toMatchObject({
      AttachTime: '2025-01-15T10:00:00.000Z',
    });
    // No version list collected → absent ("not available"), not an empty list.
    expect(snapshot.addonVersions).toBeUndefined();
    expect(snapshot.kubernetes).toBeUndefined();
  });

  it('keeps the VPC named when DescribeVpcs failed, and lists every collection error', () => {
    const snapshot = assembleSnapshot(
      parts({
        network: network({
          vpc: undefined,
          errors: [
            {
              call: 'ec2:DescribeVpcs',
              code: 'RequestLimitExceeded',
              message: 'Request limit exceeded.',
              checks: ['NET-DHCP-OPTIONS'],
            },
          ],
        }),
        addons: {
          addons: [],
          addonVersions: [{ addonName: 'coredns', addonVersions: [] }],
          errors: [
            {
              call: 'eks:DescribeAddonVersions',
              code: 'ThrottlingException',
              message: 'Rate exceeded',
              checks: ['EKS-COREDNS-ADDON'],
            },
          ],
        },
        kubernetes: { access: { reachable: false, reason: 'private endpoint' } },
        errors: [
          {
            call: 'k8s:ReadConfigMap/coredns',
            code: 'HTTP403',
            message: 'forbidden',
            checks: ['NET-UPSTREAM-REACH'],
          },
        ],
      }),
    );
    expect(snapshot.vpc).toEqual({
      VpcId: 'vpc-s',
      CidrBlockAssociationSet: [],
      Ipv6CidrBlockAssociationSet: [],
    });
    expect(snapshot.collectionErrors.map((e) => e.call)).toEqual([
      'ec2:DescribeVpcs',
      'eks:DescribeAddonVersions',
      'k8s:ReadConfigMap/coredns',
    ]);
    // A version list whose read failed is left out rather than passed on half-read.
    expect(snapshot.addonVersions).toBeUndefined();
    expect(snapshot.kubernetes?.access).toEqual({ reachable: false, reason: 'private endpoint' });
  });

  it('rejects AWS data the snapshot schema cannot take, naming the field', () => {
    const [first, ...rest] = built.networkInterfaces;
    const broken = network({ networkInterfaces: [{ ...first, PrivateIpAddress: 'not-an-ip' }, ...rest] });
    expect(() => assembleSnapshot(parts({ network: broken }))).toThrow(SnapshotError);
    expect(() => assembleSnapshot(parts({ network: broken }))).toThrow(
      /networkInterfaces\[0\]\.PrivateIpAddress/,
    );
  });

  it('validates a VPC once for all its clusters: they share its (frozen) fields, and their own stay apart', () => {
    const shared = network();
    const other = buildCluster({ name: 'other', accountId: ACCOUNT, region: REGION, vpc: built });
    const a = assembleSnapshot(parts({ network: shared }));
    const b = assembleSnapshot(parts({ network: shared, cluster: other.cluster }));
    expect(b.networkInterfaces[0]).toBe(a.networkInterfaces[0]);
    expect(Object.isFrozen(a.securityGroups[0])).toBe(true);
    expect([a.cluster.name, b.cluster.name]).toEqual(['snap', 'other']);
    // Another VpcNetwork object (another invocation, or fresh data) is validated afresh.
    const fresh = assembleSnapshot(parts({ network: network() }));
    expect(fresh.networkInterfaces[0]).not.toBe(a.networkInterfaces[0]);
    expect(fresh).toEqual(a);
  });
});
