/**
 * Regression tests for the contract's "missing and empty data" rules and the section-A edge cases
 * (network-snapshot.md, checks.md § A) that the fixtures do not pin down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditNetworkSnapshot } from '../../../../../lambdas/core/checks/aws/index.js';
import type { CheckResult } from '../../../../../lambdas/core/schema/index.js';
import { checkResultSchema } from '../../../../../lambdas/core/schema/index.js';
import { checksFedBy, parseNetworkSnapshot } from '../../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from './fixtures.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUBNET_A = 'subnet-0a11c0ffee0000a01';

/** The healthy baseline with one change, audited. */
function audit(mutate: (json: Json) => void): Record<string, CheckResult> {
  const json = fixtureJson('01-healthy-baseline');
  mutate(json);
  const checks = auditNetworkSnapshot(parseNetworkSnapshot(json));
  for (const check of checks) expect(checkResultSchema.safeParse(check).success, check.id).toBe(true);
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

describe('NET-VPC-DNS-ATTRIBUTES with one attribute missing', () => {
  it('FAILs on enableDnsSupport false even when enableDnsHostnames is not in the snapshot', () => {
    const check = audit((j) => (j.vpcAttributes = { enableDnsSupport: false }))['NET-VPC-DNS-ATTRIBUTES']!;
    expect(check.status).toBe('FAIL');
    expect(check.evidence.notes).toEqual(['enableDnsHostnames not in the snapshot']);
  });

  it('FAILs on enableDnsHostnames false with a private-only endpoint even when enableDnsSupport is missing', () => {
    const check = audit((j) => {
      j.vpcAttributes = { enableDnsHostnames: false };
      j.cluster.resourcesVpcConfig.endpointPrivateAccess = true;
      j.cluster.resourcesVpcConfig.endpointPublicAccess = false;
    })['NET-VPC-DNS-ATTRIBUTES']!;
    expect(check.status).toBe('FAIL');
  });

  it('is ERROR naming the missing attribute when the known one does not decide', () => {
    const check = audit((j) => (j.vpcAttributes = { enableDnsHostnames: false }))['NET-VPC-DNS-ATTRIBUTES']!;
    expect(check.status).toBe('ERROR');
    expect(check.evidence.reason).toMatch(/vpcAttributes\.enableDnsSupport .*not in the snapshot/);
  });
});

describe('network ACLs: every subnet has one, so missing NACL data is never "none"', () => {
  it('is ERROR naming the subnet, never PASS, when the snapshot lists no network ACLs and none failed to load', () => {
    const checks = audit((j) => void delete j.networkAcls);
    for (const id of ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP']) {
      expect(checks[id]!.status, id).toBe('ERROR');
      expect(checks[id]!.evidence.reason).toContain(SUBNET_A);
      expect(checks[id]!.evidence.reason).toContain("the subnet's network ACL is not in the snapshot");
    }
  });

  it('never reads a failed DescribeNetworkAcls as "none", even for a check the error does not list', () => {
    const checks = audit((j) => {
      j.networkAcls = [];
      j.collectionErrors = [
        { call: 'ec2:DescribeNetworkAcls', code: 'Throttling', checks: ['NET-NACL-DNS-UDP'] },
      ];
    });
    expect(checks['NET-NACL-DNS-UDP']!.status).toBe('ERROR');
    expect(checks['NET-NACL-DNS-TCP']!.status).toBe('ERROR');
    expect(checks['NET-NACL-DNS-TCP']!.evidence.reason).toContain('not in the snapshot');
  });
});

describe('DHCP options: an absent set means none', () => {
  it('reads an absent dhcpOptions as no domain-name-servers (AmazonProvidedDNS), with a note', () => {
    const checks = audit((j) => void delete j.dhcpOptions);
    expect(checks['NET-DHCP-OPTIONS']!.status).toBe('PASS');
    expect(checks['NET-DHCP-OPTIONS']!.evidence.notes).toEqual([
      expect.stringContaining('dopt-0123456789abcdef0 is not in the snapshot'),
    ]);
    expect(checks['NET-UPSTREAM-REACH']!.status).toBe('PASS');
  });

  it('is ERROR, quoting the call, when DescribeDhcpOptions failed — also for a check the error does not list', () => {
    const checks = audit((j) => {
      delete j.dhcpOptions;
      j.collectionErrors = [
        { call: 'ec2:DescribeDhcpOptions', code: 'UnauthorizedOperation', checks: ['NET-DHCP-OPTIONS'] },
      ];
    });
    expect(checks['NET-DHCP-OPTIONS']!.status).toBe('ERROR');
    expect(checks['NET-UPSTREAM-REACH']!.status).toBe('ERROR');
    expect(checks['NET-UPSTREAM-REACH']!.evidence.reason).toContain(
      'ec2:DescribeDhcpOptions failed (UnauthorizedOperation',
    );
  });
});

describe('NET-UPSTREAM-REACH for an in-VPC upstream no ENI of the snapshot holds', () => {
  const RESOLVER_SUBNET = 'subnet-0d44c0ffee0000d04';
  const withResolverSubnet = (j: Json, inbound: Json[]) => {
    j.subnets.push({ SubnetId: RESOLVER_SUBNET, VpcId: j.vpc.VpcId, CidrBlock: '10.0.96.0/19' });
    const def = j.networkAcls.find((n: Json) => n.IsDefault);
    def.Associations = def.Associations.filter((a: Json) => a.SubnetId !== RESOLVER_SUBNET);
    j.networkAcls.push({
      NetworkAclId: 'acl-0resolver000000001',
      VpcId: j.vpc.VpcId,
      IsDefault: false,
      Associations: [{ SubnetId: RESOLVER_SUBNET, NetworkAclId: 'acl-0resolver000000001' }],
      Entries: [
        ...inbound,
        { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
        { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
      ],
    });
    j.kubernetes.upstreams = ['10.0.100.53'];
  };

  it("FAILs when its subnet's NACL blocks it, naming the NACL and rule (found by the subnet CIDRs)", () => {
    const check = audit((j) =>
      withResolverSubnet(j, [
        {
          RuleNumber: 50,
          Protocol: '17',
          RuleAction: 'deny',
          Egress: false,
          CidrBlock: '0.0.0.0/0',
          PortRange: { From: 53, To: 53 },
        },
      ]),
    )['NET-UPSTREAM-REACH']!;
    expect(check.status).toBe('FAIL');
    expect(JSON.stringify(check.evidence)).toContain('"naclId":"acl-0resolver000000001"');
    expect(check.evidence.summary).toContain('denied by rule 50');
  });

  it('PASSes with a note when SG egress and both NACLs allow it (its own groups are not visible)', () => {
    const check = audit((j) => withResolverSubnet(j, []))['NET-UPSTREAM-REACH']!;
    expect(check.status).toBe('PASS');
    expect(check.evidence.notes).toEqual([
      expect.stringContaining('no ENI in the snapshot owns 10.0.100.53'),
    ]);
  });

  it('stays ERROR when no subnet of the snapshot holds it (its NACL is unknown)', () => {
    const check = audit((j) => (j.kubernetes.upstreams = ['10.0.100.53']))['NET-UPSTREAM-REACH']!;
    expect(check.status).toBe('ERROR');
  });
});

describe('EKS-COREDNS-ADDON evidence always keeps the compatibility matrix', () => {
  it('keeps an (empty) matrix and the installed versions when SKIPPED for lack of version data', () => {
    const check = audit((j) => void delete j.addonVersions)['EKS-COREDNS-ADDON']!;
    expect(check.status).toBe('SKIPPED');
    expect(check.evidence.compatibilityMatrix).toEqual({});
    expect(check.evidence.addons).toEqual([
      expect.objectContaining({ addonName: 'coredns', installedVersion: 'v1.11.3-eksbuild.2' }),
      expect.objectContaining({ addonName: 'kube-proxy', installedVersion: 'v1.30.6-eksbuild.3' }),
    ]);
  });

  it('keeps the matrix it has beside a collection error', () => {
    const check = audit(
      (j) => (j.collectionErrors = [{ call: 'eks:DescribeAddon', code: 'AccessDeniedException' }]),
    )['EKS-COREDNS-ADDON']!;
    expect(check.status).toBe('ERROR');
    expect(Object.keys(check.evidence.compatibilityMatrix as object).sort()).toEqual([
      'coredns',
      'kube-proxy',
    ]);
  });

  it('says which add-on it could not judge instead of a bare PASS', () => {
    const check = audit(
      (j) => (j.addonVersions = j.addonVersions.filter((a: Json) => a.addonName === 'coredns')),
    )['EKS-COREDNS-ADDON']!;
    expect(check.status).toBe('PASS');
    expect(check.evidence.notes).toEqual([expect.stringMatching(/^kube-proxy not judged/)]);
  });
});

describe('branch ENIs recognised by their other marks', () => {
  it('treats an unattached aws-k8s-branch-eni without InterfaceType as a branch ENI of the cluster', () => {
    const checks = audit((j) => {
      j.securityGroups.push({ GroupId: 'sg-0pods00000000001', IpPermissions: [], IpPermissionsEgress: [] });
      j.networkInterfaces.push({
        NetworkInterfaceId: 'eni-0branch0000000001',
        SubnetId: SUBNET_A,
        Description: 'aws-k8s-branch-eni',
        Groups: [{ GroupId: 'sg-0pods00000000001' }],
        PrivateIpAddress: '10.0.5.5',
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.5.5', Primary: true }],
        TagSet: [{ Key: 'kubernetes.io/cluster/prod-a', Value: 'owned' }],
      });
    });
    const sg = checks['NET-SG-DNS-UDP']!;
    expect(sg.status).toBe('FAIL');
    expect(JSON.stringify(sg.evidence)).toContain('"client":"eni-0branch0000000001","clientKind":"branch"');
  });

  it('never treats an attached ENI with that description as a branch ENI', () => {
    const checks = audit((j) => {
      j.securityGroups.push({ GroupId: 'sg-0pods00000000001', IpPermissions: [], IpPermissionsEgress: [] });
      j.networkInterfaces.push({
        NetworkInterfaceId: 'eni-0other00000000001',
        SubnetId: SUBNET_A,
        Description: 'aws-k8s-branch-eni',
        Groups: [{ GroupId: 'sg-0pods00000000001' }],
        PrivateIpAddress: '10.0.5.6',
        Attachment: { InstanceId: 'i-0ffffffffffffffff' },
        TagSet: [{ Key: 'kubernetes.io/cluster/prod-a', Value: 'owned' }],
      });
    });
    expect(checks['NET-SG-DNS-UDP']!.status).toBe('PASS');
  });
});

describe('bounded evidence lists say so', () => {
  it('sets truncated when a blocked reason lists fewer sample pairs than it counts', () => {
    const variant = (extraEnis: number) => {
      const json = fixtureJson('02-sg-coredns-ingress-tcp-only');
      for (let i = 0; i < extraEnis; i++) {
        json.networkInterfaces.push({
          NetworkInterfaceId: `eni-0extra${String(i).padStart(10, '0')}`,
          SubnetId: 'subnet-0c33c0ffee0000c03',
          PrivateIpAddress: `10.0.81.${i + 1}`,
          Groups: [{ GroupId: 'sg-0e1c5a1b2c3d4e5f6' }],
          Attachment: { InstanceId: 'i-0c3d4e5f6a7b80933', DeviceIndex: i + 1 },
        });
      }
      return auditNetworkSnapshot(parseNetworkSnapshot(json)).find((c) => c.id === 'NET-SG-DNS-UDP')!;
    };
    const exact = variant(0);
    const blocked = exact.evidence.blocked as { pairs: number; samplePairs: unknown[] }[];
    expect(blocked[0]!.samplePairs).toHaveLength(blocked[0]!.pairs);
    expect(exact.evidence.truncated).toBeUndefined();
    const cut = variant(6);
    const cutBlocked = cut.evidence.blocked as { pairs: number; samplePairs: unknown[] }[];
    expect(cutBlocked).toHaveLength(1);
    expect(cutBlocked[0]!.samplePairs.length).toBeLessThan(cutBlocked[0]!.pairs);
    expect(cut.evidence.truncated).toBe(true);
  });
});

describe('collection errors without a check list', () => {
  it.each([
    ['ec2:DescribeSubnets', ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP', 'NET-UPSTREAM-REACH']],
    ['ec2:DescribeVpcs', ['NET-DHCP-OPTIONS', 'NET-UPSTREAM-REACH']],
  ])('%s errors the checks it feeds, quoting call and code', (call, ids) => {
    const checks = audit((j) => (j.collectionErrors = [{ call, code: 'RequestLimitExceeded' }]));
    for (const id of ids) {
      expect(checks[id]!.status, id).toBe('ERROR');
      expect(checks[id]!.evidence.reason).toContain(`${call} failed (RequestLimitExceeded)`);
    }
    expect(checks['NET-SG-DNS-UDP']!.status).toBe('PASS');
  });
});

describe('collectionErrors: a call is matched without regard to case or service prefix', () => {
  const VARIANT_CALL = fc
    .tuple(
      fc.constantFrom('', 'ec2:', 'EC2:', 'Ec2:'),
      fc.array(fc.boolean(), { minLength: 19, maxLength: 19 }),
    )
    .map(
      ([prefix, upper]) =>
        `${prefix}${[...'DescribeNetworkAcls'].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('')}`,
    );

  it('matches every case/prefix variant of a call name to the checks it feeds', () => {
    fc.assert(
      fc.property(VARIANT_CALL, (call) => {
        expect([...checksFedBy(call)]).toEqual([...checksFedBy('ec2:DescribeNetworkAcls')]);
        expect(checksFedBy(call)).toContain('NET-NACL-DNS-UDP');
      }),
    );
  });

  it('turns the NACL checks ERROR for any spelling of a failed DescribeNetworkAcls (fuzzed)', () => {
    const json = fixtureJson('01-healthy-baseline');
    fc.assert(
      fc.property(VARIANT_CALL, (call) => {
        const doc = structuredClone(json);
        doc.networkAcls = [];
        doc.collectionErrors = [{ call, code: 'Throttling' }];
        const checks = auditNetworkSnapshot(parseNetworkSnapshot(doc));
        for (const id of ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP']) {
          const check = checks.find((c) => c.id === id)!;
          expect(check.status).toBe('ERROR');
          expect(check.evidence.reason).toContain(call);
        }
      }),
      { numRuns: 25 },
    );
  });
});
