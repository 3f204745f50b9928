import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AWS_CHECK_IDS, auditNetworkSnapshot } from '../../../../../lambdas/core/checks/aws/index.js';
import { parseNetworkSnapshot, SnapshotError } from '../../../../../lambdas/core/snapshot/index.js';
import { fieldPaths, withField } from '../../../../support/json-fields.js';
import { fixtureJson, loadFixtures } from './fixtures.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PAIR_CHECKS = [
  'NET-SG-DNS-UDP',
  'NET-SG-DNS-TCP',
  'NET-NACL-DNS-UDP',
  'NET-NACL-DNS-TCP',
  'NET-UPSTREAM-REACH',
];
const fixtures = loadFixtures();
const statusesOf = (json: Json, options = {}) =>
  Object.fromEntries(auditNetworkSnapshot(parseNetworkSnapshot(json), options).map((c) => [c.id, c.status]));

const arbCidr = fc.constantFrom(
  '0.0.0.0/0',
  '10.0.0.0/16',
  '10.0.0.0/19',
  '10.0.32.0/19',
  '10.0.1.0/28',
  '::/0',
  '2600:1f18:4a3:6e00::/56',
  '192.0.2.0/24',
);
const arbSgRule = fc.record({
  ingress: fc.boolean(),
  group: fc.nat(),
  protocol: fc.constantFrom('-1', 'tcp', 'udp', '6', '17', 'icmp'),
  from: fc.integer({ min: 0, max: 65535 }),
  span: fc.integer({ min: 0, max: 65535 }),
  cidr: arbCidr,
});
const arbNaclEntry = fc.record({
  nacl: fc.nat(),
  rule: fc.integer({ min: 1, max: 32766 }),
  egress: fc.boolean(),
  protocol: fc.constantFrom('-1', '6', '17'),
  from: fc.integer({ min: 0, max: 65535 }),
  span: fc.integer({ min: 0, max: 65535 }),
  cidr: arbCidr,
});
const arbFixture = fc.constantFrom(...fixtures.filter((f) => !f.options).map((f) => f.fixture));

describe('audit properties over the fixtures (fast-check)', () => {
  it('adding a security-group allow rule never turns PASS into FAIL', () => {
    fc.assert(
      fc.property(arbFixture, arbSgRule, (fixture, r) => {
        const json = fixtureJson(fixture);
        fc.pre(json.securityGroups.length > 0);
        const before = statusesOf(json);
        const group = json.securityGroups[r.group % json.securityGroups.length];
        const v6 = r.cidr.includes(':');
        (r.ingress ? group.IpPermissions : group.IpPermissionsEgress).push({
          IpProtocol: r.protocol,
          FromPort: r.from,
          ToPort: Math.min(65535, r.from + r.span),
          ...(v6 ? { Ipv6Ranges: [{ CidrIpv6: r.cidr }] } : { IpRanges: [{ CidrIp: r.cidr }] }),
        });
        const after = statusesOf(json);
        for (const id of PAIR_CHECKS)
          if (before[id] === 'PASS') expect(after[id], `${fixture} ${id}`).not.toBe('FAIL');
      }),
      { numRuns: 80 },
    );
  });

  it('adding a NACL allow entry never turns PASS into FAIL', () => {
    fc.assert(
      fc.property(arbFixture, arbNaclEntry, (fixture, e) => {
        const json = fixtureJson(fixture);
        fc.pre(json.networkAcls.length > 0);
        const before = statusesOf(json);
        const nacl = json.networkAcls[e.nacl % json.networkAcls.length];
        fc.pre(!nacl.Entries.some((x: Json) => x.Egress === e.egress && x.RuleNumber === e.rule));
        nacl.Entries.push({
          RuleNumber: e.rule,
          Egress: e.egress,
          RuleAction: 'allow',
          Protocol: e.protocol,
          PortRange: { From: e.from, To: Math.min(65535, e.from + e.span) },
          ...(e.cidr.includes(':') ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
        });
        const after = statusesOf(json);
        for (const id of PAIR_CHECKS)
          if (before[id] === 'PASS') expect(after[id], `${fixture} ${id}`).not.toBe('FAIL');
      }),
      { numRuns: 80 },
    );
  });

  it('a deny entry numbered after an allow-all of the cluster family (0.0.0.0/0 for IPv4 clusters, ::/0 for IPv6) never changes any status', () => {
    fc.assert(
      fc.property(arbFixture, arbNaclEntry, fc.integer({ min: 1, max: 32000 }), (fixture, e, allowAt) => {
        const json = fixtureJson(fixture);
        fc.pre(json.networkAcls.length > 0 && json.kubernetes?.upstreams === undefined);
        const family = json.cluster.kubernetesNetworkConfig?.ipFamily === 'ipv6' ? '::/0' : '0.0.0.0/0';
        const nacl = json.networkAcls[e.nacl % json.networkAcls.length];
        // the allow-all of the cluster's family, in the direction the deny goes to
        nacl.Entries = nacl.Entries.filter((x: Json) => !(x.Egress === e.egress && x.RuleNumber === allowAt));
        nacl.Entries.push({
          RuleNumber: allowAt,
          Egress: e.egress,
          RuleAction: 'allow',
          Protocol: '-1',
          ...(family === '::/0' ? { Ipv6CidrBlock: family } : { CidrBlock: family }),
        });
        const before = statusesOf(json);
        const denyAt = allowAt + 1 + (e.rule % (32766 - allowAt));
        fc.pre(!nacl.Entries.some((x: Json) => x.Egress === e.egress && x.RuleNumber === denyAt));
        nacl.Entries.push({
          RuleNumber: denyAt,
          Egress: e.egress,
          RuleAction: 'deny',
          Protocol: e.protocol,
          PortRange: { From: e.from, To: Math.min(65535, e.from + e.span) },
          ...(e.cidr.includes(':') ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
        });
        expect(statusesOf(json)).toEqual(before);
      }),
      { numRuns: 80 },
    );
  });

  it('shuffling NACL entries, security-group rules and ENIs never changes any status', () => {
    fc.assert(
      fc.property(arbFixture, fc.integer(), (fixture, seed) => {
        const json = fixtureJson(fixture);
        const expected = statusesOf(json);
        let s = seed;
        const shuffle = <T>(items: T[]): T[] => {
          const out = [...items];
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        for (const nacl of json.networkAcls) nacl.Entries = shuffle(nacl.Entries);
        for (const g of json.securityGroups) {
          g.IpPermissions = shuffle(g.IpPermissions);
          g.IpPermissionsEgress = shuffle(g.IpPermissionsEgress);
        }
        json.networkInterfaces = shuffle(json.networkInterfaces);
        json.securityGroups = shuffle(json.securityGroups);
        expect(statusesOf(json)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on any snapshot the parser accepts (fuzzed field replacement)', () => {
    const base = fixtureJson('22-branch-eni-coredns-sgp-blocked');
    const paths = fieldPaths(base);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }), (path, junk) => {
        const json = withField(base as Json, path, junk);
        let snapshot;
        try {
          snapshot = parseNetworkSnapshot(json);
        } catch (err) {
          expect(err).toBeInstanceOf(SnapshotError);
          return;
        }
        expect(auditNetworkSnapshot(snapshot)).toHaveLength(AWS_CHECK_IDS.length);
      }),
      { numRuns: 300 },
    );
  });
});
