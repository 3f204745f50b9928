import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseNetworkSnapshot,
  parseVpcWideFields,
  SnapshotError,
  VPC_WIDE_FIELDS,
} from '../../../../lambdas/core/snapshot/index.js';
import { fieldPaths, withField } from '../../../support/json-fields.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const healthy = JSON.parse(
  readFileSync(
    new URL('../../../fixtures/snapshots/01-healthy-baseline.snapshot.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;
const clone = () => structuredClone(healthy) as Json;

/** The healthy snapshot as @2, with a `resolver` block shaped like route53resolver's answers. */
function resolverDoc(): Json {
  const doc = clone();
  doc.format = 'fleet-dns/network-snapshot@2';
  doc.kubernetes.images = [
    '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.1',
    'busybox:1.36',
  ];
  doc.resolver = {
    ruleAssociations: [
      {
        Id: 'rslvr-rrassoc-97242eaf88example',
        ResolverRuleId: 'rslvr-rr-5328a0899aexample',
        Name: 'corp',
        VPCId: doc.vpc.VpcId,
        Status: 'COMPLETE',
        StatusMessage: '',
      },
    ],
    rules: [
      {
        Id: 'rslvr-rr-5328a0899aexample',
        CreatorRequestId: '2020-01-01-18:47',
        Arn: 'arn:aws:route53resolver:eu-west-1:111122223333:resolver-rule/rslvr-rr-5328a0899aexample',
        DomainName: 'corp.example.com.',
        Status: 'COMPLETE',
        StatusMessage: '[Trace id: 1-5dc5c5f6-e2e8bca7ea5example] Successfully created Resolver Rule.',
        RuleType: 'FORWARD',
        Name: 'corp',
        TargetIps: [{ Ip: '192.0.2.10', Port: 53, Protocol: 'Do53' }],
        ResolverEndpointId: 'rslvr-out-fdc049932dexample',
        OwnerId: '111122223333',
        ShareStatus: 'NOT_SHARED',
      },
    ],
    endpoints: [
      {
        Id: 'rslvr-out-fdc049932dexample',
        Arn: 'arn:aws:route53resolver:eu-west-1:111122223333:resolver-endpoint/rslvr-out-fdc049932dexample',
        Name: 'out',
        SecurityGroupIds: ['sg-0f7e6d5c4b3a29180'],
        Direction: 'OUTBOUND',
        IpAddressCount: 2,
        HostVPCId: doc.vpc.VpcId,
        Status: 'OPERATIONAL',
        StatusMessage: 'This Resolver Endpoint is operational.',
        ResolverEndpointType: 'IPV4',
        Protocols: ['Do53'],
        IpAddresses: [
          {
            IpId: 'rni-1de60cdbfeexample',
            SubnetId: 'subnet-0a11c0ffee0000a01',
            Ip: '10.0.2.5',
            Status: 'ATTACHED',
          },
          {
            IpId: 'rni-2de60cdbfeexample',
            SubnetId: 'subnet-0b22c0ffee0000b02',
            Ip: '10.0.35.5',
            Status: 'ATTACHED',
          },
        ],
      },
    ],
    firewallConfig: {
      Id: 'rslvr-fc-86016850cexample',
      ResourceId: doc.vpc.VpcId,
      OwnerId: '111122223333',
      FirewallFailOpen: 'ENABLED',
    },
    firewallRuleGroupAssociations: [
      {
        Id: 'rslvr-frgassoc-57e8873d7example',
        FirewallRuleGroupId: 'rslvr-frg-47f93271fexample',
        VpcId: doc.vpc.VpcId,
        Name: 'fw',
        Priority: 101,
        MutationProtection: 'DISABLED',
        Status: 'COMPLETE',
      },
    ],
    firewallRules: [
      {
        FirewallRuleGroupId: 'rslvr-frg-47f93271fexample',
        FirewallDomainListId: 'rslvr-fdl-9e956e9ffexample',
        Name: 'block-bad',
        Priority: 10,
        Action: 'BLOCK',
        BlockResponse: 'NXDOMAIN',
      },
    ],
    firewallDomainLists: [
      { Id: 'rslvr-fdl-9e956e9ffexample', Name: 'bad', Domains: ['*.bad.example.', 'bad.example.'] },
    ],
  };
  return doc;
}

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
      (s) => void (s.format = 'fleet-dns/network-snapshot@3'),
      'format: expected "fleet-dns/network-snapshot@2" | "fleet-dns/network-snapshot@1", received string "fleet-dns/network-snapshot@3"',
    ],
    [
      'no format marker',
      (s) => void delete s.format,
      'format: expected "fleet-dns/network-snapshot@2" | "fleet-dns/network-snapshot@1", received nothing',
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

  describe('format @2 (Route 53 Resolver and DNS Firewall)', () => {
    it('reads a @2 snapshot with its resolver block and kubernetes.images, defaulting absent lists to none', () => {
      const doc = resolverDoc();
      delete doc.resolver.firewallRules;
      const snapshot = parseNetworkSnapshot(doc);
      expect(snapshot.format).toBe('fleet-dns/network-snapshot@2');
      expect(snapshot.resolver?.rules[0]?.DomainName).toBe('corp.example.com.');
      expect(snapshot.resolver?.endpoints[0]?.IpAddresses).toHaveLength(2);
      expect(snapshot.resolver?.firewallRules).toEqual([]);
      expect(snapshot.kubernetes?.images).toHaveLength(2);
    });

    it('still reads @1 unchanged: no resolver block, images default to none', () => {
      const snapshot = parseNetworkSnapshot(clone());
      expect(snapshot.format).toBe('fleet-dns/network-snapshot@1');
      expect(snapshot.resolver).toBeUndefined();
      expect(snapshot.kubernetes?.images).toEqual([]);
    });

    it.each<[string, (s: Json) => unknown, string]>([
      [
        'a rule without DomainName',
        (s) => void delete s.resolver.rules[0].DomainName,
        'resolver.rules[0].DomainName: required (expected string)',
      ],
      [
        'a target IP that is not an address',
        (s) => void (s.resolver.rules[0].TargetIps[0].Ip = '192.0.2'),
        'resolver.rules[0].TargetIps[0].Ip: expected an IPv4 address',
      ],
      [
        'a firewall rule priority given as text',
        (s) => void (s.resolver.firewallRules[0].Priority = '10'),
        'resolver.firewallRules[0].Priority: expected number, received string "10"',
      ],
      [
        'an endpoint IP without SubnetId',
        (s) => void delete s.resolver.endpoints[0].IpAddresses[1].SubnetId,
        'resolver.endpoints[0].IpAddresses[1].SubnetId: required (expected string)',
      ],
      [
        'domains given as a string',
        (s) => void (s.resolver.firewallDomainLists[0].Domains = 'bad.example.'),
        'resolver.firewallDomainLists[0].Domains: expected array, received string',
      ],
      [
        'images given as a string',
        (s) => void (s.kubernetes.images = 'x'),
        'kubernetes.images: expected array',
      ],
      [
        'two associated rules for one domain name',
        (s) => {
          const twin = { ...s.resolver.rules[0], Id: 'rslvr-rr-0twin', DomainName: 'CORP.example.com' };
          s.resolver.rules.push(twin);
          s.resolver.ruleAssociations.push({ ResolverRuleId: 'rslvr-rr-0twin', Status: 'COMPLETE' });
        },
        'resolver.rules[1].DomainName: rslvr-rr-0twin and rslvr-rr-5328a0899aexample are both associated for corp.example.com',
      ],
      [
        'one rule id with two contents',
        (s) => void s.resolver.rules.push({ ...s.resolver.rules[0], TargetIps: [] }),
        'resolver.rules[1].Id: rslvr-rr-5328a0899aexample appears twice with different content',
      ],
    ])('rejects %s naming the field', (_name, mutate, message) => {
      const doc = resolverDoc();
      mutate(doc);
      try {
        parseNetworkSnapshot(doc);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(SnapshotError);
        expect((err as Error).message).toContain(message);
        expect((err as Error).message).not.toContain('\n');
      }
    });

    it('never throws anything but SnapshotError when a field of a @2 snapshot is replaced by junk (fuzzed)', () => {
      const base = resolverDoc();
      const paths = fieldPaths({ resolver: base.resolver, kubernetes: { images: base.kubernetes.images } });
      fc.assert(
        fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
          const doc = withField(base as Json, path, junk);
          try {
            parseNetworkSnapshot(doc);
          } catch (err) {
            expect(err).toBeInstanceOf(SnapshotError);
            expect((err as Error).message).toMatch(/^(resolver|kubernetes)\b/);
          }
        }),
        { numRuns: 300 },
      );
    });
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
    const paths = fieldPaths(healthy);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
        const doc = withField(healthy as Json, path, junk);
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

describe('parseNetworkSnapshot with the VPC-wide fields validated apart (parseVpcWideFields)', () => {
  /** The cluster's own fields of `doc` and its VPC's, as collect-region hands them over. */
  function split(doc: Json): { own: Json; vpc: Json } {
    const own: Json = {};
    const vpc: Json = {};
    for (const [k, v] of Object.entries(doc))
      ((VPC_WIDE_FIELDS as readonly string[]).includes(k) ? vpc : own)[k] = v;
    return { own, vpc };
  }
  /** The outcome of a parse: the snapshot's JSON text, or the error's message. */
  function outcome(parse: () => unknown): string {
    try {
      return `ok ${JSON.stringify(parse())}`;
    } catch (err) {
      expect(err).toBeInstanceOf(SnapshotError);
      return `error ${(err as Error).message}`;
    }
  }
  const apart = (doc: Json) => {
    const { own, vpc } = split(doc);
    return outcome(() => parseNetworkSnapshot(own, parseVpcWideFields(vpc)));
  };
  const whole = (doc: Json) => outcome(() => parseNetworkSnapshot(doc));

  const fixtures = readdirSync(new URL('../../../fixtures/snapshots/', import.meta.url)).filter((f) =>
    f.endsWith('.snapshot.json'),
  );

  it.each(fixtures)('reads %s exactly as the whole document, fields in the same order', (file) => {
    const doc = JSON.parse(
      readFileSync(new URL(`../../../fixtures/snapshots/${file}`, import.meta.url), 'utf8'),
    ) as Json;
    const expected = whole(doc);
    expect(expected.startsWith('ok ')).toBe(true);
    expect(apart(doc)).toBe(expected);
  });

  it('hands out frozen VPC fields: the clusters of a VPC share them', () => {
    const { own, vpc } = split(clone());
    const fields = parseVpcWideFields(vpc);
    const a = parseNetworkSnapshot(own, fields);
    const b = parseNetworkSnapshot(structuredClone(own), fields);
    expect(a.networkInterfaces[0]).toBe(b.networkInterfaces[0]);
    expect(Object.isFrozen(a.networkInterfaces[0])).toBe(true);
    expect(() => {
      (a.securityGroups[0]!.IpPermissions as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it('names the same field and refuses the same contradictions as the whole document (fuzzed)', () => {
    const base = resolverDoc();
    const paths = fieldPaths(base);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
        const doc = withField(base as Json, path, junk);
        expect(apart(structuredClone(doc))).toBe(whole(doc));
      }),
      { numRuns: 300 },
    );
    // A duplicate ENI with other content, and a VPC that is not the cluster's: both still refused.
    const twice = clone();
    twice.networkInterfaces.push({ ...twice.networkInterfaces[0], SubnetId: 'subnet-elsewhere' });
    expect(apart(twice)).toMatch(/^error networkInterfaces\[\d+\]\.NetworkInterfaceId: .* appears twice/);
    const elsewhere = clone();
    elsewhere.vpc.VpcId = 'vpc-0someoneelse';
    expect(apart(elsewhere)).toMatch(/^error vpc\.VpcId: vpc-0someoneelse is not the cluster's VPC/);
  });
});
