import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditDnsPairs,
  buildNetworkModel,
  clusterClientEnis,
  eniRangesOf,
  evaluateDnsPath,
  LINUX_EPHEMERAL_RANGE,
  placeDnsPods,
  TCP,
  UDP,
} from '../../../../lambdas/core/network/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import type { NetworkSnapshotInput } from '../../../../lambdas/core/snapshot/index.js';
import { acl, entry, group, rule } from './builders.js';

const SUBNETS = [
  { id: 'subnet-a', cidr: '10.0.0.0/24' },
  { id: 'subnet-b', cidr: '10.0.1.0/24' },
  { id: 'subnet-c', cidr: '10.0.2.0/24' },
];
/** CIDRs that cut subnets in odd places, so the class splitting is exercised. */
const CIDRS = [
  '0.0.0.0/0',
  '10.0.0.0/16',
  '10.0.0.0/24',
  '10.0.1.0/24',
  '10.0.0.0/28',
  '10.0.1.16/28',
  '10.0.2.5/32',
  '10.0.0.0/23',
  '10.0.1.8/29',
];
const GROUPS = ['sg-1', 'sg-2', 'sg-3'];

const arbRule = fc
  .record({
    protocol: fc.constantFrom('-1', 'tcp', 'udp', '17'),
    ports: fc.constantFrom<[number, number]>([53, 53], [0, 65535], [54, 100], [1, 53]),
    peer: fc.oneof(
      fc.constantFrom(...CIDRS).map((c) => ({ cidrs: [c] })),
      fc.constantFrom(...GROUPS).map((g) => ({ groups: [g] })),
    ),
  })
  .map((r) => rule(r.protocol, r.ports, r.peer));
const arbNaclEntries = fc
  .uniqueArray(
    fc.record({
      rule: fc.integer({ min: 1, max: 300 }),
      egress: fc.boolean(),
      action: fc.constantFrom('allow' as const, 'deny' as const),
      protocol: fc.constantFrom('-1', '6', '17'),
      cidr: fc.constantFrom(...CIDRS),
      ports: fc.constantFrom<[number, number]>(
        [53, 53],
        [1024, 65535],
        [1024, 40000],
        [0, 65535],
        [32768, 60999],
      ),
    }),
    { maxLength: 6, selector: (e) => `${e.egress}-${e.rule}` },
  )
  .map((es) => es.map((e) => entry(e.rule, e.egress, e.action, e.protocol, e.cidr, e.ports)));
const arbEni = fc.record({
  subnet: fc.integer({ min: 0, max: 2 }),
  instance: fc.integer({ min: 0, max: 3 }),
  groups: fc.subarray(GROUPS, { minLength: 1 }),
  hosts: fc.uniqueArray(fc.integer({ min: 4, max: 60 }), { minLength: 1, maxLength: 4 }),
  prefix: fc.option(fc.constantFrom(64, 80, 96), { nil: undefined }),
  branch: fc.boolean(),
});

interface EniShape {
  subnet: number;
  instance: number;
  groups: string[];
  hosts: number[];
  prefix: number | undefined;
  branch: boolean;
}

function snapshotOf(s: {
  groups: { ingress: ReturnType<typeof rule>[]; egress: ReturnType<typeof rule>[] }[];
  nacls: ReturnType<typeof entry>[][];
  enis: EniShape[];
  pods: number[];
}): NetworkSnapshotInput {
  const networkInterfaces = s.enis.map((e, i) => {
    const base = SUBNETS[e.subnet]!.cidr.replace('.0/24', '');
    const ips = e.hosts.map((h) => `${base}.${h}`);
    return {
      NetworkInterfaceId: `eni-${i}`,
      SubnetId: SUBNETS[e.subnet]!.id,
      InterfaceType: e.branch ? 'branch' : 'interface',
      Groups: e.groups.map((GroupId) => ({ GroupId })),
      PrivateIpAddress: ips[0],
      PrivateIpAddresses: ips.map((PrivateIpAddress, k) => ({ PrivateIpAddress, Primary: k === 0 })),
      ...(e.prefix !== undefined ? { Ipv4Prefixes: [{ Ipv4Prefix: `${base}.${e.prefix}/28` }] } : {}),
      ...(e.branch
        ? { TagSet: [{ Key: 'kubernetes.io/cluster/c1', Value: 'owned' }] }
        : { Attachment: { InstanceId: `i-0${e.instance}`, DeviceIndex: i } }),
    };
  });
  // Addresses must be unique across ENIs: keep the first owner of each.
  const seen = new Set<string>();
  for (const eni of networkInterfaces) {
    eni.PrivateIpAddresses = eni.PrivateIpAddresses.filter(
      (p) => !seen.has(p.PrivateIpAddress) && seen.add(p.PrivateIpAddress),
    );
    if (eni.PrivateIpAddresses[0]) eni.PrivateIpAddresses[0].Primary = true;
    eni.PrivateIpAddress = eni.PrivateIpAddresses[0]?.PrivateIpAddress;
    if (eni.Ipv4Prefixes && seen.has(eni.Ipv4Prefixes[0]!.Ipv4Prefix)) delete eni.Ipv4Prefixes;
    else if (eni.Ipv4Prefixes) seen.add(eni.Ipv4Prefixes[0]!.Ipv4Prefix);
  }
  const addresses = networkInterfaces.flatMap((e) => e.PrivateIpAddresses.map((p) => p.PrivateIpAddress));
  return {
    format: 'fleet-dns/network-snapshot@1',
    accountId: '111122223333',
    region: 'eu-west-1',
    cluster: { name: 'c1' },
    vpc: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' },
    subnets: SUBNETS.map((x) => ({ SubnetId: x.id, CidrBlock: x.cidr })),
    securityGroups: s.groups.map((g, i) => group(GROUPS[i]!, g.ingress, g.egress)),
    networkAcls: s.nacls.map((entries, i) => acl(`acl-${i}`, entries, [SUBNETS[i]!.id])),
    networkInterfaces,
    kubernetes: {
      dnsPods: s.pods.map((p, i) => ({ name: `coredns-${i}`, podIP: addresses[p % addresses.length]! })),
      nodes: [0, 1, 2, 3].map((n) => ({ name: `node-${n}`, providerID: `aws:///eu-west-1a/i-0${n}` })),
    },
  };
}

