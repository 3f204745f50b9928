import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateSecurityGroupPath,
  parseIpAddress,
  SecurityGroupIndex,
  TCP,
  UDP,
} from '../../../../lambdas/core/network/index.js';
import type { SecurityGroupPeer } from '../../../../lambdas/core/network/index.js';
import { group, rule } from './builders.js';

const client: SecurityGroupPeer = { address: parseIpAddress('10.0.1.20'), groupIds: ['sg-client'] };
const coredns: SecurityGroupPeer = { address: parseIpAddress('10.0.34.7'), groupIds: ['sg-coredns'] };
const openEgress = group('sg-client', [], [rule('-1', undefined, { cidrs: ['0.0.0.0/0'] })]);

/** Ingress rules of the CoreDNS group vs. the flow: the rule matrix of the security-group evaluator. */
describe('security group ingress matching', () => {
  it.each([
    ['all traffic from the VPC CIDR', rule('-1', undefined, { cidrs: ['10.0.0.0/16'] }), UDP, 'allow'],
    ['udp/53 from the client group', rule('udp', [53, 53], { groups: ['sg-client'] }), UDP, 'allow'],
    [
      '"17"/53 (protocol number) from the client group',
      rule('17', [53, 53], { groups: ['sg-client'] }),
      UDP,
      'allow',
    ],
    ['"6"/53 is TCP, not UDP', rule('6', [53, 53], { groups: ['sg-client'] }), UDP, 'deny'],
    ['tcp 0-65535 from the client group', rule('tcp', [0, 65535], { groups: ['sg-client'] }), TCP, 'allow'],
    ['udp 54-65535 misses 53', rule('udp', [54, 65535], { groups: ['sg-client'] }), UDP, 'deny'],
    ['udp 1-52 misses 53', rule('udp', [1, 52], { groups: ['sg-client'] }), UDP, 'deny'],
    ['a /32 of another address', rule('-1', undefined, { cidrs: ['10.0.1.21/32'] }), UDP, 'deny'],
    ['a /32 of the client', rule('-1', undefined, { cidrs: ['10.0.1.20/32'] }), UDP, 'allow'],
    [
      '10.0.12.0/24 does not hold 10.0.1.20 (no string matching)',
      rule('-1', undefined, { cidrs: ['10.0.12.0/24'] }),
      UDP,
      'deny',
    ],
    ['::/0 says nothing about IPv4', rule('-1', undefined, { cidrs6: ['::/0'] }), UDP, 'deny'],
    [
      'a reference to a group the client does not carry',
      rule('-1', undefined, { groups: ['sg-rds'] }),
      UDP,
      'deny',
    ],
    ['icmp from everywhere is not DNS', rule('icmp', [-1, -1], { cidrs: ['0.0.0.0/0'] }), UDP, 'deny'],
    [
      'protocol 50 (ESP) is not DNS, whatever its ports',
      rule('50', undefined, { cidrs: ['0.0.0.0/0'] }),
      UDP,
      'deny',
    ],
    ['a prefix list holding the client', rule('-1', undefined, { prefixLists: ['pl-corp'] }), UDP, 'allow'],
    [
      'a prefix list not in the snapshot',
      rule('-1', undefined, { prefixLists: ['pl-missing'] }),
      UDP,
      'unknown',
    ],
  ] as const)('%s → %s', (_name, ingressRule, protocol, expected) => {
    const index = new SecurityGroupIndex(
      [openEgress, group('sg-coredns', [ingressRule])],
      [{ PrefixListId: 'pl-corp', Entries: [{ Cidr: '10.0.0.0/17' }] }],
    );
    const verdict = evaluateSecurityGroupPath(index, client, coredns, { protocol, port: 53 });
    expect(verdict.ingress.verdict).toBe(expected);
    expect(verdict.verdict).toBe(expected);
  });
});

