import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileNacl,
  evaluateNaclDirection,
  LINUX_EPHEMERAL_RANGE,
  NaclIndex,
  parseIpAddress,
  singlePort,
  TCP,
  UDP,
} from '../../../../lambdas/core/network/index.js';
import type { NaclDirection } from '../../../../lambdas/core/network/index.js';
import type { SnapshotNetworkAclEntry } from '../../../../lambdas/core/snapshot/index.js';
import { acl, entry } from './builders.js';

const client = parseIpAddress('10.0.65.20');
const client6 = parseIpAddress('2600:1f18:4a3:6e02:c1d2::9');
const finalDeny = [
  entry(32767, false, 'deny', '-1', '0.0.0.0/0'),
  entry(32767, true, 'deny', '-1', '0.0.0.0/0'),
];
const finalDeny6 = [entry(32768, false, 'deny', '-1', '::/0'), entry(32768, true, 'deny', '-1', '::/0')];

function judge(
  entries: SnapshotNetworkAclEntry[],
  direction: NaclDirection,
  protocol: number,
  peer = client,
  ports = singlePort(53),
) {
  return evaluateNaclDirection(compileNacl(acl('acl-test', entries)), direction, { protocol, peer, ports });
}

describe('network ACL evaluation', () => {
  it.each([
    ['allow-all 100', 'allow', 100, [entry(100, false, 'allow', '-1', '0.0.0.0/0')]],
    ['only the final deny', 'deny', '*', []],
    [
      'deny udp/53 at 90 before allow-all at 100',
      'deny',
      90,
      [entry(90, false, 'deny', '17', '0.0.0.0/0', [53, 53]), entry(100, false, 'allow', '-1', '0.0.0.0/0')],
    ],
    [
      'allow-all at 100 before deny at 200',
      'allow',
      100,
      [entry(200, false, 'deny', '-1', '0.0.0.0/0'), entry(100, false, 'allow', '-1', '0.0.0.0/0')],
    ],
    ['a TCP rule does not match UDP', 'deny', '*', [entry(100, false, 'allow', '6', '0.0.0.0/0', [53, 53])]],
    [
      'a rule for another source CIDR does not match',
      'deny',
      '*',
      [entry(100, false, 'allow', '-1', '10.0.0.0/19')],
    ],
    [
      'a rule for the client subnet matches',
      'allow',
      100,
      [entry(100, false, 'allow', '17', '10.0.64.0/19', [53, 53])],
    ],
    [
      'an egress rule says nothing about ingress',
      'deny',
      '*',
      [entry(100, true, 'allow', '-1', '0.0.0.0/0')],
    ],
    ['a port range around 53', 'allow', 100, [entry(100, false, 'allow', '17', '0.0.0.0/0', [0, 1023])]],
    ['a port range beside 53', 'deny', '*', [entry(100, false, 'allow', '17', '0.0.0.0/0', [54, 1023])]],
  ] as const)('ingress udp/53: %s → %s by rule %s', (_name, verdict, rule, entries) => {
    const result = judge([...entries, ...finalDeny], 'ingress', UDP);
    expect(result.verdict).toBe(verdict);
    expect(result.rule).toBe(rule);
  });

  it('judges the whole ephemeral range: partial coverage is "partial", naming the deciding rules', () => {
    const result = judge(
      [
        entry(100, false, 'allow', '6', '0.0.0.0/0', [1024, 40000]),
        entry(110, false, 'deny', '6', '0.0.0.0/0', [50000, 65535]),
        ...finalDeny,
      ],
      'ingress',
      TCP,
      client,
      LINUX_EPHEMERAL_RANGE,
    );
    expect(result.verdict).toBe('partial');
    expect(result.segments).toEqual([
      { from: 32768, to: 40000, action: 'allow', rule: 100 },
      { from: 40001, to: 49999, action: 'deny', rule: '*' },
      { from: 50000, to: 60999, action: 'deny', rule: 110 },
    ]);
    expect(result.rule).toBe('*');
  });

  it('passes the ephemeral range when 1024-65535 is allowed, as AWS recommends', () => {
    const result = judge(
      [entry(100, false, 'allow', '17', '0.0.0.0/0', [1024, 65535]), ...finalDeny],
      'ingress',
      UDP,
      client,
      LINUX_EPHEMERAL_RANGE,
    );
    expect(result).toMatchObject({ verdict: 'allow', rule: 100 });
  });

  it('evaluates IPv6 traffic only against IPv6 entries, falling to the ::/0 deny listed as 32768', () => {
    const entries = [entry(100, false, 'allow', '-1', '0.0.0.0/0'), ...finalDeny, ...finalDeny6];
    expect(judge(entries, 'ingress', UDP, client6)).toMatchObject({ verdict: 'deny', rule: '*' });
    expect(
      judge([entry(101, false, 'allow', '-1', '::/0'), ...entries], 'ingress', UDP, client6),
    ).toMatchObject({ verdict: 'allow', rule: 101 });
  });

  it("maps a subnet to its associated NACL, else the VPC's default", () => {
    const index = new NaclIndex([acl('acl-default', [], [], true), acl('acl-custom', [], ['subnet-a'])]);
    expect(index.forSubnet('subnet-a')).toMatchObject({ via: 'association', nacl: { id: 'acl-custom' } });
    expect(index.forSubnet('subnet-z')).toMatchObject({ via: 'default', nacl: { id: 'acl-default' } });
    expect(new NaclIndex([acl('acl-custom', [], ['subnet-a'])]).forSubnet('subnet-z')).toBeUndefined();
  });
});

