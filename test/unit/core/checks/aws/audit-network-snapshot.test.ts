import { describe, expect, it } from 'vitest';
import {
  auditNetworkSnapshot,
  AWS_CHECK_IDS,
  AwsAuditError,
} from '../../../../../lambdas/core/checks/aws/index.js';
import { CHECK_CATALOG } from '../../../../../lambdas/core/catalog/index.js';
import { diagnose } from '../../../../../lambdas/core/diagnosis/index.js';
import { checkResultSchema } from '../../../../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../../../../lambdas/core/snapshot/index.js';
import { fixtureJson, loadFixtures } from './fixtures.js';

const fixtures = loadFixtures();
/** Section A and the two § C checks the snapshot decides (Resolver data, @2), in catalog order. */
const RESOLVER_CHECKS = ['NET-RESOLVER-RULES', 'NET-DNS-FIREWALL'];
const SECTION_A = CHECK_CATALOG.filter((m) => m.section === 'A' || RESOLVER_CHECKS.includes(m.id)).map(
  (m) => m.id,
);

describe('auditNetworkSnapshot on the fixtures', () => {
  it('has at least 25 fixtures, each with the expected status of every AWS-side check', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    for (const f of fixtures) expect(Object.keys(f.expected).sort()).toEqual([...SECTION_A].sort());
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const all = auditNetworkSnapshot(parseNetworkSnapshot(fixtureJson(f.fixture)), f.options);
    // every AWS-side check, always, in catalog order; the fixtures judge section A and the two
    // Resolver checks (EKS-COMPUTE-MODE is judged in its own tests)
    expect(all.map((c) => c.id)).toEqual(AWS_CHECK_IDS);
    const checks = all.filter((c) => SECTION_A.includes(c.id));
    expect(checks.map((c) => c.id)).toEqual(SECTION_A);
    const statuses = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    expect(statuses, f.rule).toEqual(f.expected);
    for (const check of checks) {
      expect(checkResultSchema.safeParse(check).success, `${check.id} matches the result schema`).toBe(true);
      expect(typeof check.evidence.summary, `${check.id} has a one-line summary`).toBe('string');
      const evidence = JSON.stringify(check.evidence);
      for (const mention of f.mentions[check.id] ?? [])
        expect(evidence, `${check.id} evidence`).toContain(mention);
    }
  });
});

describe('auditNetworkSnapshot', () => {
  const healthy = () => parseNetworkSnapshot(fixtureJson('01-healthy-baseline'));

  it('exports the ten section-A ids, the two Resolver checks and EKS-COMPUTE-MODE in catalog order', () => {
    expect(AWS_CHECK_IDS).toEqual([...SECTION_A, 'EKS-COMPUTE-MODE']);
    expect(AWS_CHECK_IDS).toHaveLength(13);
  });

  it.each([
    [{ from: 60999, to: 32768 }],
    [{ from: 0, to: 100 }],
    [{ from: 1, to: 70000 }],
    [{ from: 1.5, to: 100 }],
  ])('refuses an unusable ephemeral range %j with AwsAuditError', (range) => {
    expect(() => auditNetworkSnapshot(healthy(), { ephemeralRange: range })).toThrow(AwsAuditError);
  });

  it('names the deciding NACL rule and both sides of a blocked pair', () => {
    const checks = auditNetworkSnapshot(
      parseNetworkSnapshot(fixtureJson('14-nacl-deny-udp53-into-coredns-subnet')),
    );
    const udp = checks.find((c) => c.id === 'NET-NACL-DNS-UDP')!;
    const blocked = udp.evidence.blocked as {
      elements: Record<string, unknown>[];
      samplePairs: Record<string, unknown>[];
    }[];
    expect(blocked[0]!.elements).toEqual([
      expect.objectContaining({
        element: 'network-acl',
        naclId: 'acl-0c9d8e7f6a5b4c3d2',
        side: 'server',
        direction: 'ingress',
        leg: 'request',
        ports: '53',
        verdict: 'deny',
        rule: 90,
      }),
    ]);
    expect(blocked[0]!.samplePairs[0]).toMatchObject({
      corednsPod: 'coredns-787cb67946-9qwzt',
      clientKind: 'node',
    });
    expect(udp.evidence.resources).toEqual(
      expect.arrayContaining(['acl-0c9d8e7f6a5b4c3d2', 'coredns-787cb67946-9qwzt']),
    );
  });

  it('bounds the blocked-pair list for large fleets and says so', () => {
    const json = fixtureJson('02-sg-coredns-ingress-tcp-only');
    // 40 extra node ENIs, each with its own group that allows no egress: 40 distinct reasons
    for (let i = 0; i < 40; i++) {
      const id = `sg-0bench${String(i).padStart(11, '0')}`;
      json.securityGroups.push({ GroupId: id, IpPermissions: [], IpPermissionsEgress: [] });
      json.networkInterfaces.push({
        NetworkInterfaceId: `eni-0bench${String(i).padStart(10, '0')}`,
        SubnetId: 'subnet-0c33c0ffee0000c03',
        PrivateIpAddress: `10.0.80.${i + 1}`,
        PrivateIpAddresses: [{ PrivateIpAddress: `10.0.80.${i + 1}`, Primary: true }],
        Groups: [{ GroupId: id }],
        Attachment: { InstanceId: 'i-0c3d4e5f6a7b80933', DeviceIndex: i + 1 },
      });
    }
    const sg = auditNetworkSnapshot(parseNetworkSnapshot(json)).find((c) => c.id === 'NET-SG-DNS-UDP')!;
    expect(sg.status).toBe('FAIL');
    expect((sg.evidence.blocked as unknown[]).length).toBe(20);
    expect(sg.evidence.truncated).toBe(true);
    expect((sg.evidence.pairs as { blocked: number }).blocked).toBeGreaterThan(80);
  });

  it('feeds the diagnosis: a UDP path block is network-path (confirmed), a TCP-only block is tcp-blocked', () => {
    const udp = diagnose(
      auditNetworkSnapshot(parseNetworkSnapshot(fixtureJson('02-sg-coredns-ingress-tcp-only'))),
    );
    expect(udp[0]).toMatchObject({
      cause: 'network-path',
      confidence: 'confirmed',
      checks: ['NET-SG-DNS-UDP'],
    });
    expect(udp[0]!.resources).toContain('sg-0e1c5a1b2c3d4e5f6');
    const tcp = diagnose(auditNetworkSnapshot(parseNetworkSnapshot(fixtureJson('03-sg-udp-only'))));
    expect(tcp.map((d) => d.cause)).toContain('tcp-blocked');
    const spread = diagnose(
      auditNetworkSnapshot(parseNetworkSnapshot(fixtureJson('31-coredns-pods-share-an-eni'))),
    );
    expect(spread).toEqual([expect.objectContaining({ cause: 'resolver-throttling', confidence: 'risk' })]);
    expect(diagnose(auditNetworkSnapshot(healthy()))).toEqual([
      expect.objectContaining({ cause: 'healthy' }),
    ]);
  });
});