describe('security group paths', () => {
  it('needs the egress of the source AND the ingress of the target', () => {
    const index = new SecurityGroupIndex([
      group('sg-client', [], [rule('tcp', [443, 443], { cidrs: ['0.0.0.0/0'] })]),
      group('sg-coredns', [rule('-1', undefined, { cidrs: ['0.0.0.0/0'] })]),
    ]);
    const verdict = evaluateSecurityGroupPath(index, client, coredns, { protocol: UDP, port: 53 });
    expect(verdict.verdict).toBe('deny');
    expect(verdict.egress).toMatchObject({ verdict: 'deny', direction: 'egress', groups: ['sg-client'] });
    expect(verdict.ingress.verdict).toBe('allow');
  });

  it('combines the groups of one ENI as a union', () => {
    const index = new SecurityGroupIndex([
      openEgress,
      group('sg-coredns', [rule('udp', [53, 53], { groups: ['sg-client'] })]),
      group('sg-dns-tcp', [rule('tcp', [53, 53], { cidrs: ['10.0.0.0/16'] })]),
    ]);
    const target = { ...coredns, groupIds: ['sg-coredns', 'sg-dns-tcp'] };
    expect(evaluateSecurityGroupPath(index, client, target, { protocol: UDP, port: 53 }).verdict).toBe(
      'allow',
    );
    const tcp = evaluateSecurityGroupPath(index, client, target, { protocol: TCP, port: 53 });
    expect(tcp.verdict).toBe('allow');
    expect(tcp.ingress.allowedBy).toEqual({ groupId: 'sg-dns-tcp', ruleIndex: 0 });
  });

  it('reports a group an ENI carries but the snapshot lacks as unknown, not deny', () => {
    const index = new SecurityGroupIndex([openEgress]);
    const verdict = evaluateSecurityGroupPath(
      index,
      client,
      { ...coredns, groupIds: ['sg-gone'] },
      { protocol: UDP, port: 53 },
    );
    expect(verdict.verdict).toBe('unknown');
    expect(verdict.ingress.unresolved).toEqual(['sg-gone']);
  });

  it('a definite allow wins over an unresolved prefix list elsewhere', () => {
    const index = new SecurityGroupIndex([
      openEgress,
      group('sg-coredns', [
        rule('-1', undefined, { prefixLists: ['pl-missing'] }),
        rule('udp', [53, 53], { groups: ['sg-client'] }),
      ]),
    ]);
    expect(evaluateSecurityGroupPath(index, client, coredns, { protocol: UDP, port: 53 }).verdict).toBe(
      'allow',
    );
  });

  it('matches IPv6 peers only with IPv6 ranges', () => {
    const v6client = { address: parseIpAddress('2600:1f18:4a3:6e00:a1b2::9'), groupIds: ['sg-client'] };
    const v6target = { address: parseIpAddress('2600:1f18:4a3:6e01:b1c2::7'), groupIds: ['sg-coredns'] };
    const egress = group('sg-client', [], [rule('-1', undefined, { cidrs6: ['::/0'] })]);
    const v4only = new SecurityGroupIndex([
      egress,
      group('sg-coredns', [rule('-1', undefined, { cidrs: ['0.0.0.0/0'] })]),
    ]);
    const v6 = new SecurityGroupIndex([
      egress,
      group('sg-coredns', [rule('-1', undefined, { cidrs6: ['2600:1f18:4a3:6e00::/56'] })]),
    ]);
    expect(evaluateSecurityGroupPath(v4only, v6client, v6target, { protocol: UDP, port: 53 }).verdict).toBe(
      'deny',
    );
    expect(evaluateSecurityGroupPath(v6, v6client, v6target, { protocol: UDP, port: 53 }).verdict).toBe(
      'allow',
    );
  });

  it('adding a rule never turns an allow into a deny (fuzzed)', () => {
    const arbRule = fc.record({
      protocol: fc.constantFrom('-1', 'tcp', 'udp', '6', '17', 'icmp', '50'),
      from: fc.integer({ min: 0, max: 65535 }),
      span: fc.integer({ min: 0, max: 65535 }),
      cidr: fc.constantFrom(
        '10.0.0.0/16',
        '10.0.1.0/24',
        '10.0.34.0/24',
        '0.0.0.0/0',
        '192.168.0.0/16',
        '10.0.1.20/32',
      ),
      group: fc.constantFrom('sg-client', 'sg-coredns', 'sg-other'),
      kind: fc.constantFrom('cidr', 'group'),
    });
    type ArbRule = {
      protocol: string;
      from: number;
      span: number;
      cidr: string;
      group: string;
      kind: string;
    };
    const toRule = (r: ArbRule) =>
      rule(
        r.protocol,
        [r.from, Math.min(65535, r.from + r.span)],
        r.kind === 'cidr' ? { cidrs: [r.cidr] } : { groups: [r.group] },
      );
    fc.assert(
      fc.property(
        fc.array(arbRule, { maxLength: 6 }),
        fc.array(arbRule, { maxLength: 6 }),
        arbRule,
        fc.boolean(),
        fc.constantFrom(TCP, UDP),
        (ingress, egress, extra, toIngress, protocol) => {
          const groups = (withExtra: boolean) => [
            group(
              'sg-client',
              [],
              [...egress.map(toRule), ...(withExtra && !toIngress ? [toRule(extra)] : [])],
            ),
            group('sg-coredns', [...ingress.map(toRule), ...(withExtra && toIngress ? [toRule(extra)] : [])]),
          ];
          const before = evaluateSecurityGroupPath(new SecurityGroupIndex(groups(false)), client, coredns, {
            protocol,
            port: 53,
          });
          const after = evaluateSecurityGroupPath(new SecurityGroupIndex(groups(true)), client, coredns, {
            protocol,
            port: 53,
          });
          if (before.verdict === 'allow') expect(after.verdict).toBe('allow');
        },
      ),
    );
  });
});