// ── properties (fast-check) ─────────────────────────────────────────────────────────────────
const arbV4Cidr = fc.constantFrom(
  '0.0.0.0/0',
  '10.0.0.0/16',
  '10.0.64.0/19',
  '10.0.65.0/24',
  '10.0.0.0/19',
  '192.168.0.0/16',
);
const arbV6Cidr = fc.constantFrom('::/0', '2600:1f18:4a3:6e00::/56', '2600:1f18:4a3:6e02::/64', 'fd00::/8');
const arbEntry = (family: 'ipv4' | 'ipv6' | 'both') =>
  fc
    .record({
      rule: fc.integer({ min: 1, max: 32766 }),
      egress: fc.boolean(),
      action: fc.constantFrom('allow' as const, 'deny' as const),
      protocol: fc.constantFrom('-1', '6', '17', '1'),
      cidr: family === 'ipv4' ? arbV4Cidr : family === 'ipv6' ? arbV6Cidr : fc.oneof(arbV4Cidr, arbV6Cidr),
      from: fc.integer({ min: 0, max: 65535 }),
      span: fc.integer({ min: 0, max: 65535 }),
    })
    .map((e) =>
      entry(e.rule, e.egress, e.action, e.protocol, e.cidr, [e.from, Math.min(65535, e.from + e.span)]),
    );
/** Entries with unique rule numbers per direction, as the API enforces. */
const arbEntries = (family: 'ipv4' | 'ipv6' | 'both') =>
  fc.uniqueArray(arbEntry(family), { maxLength: 12, selector: (e) => `${e.Egress}-${e.RuleNumber}` });
const arbTraffic = fc.record({
  direction: fc.constantFrom<NaclDirection>('ingress', 'egress'),
  protocol: fc.constantFrom(TCP, UDP),
  peer: fc.oneof(
    fc.constantFrom('10.0.65.20', '10.0.1.23', '192.168.1.1', '172.16.0.1').map(parseIpAddress),
    fc.constantFrom('2600:1f18:4a3:6e02::9', 'fd00::1', '2001:db8::1').map(parseIpAddress),
  ),
  ports: fc.oneof(
    fc.constant(singlePort(53)),
    fc.constant(LINUX_EPHEMERAL_RANGE),
    fc.integer({ min: 1, max: 65535 }).map(singlePort),
  ),
});
interface Traffic {
  direction: NaclDirection;
  protocol: number;
  peer: ReturnType<typeof parseIpAddress>;
  ports: { from: number; to: number };
}
const verdictOf = (entries: SnapshotNetworkAclEntry[], t: Traffic) =>
  evaluateNaclDirection(compileNacl(acl('acl-prop', entries)), t.direction, {
    protocol: t.protocol,
    peer: t.peer,
    ports: t.ports,
  });
const RANK = { deny: 0, partial: 1, allow: 2 } as const;

