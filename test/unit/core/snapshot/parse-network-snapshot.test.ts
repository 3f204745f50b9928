import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNetworkSnapshot, SnapshotError } from '../../../../lambdas/core/snapshot/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const healthy = JSON.parse(
  readFileSync(
    new URL('../../../fixtures/snapshots/01-healthy-baseline.snapshot.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;
const clone = () => structuredClone(healthy) as Json;

function problemOf(mutate: (s: Json) => unknown): string {
  const doc = clone();
  const replaced = mutate(doc);
  try {
    parseNetworkSnapshot(replaced === undefined ? doc : replaced);
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotError);
    return (err as Error).message;
  }
  throw new Error('expected a SnapshotError');
}

describe('parseNetworkSnapshot', () => {
  it('accepts a realistic snapshot, defaults missing optional arrays to none and keeps unknown fields harmlessly', () => {
    const doc = clone();
    delete doc.prefixLists;
    doc.someFutureField = { nested: true };
    const snapshot = parseNetworkSnapshot(doc);
    expect(snapshot.prefixLists).toEqual([]);
    expect(snapshot.collectionErrors).toEqual([]);
    expect(snapshot.cluster.name).toBe('prod-a');
    expect(snapshot.networkInterfaces.length).toBeGreaterThan(3);
  });

  it.each<[string, (s: Json) => unknown, string]>([
    ['not an object', () => 42, '(document): expected a JSON object'],
    ['an array', () => [], '(document): expected a JSON object'],
    [
      'wrong format marker',
      (s) => void (s.format = 'fleet-dns/network-snapshot@2'),
      'format: expected "fleet-dns/network-snapshot@1", received string "fleet-dns/network-snapshot@2"',
    ],
    [
      'no format marker',
      (s) => void delete s.format,
      'format: expected "fleet-dns/network-snapshot@1", received nothing',
    ],
    ['missing cluster', (s) => void delete s.cluster, 'cluster: required (expected object)'],
    ['missing vpc', (s) => void delete s.vpc, 'vpc: required (expected object)'],
    ['cluster without a name', (s) => void delete s.cluster.name, 'cluster.name: required (expected string)'],
    [
      'a FromPort given as text',
      (s) => void (s.securityGroups[2].IpPermissions[0].FromPort = '443'),
      'securityGroups[2].IpPermissions[0].FromPort: expected number, received string "443"',
    ],
    [
      'an unknown protocol',
      (s) => void (s.securityGroups[0].IpPermissions[0].IpProtocol = 'dns'),
      'securityGroups[0].IpPermissions[0].IpProtocol: expected a protocol name',
    ],
    [
      'a bad CIDR',
      (s) => void (s.securityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp = '0.0.0.0/33'),
      'securityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp: expected an IPv4 CIDR block',
    ],
    [
      'an IPv6 CIDR where IPv4 belongs',
      (s) => void (s.vpc.CidrBlock = '2600::/56'),
      'vpc.CidrBlock: expected an IPv4 CIDR block',
    ],
    [
      'a NACL action that is not allow/deny',
      (s) => void (s.networkAcls[0].Entries[0].RuleAction = 'permit'),
      'networkAcls[0].Entries[0].RuleAction: expected "allow" | "deny", received string "permit"',
    ],
    [
      'a NACL rule number out of range',
      (s) => void (s.networkAcls[0].Entries[0].RuleNumber = 40000),
      'networkAcls[0].Entries[0].RuleNumber',
    ],
    [
      'an ENI without SubnetId',
      (s) => void delete s.networkInterfaces[1].SubnetId,
      'networkInterfaces[1].SubnetId: required (expected string)',
    ],
    [
      'a pod IP that is not an address',
      (s) => void (s.kubernetes.dnsPods[0].podIP = '10.0.1'),
      'kubernetes.dnsPods[0].podIP: expected an IPv4 or IPv6 address',
    ],
    [
      'an account id of the wrong length',
      (s) => void (s.accountId = '1234'),
      'accountId: expected a 12-digit AWS account id',
    ],
    [
      'a list given as an object',
      (s) => void (s.subnets = { SubnetId: 'x' }),
      'subnets: expected array, received object',
    ],
  ])('rejects %s naming the field', (_name, mutate, message) => {
    const text = problemOf(mutate);
    expect(text).toContain(message);
    expect(text).not.toContain('\n');
  });

  it('refuses an inverted TCP/UDP port range (it would read as "every port"), naming the field; ICMP type/code may run either way', () => {
    expect(
      problemOf(
        (s) => void s.securityGroups[0].IpPermissions.push({ IpProtocol: 'udp', FromPort: 60, ToPort: 53 }),
      ),
    ).toBe(
      'securityGroups[0].IpPermissions[1].ToPort: expected a port ≥ the range start 60 (protocol udp), received 53',
    );
    expect(
      problemOf(
        (s) =>
          void s.networkAcls[0].Entries.push({
            RuleNumber: 5,
            Protocol: '6',
            RuleAction: 'allow',
            Egress: false,
            CidrBlock: '0.0.0.0/0',
            PortRange: { From: 60999, To: 32768 },
          }),
      ),
    ).toContain('networkAcls[0].Entries[4].PortRange.To: expected a port ≥ the range start 60999');
    const icmp = clone();
    icmp.securityGroups[0].IpPermissions.push({ IpProtocol: 'icmp', FromPort: 8, ToPort: 0 });
    expect(() => parseNetworkSnapshot(icmp)).not.toThrow();
  });

  it('lists every problem on the error and at most three in its one-line message', () => {
    const doc = clone();
    for (const g of doc.securityGroups) g.GroupId = 7;
    doc.region = 'EU WEST';
    try {
      parseNetworkSnapshot(doc);
      expect.unreachable();
    } catch (err) {
      const e = err as SnapshotError;
      expect(e.problems.length).toBe(4);
      expect(e.message).toMatch(/\(and 1 more\)$/);
    }
  });

  it('never throws anything but SnapshotError, whatever the JSON (fuzzed)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseNetworkSnapshot(value);
        } catch (err) {
          expect(err).toBeInstanceOf(SnapshotError);
        }
      }),
    );
  });

  it('never throws anything but SnapshotError when a field of a real snapshot is replaced by junk (fuzzed)', () => {
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (path.length > 0) paths.push(path);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    };
    walk(healthy, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
        const doc = clone();
        let target: Json = doc;
        for (const key of path.slice(0, -1)) target = target[key];
        target[path.at(-1)!] = junk;
        try {
          parseNetworkSnapshot(doc);
        } catch (err) {
          expect(err).toBeInstanceOf(SnapshotError);
          expect((err as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  describe('a snapshot that contradicts itself is unusable (network-snapshot.md)', () => {
    it.each([
      ['networkInterfaces', 'NetworkInterfaceId', (x: Json): void => void (x.SubnetId = 'subnet-elsewhere')],
      ['securityGroups', 'GroupId', (x: Json): void => void (x.IpPermissions = [])],
      ['networkAcls', 'NetworkAclId', (x: Json): void => void (x.Entries = [])],
    ] as const)('refuses the same %s id twice with different content, naming it', (list, idField, change) => {
      const message = problemOf((doc) => {
        const copy = structuredClone(doc[list][0]);
        change(copy);
        doc[list].push(copy);
      });
      const id = (healthy[list] as Json[])[0]![idField] as string;
      expect(message).toMatch(
        new RegExp(`^${list}\\[\\d+\\]\\.${idField}: ${id} appears twice with different content`),
      );
    });

    it('merges identical duplicates (a collector that read one page twice)', () => {
      const doc = clone();
      for (const list of ['networkInterfaces', 'securityGroups', 'networkAcls'])
        doc[list].push(structuredClone(doc[list][0]));
      const parsed = parseNetworkSnapshot(doc);
      expect(parsed.networkInterfaces).toHaveLength((healthy.networkInterfaces as Json[]).length);
      expect(parsed.securityGroups).toHaveLength((healthy.securityGroups as Json[]).length);
      expect(parsed.networkAcls).toHaveLength((healthy.networkAcls as Json[]).length);
    });

    it("refuses a vpc that is not the cluster's VPC", () => {
      const message = problemOf((doc) => void (doc.vpc.VpcId = 'vpc-0someoneelse'));
      expect(message).toMatch(
        /^vpc\.VpcId: vpc-0someoneelse is not the cluster's VPC \(cluster\.resourcesVpcConfig\.vpcId vpc-/,
      );
    });

    it('refuses a collectionErrors entry naming a check id that does not exist', () => {
      const message = problemOf(
        (doc) =>
          void (doc.collectionErrors = [
            { call: 'ec2:DescribeNetworkAcls', code: 'Throttling', checks: ['NET-NACL-DNS-UPD'] },
          ]),
      );
      expect(message).toBe('collectionErrors[0].checks[0]: "NET-NACL-DNS-UPD" is not a check id');
    });
  });
});