const arbSnapshot = fc
  .record({
    groups: fc.array(
      fc.record({
        ingress: fc.array(arbRule, { maxLength: 4 }),
        egress: fc.array(arbRule, { maxLength: 3 }),
      }),
      { minLength: 3, maxLength: 3 },
    ),
    nacls: fc.array(arbNaclEntries, { minLength: 3, maxLength: 3 }),
    enis: fc.array(arbEni, { minLength: 1, maxLength: 7 }),
    pods: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  })
  .map(snapshotOf);

describe('grouped DNS pair audit', () => {
  it('blocks exactly the (client ENI, CoreDNS pod) pairs a naive per-address evaluation blocks (fuzzed)', () => {
    fc.assert(
      fc.property(arbSnapshot, (input) => {
        const snapshot = parseNetworkSnapshot(input);
        const model = buildNetworkModel(snapshot);
        const clients = clusterClientEnis(snapshot, model.enis);
        const { placed } = placeDnsPods(snapshot, model.enis);
        const audit = auditDnsPairs(model, clients, placed, {
          ephemeralRange: LINUX_EPHEMERAL_RANGE,
          maxSamplesPerReason: 1e9,
        });
        for (const [protocol, name] of [
          [UDP, 'udp'],
          [TCP, 'tcp'],
        ] as const) {
          const naiveSg = new Set<string>();
          const naiveNacl = new Set<string>();
          for (const client of clients) {
            for (const pod of placed) {
              for (const { range } of eniRangesOf(client.eni, 'ipv4')) {
                // every address of a range is a separate source; ranges are small here
                for (let v = range.first; v <= range.last; v++) {
                  const verdict = evaluateDnsPath(
                    model,
                    { address: { family: 'ipv4', value: v }, eni: client.eni },
                    { address: pod.address, eni: pod.eni },
                    { protocol, ephemeralRange: LINUX_EPHEMERAL_RANGE },
                  );
                  if (verdict.securityGroups && verdict.securityGroups.verdict !== 'allow')
                    naiveSg.add(`${client.eni.id}>${pod.name}`);
                  if (verdict.nacl.verdict !== 'allow' && verdict.nacl.verdict !== 'not-crossed')
                    naiveNacl.add(`${client.eni.id}>${pod.name}`);
                }
              }
            }
          }
          const grouped = (filter: 'securityGroups' | 'networkAcls') =>
            new Set(
              audit[name][filter].reasons.flatMap((r) => r.samples.map((s) => `${s.client}>${s.corednsPod}`)),
            );
          expect(grouped('securityGroups')).toEqual(naiveSg);
          expect(grouped('networkAcls')).toEqual(naiveNacl);
          expect(audit[name].securityGroups.blockedPairs + audit[name].securityGroups.undeterminedPairs).toBe(
            naiveSg.size,
          );
          expect(audit[name].networkAcls.blockedPairs + audit[name].networkAcls.undeterminedPairs).toBe(
            naiveNacl.size,
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('groups identical clients into one class', () => {
    const input = snapshotOf({
      groups: GROUPS.map(() => ({
        ingress: [rule('-1', undefined, { cidrs: ['10.0.0.0/16'] })],
        egress: [rule('-1', undefined, { cidrs: ['0.0.0.0/0'] })],
      })),
      nacls: [
        [entry(100, false, 'allow', '-1', '0.0.0.0/0'), entry(100, true, 'allow', '-1', '0.0.0.0/0')],
        [],
        [],
      ],
      enis: [1, 2, 3, 4, 5].map((n) => ({
        subnet: 0,
        instance: n % 4,
        groups: ['sg-1'],
        hosts: [n * 10, n * 10 + 1],
        prefix: undefined,
        branch: false,
      })),
      pods: [0],
    });
    const snapshot = parseNetworkSnapshot(input);
    const model = buildNetworkModel(snapshot);
    const audit = auditDnsPairs(
      model,
      clusterClientEnis(snapshot, model.enis),
      placeDnsPods(snapshot, model.enis).placed,
      { ephemeralRange: LINUX_EPHEMERAL_RANGE },
    );
    expect(audit.clientClasses).toBe(1);
    expect(audit.udp.securityGroups.blockedPairs).toBe(0);
  });
});