describe('network ACL properties', () => {
  it('shuffling the entry order never changes a verdict (IPv4 and IPv6 entries)', () => {
    fc.assert(
      fc.property(arbEntries('both'), arbTraffic, fc.integer(), (entries, traffic, seed) => {
        const shuffled = [...entries].sort(
          (a, b) => ((a.RuleNumber * 7919 + seed) % 101) - ((b.RuleNumber * 7919 + seed) % 101),
        );
        const reversed = [...entries].reverse();
        const expected = verdictOf(entries, traffic);
        expect(verdictOf(shuffled, traffic)).toEqual(expected);
        expect(verdictOf(reversed, traffic)).toEqual(expected);
      }),
    );
  });

  it('adding an allow entry never makes a verdict worse (so never turns PASS into FAIL)', () => {
    fc.assert(
      fc.property(arbEntries('both'), arbEntry('both'), arbTraffic, (entries, extra, traffic) => {
        fc.pre(!entries.some((e) => e.Egress === extra.Egress && e.RuleNumber === extra.RuleNumber));
        const allow = { ...extra, RuleAction: 'allow' as const };
        const before = verdictOf(entries, traffic).verdict;
        const after = verdictOf([...entries, allow], traffic).verdict;
        expect(RANK[after]).toBeGreaterThanOrEqual(RANK[before]);
      }),
    );
  });

  it('for IPv4 traffic, a deny entry numbered after an IPv4 allow-all (-1, 0.0.0.0/0) in the same direction never changes the verdict', () => {
    fc.assert(
      fc.property(
        arbEntries('both'),
        fc.integer({ min: 1, max: 32765 }),
        arbEntry('both'),
        arbTraffic,
        (entries, allowAt, extra, traffic) => {
          fc.pre(traffic.peer.family === 'ipv4');
          const egress = traffic.direction === 'egress';
          const base = [
            ...entries.filter((e) => !(e.Egress === egress && e.RuleNumber === allowAt)),
            entry(allowAt, egress, 'allow', '-1', '0.0.0.0/0'),
          ];
          const deny = {
            ...extra,
            Egress: egress,
            RuleAction: 'deny' as const,
            RuleNumber: allowAt + 1 + (extra.RuleNumber % (32766 - allowAt)),
          };
          fc.pre(!base.some((e) => e.Egress === egress && e.RuleNumber === deny.RuleNumber));
          expect(verdictOf([...base, deny], traffic).verdict).toBe(verdictOf(base, traffic).verdict);
        },
      ),
    );
  });

  it('for IPv6 traffic the same holds only with an IPv6 allow-all (::/0)', () => {
    fc.assert(
      fc.property(
        arbEntries('both'),
        fc.integer({ min: 1, max: 32765 }),
        arbEntry('both'),
        arbTraffic,
        (entries, allowAt, extra, traffic) => {
          fc.pre(traffic.peer.family === 'ipv6');
          const egress = traffic.direction === 'egress';
          const base = [
            ...entries.filter((e) => !(e.Egress === egress && e.RuleNumber === allowAt)),
            entry(allowAt, egress, 'allow', '-1', '::/0'),
          ];
          const deny = {
            ...extra,
            Egress: egress,
            RuleAction: 'deny' as const,
            RuleNumber: allowAt + 1 + (extra.RuleNumber % (32766 - allowAt)),
          };
          fc.pre(!base.some((e) => e.Egress === egress && e.RuleNumber === deny.RuleNumber));
          expect(verdictOf([...base, deny], traffic).verdict).toBe(verdictOf(base, traffic).verdict);
        },
      ),
    );
  });

  it('counterexample: an IPv4 allow-all says nothing about IPv6, so a later ::/0 deny does change IPv6 verdicts', () => {
    const traffic = { direction: 'ingress' as const, protocol: UDP, peer: client6, ports: singlePort(53) };
    const base = [entry(100, false, 'allow', '-1', '0.0.0.0/0'), entry(200, false, 'allow', '-1', '::/0')];
    expect(verdictOf(base, traffic).verdict).toBe('allow');
    expect(verdictOf([...base, entry(150, false, 'deny', '-1', '::/0')], traffic).verdict).toBe('deny');
  });
});
