import { performance } from 'node:perf_hooks';
import { auditNetworkSnapshot } from '../lambdas/core/checks/aws/index.js';
import { parseNetworkSnapshot } from '../lambdas/core/snapshot/index.js';
import type { NetworkSnapshotInput } from '../lambdas/core/snapshot/index.js';
import type { Benchmark } from './run.js';

/**
 * The AWS-side audit on a synthetic VPC: N node ENIs (one instance each, 1 primary + 4 secondary
 * IPs + one /28 prefix), 300 security groups × 50 rules, 50 subnets each with its own 40-entry NACL,
 * 10 CoreDNS pods. Times `auditNetworkSnapshot` (model build + all ten checks) on an already
 * parsed snapshot; parse time is reported apart.
 */

/** Deterministic PRNG (mulberry32) so every run measures the same VPC. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GROUPS = 300;
const RULES_PER_GROUP = 50;
const SUBNETS = 50;
const NACL_ENTRIES = 40;
const PODS = 10;

/** Subnet k is 10.(k>>1).((k&1)<<7).0/17: two subnets per /16, 50 subnets in 25 VPC CIDR blocks. */
const subnetBase = (k: number) => [10, k >> 1, (k & 1) << 7] as const;
const ip = (k: number, offset: number) => {
  const [a, b, c] = subnetBase(k);
  return `${a}.${b}.${c + (offset >> 8)}.${offset & 255}`;
};

export function syntheticSnapshot(enis: number, seed = 42): NetworkSnapshotInput {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const groupId = (i: number) => `sg-${i.toString(16).padStart(17, '0')}`;
  const cidrs = [
    '0.0.0.0/0',
    '10.0.0.0/8',
    '10.0.0.0/16',
    '10.1.0.0/16',
    '192.168.0.0/16',
    '172.16.0.0/12',
    '10.2.32.0/19',
    '10.3.64.0/24',
    '10.4.0.0/28',
  ];
  const randomRule = () => {
    const protocol = pick(['tcp', 'udp', '-1', 'icmp', '6', '17']);
    const from = Math.floor(rand() * 60000) + 100; // never 53: DNS is decided by the rules at the end
    const peer =
      rand() < 0.5
        ? { IpRanges: [{ CidrIp: pick(cidrs) }] }
        : { UserIdGroupPairs: [{ GroupId: groupId(Math.floor(rand() * GROUPS)) }] };
    return protocol === '-1' || protocol === 'icmp'
      ? { IpProtocol: protocol === '-1' ? 'icmp' : protocol, FromPort: -1, ToPort: -1, ...peer }
      : { IpProtocol: protocol, FromPort: from, ToPort: from + Math.floor(rand() * 100), ...peer };
  };
  const securityGroups = Array.from({ length: GROUPS }, (_, i) => ({
    GroupId: groupId(i),
    GroupName: `group-${i}`,
    IpPermissions: [
      ...Array.from({ length: RULES_PER_GROUP / 2 - 2 }, randomRule),
      // groups 12 and 30 do not admit TCP/53: the CoreDNS pod on an ENI carrying both is unreachable over TCP
      { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      i === 12 || i === 30
        ? randomRule()
        : { IpProtocol: 'tcp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ],
    IpPermissionsEgress: [
      ...Array.from({ length: RULES_PER_GROUP / 2 - 1 }, randomRule),
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ],
  }));
  const networkAcls = Array.from({ length: SUBNETS }, (_, k) => {
    const entries = Array.from({ length: NACL_ENTRIES - 4 }, (_, e) => ({
      RuleNumber: 10 + e * 5,
      Egress: e % 2 === 0,
      RuleAction: rand() < 0.3 ? ('deny' as const) : ('allow' as const),
      Protocol: pick(['6', '17']),
      CidrBlock: pick(['192.168.0.0/16', '172.16.0.0/12', '10.4.0.0/28', '100.64.0.0/10']),
      PortRange: { From: 100 + e * 100, To: 150 + e * 100 },
    }));
    return {
      NetworkAclId: `acl-${k.toString(16).padStart(17, '0')}`,
      IsDefault: k === 0,
      Associations: [{ SubnetId: `subnet-${k.toString(16).padStart(17, '0')}`, NetworkAclId: `acl-${k}` }],
      Entries: [
        ...entries,
        // subnet 7 lets replies in only up to 40000: partial ephemeral coverage
        {
          RuleNumber: 400,
          Egress: false,
          RuleAction: 'allow' as const,
          Protocol: '-1',
          CidrBlock: '10.0.0.0/8',
          ...(k === 7 ? { Protocol: '17', PortRange: { From: 53, To: 40000 } } : {}),
        },
        {
          RuleNumber: 400,
          Egress: true,
          RuleAction: 'allow' as const,
          Protocol: '-1',
          CidrBlock: '0.0.0.0/0',
        },
        {
          RuleNumber: 32767,
          Egress: false,
          RuleAction: 'deny' as const,
          Protocol: '-1',
          CidrBlock: '0.0.0.0/0',
        },
        {
          RuleNumber: 32767,
          Egress: true,
          RuleAction: 'deny' as const,
          Protocol: '-1',
          CidrBlock: '0.0.0.0/0',
        },
      ],
    };
  });
  const perSubnet = Math.ceil(enis / SUBNETS);
  const networkInterfaces = Array.from({ length: enis }, (_, i) => {
    const k = i % SUBNETS;
    const slot = Math.floor(i / SUBNETS); // 0..perSubnet-1
    const offset = 16 + slot * 8; // 5 addresses per ENI, a /28 prefix apart in a separate range
    const addresses = [0, 1, 2, 3, 4].map((d) => ip(k, offset + d));
    const prefixOffset = 16384 + slot * 16;
    return {
      NetworkInterfaceId: `eni-${i.toString(16).padStart(17, '0')}`,
      SubnetId: `subnet-${k.toString(16).padStart(17, '0')}`,
      InterfaceType: 'interface',
      Groups: [{ GroupId: groupId(i % 25) }, { GroupId: groupId(25 + (i % 7)) }],
      PrivateIpAddress: addresses[0],
      PrivateIpAddresses: addresses.map((PrivateIpAddress, d) => ({ PrivateIpAddress, Primary: d === 0 })),
      Ipv4Prefixes: [{ Ipv4Prefix: `${ip(k, prefixOffset)}/28` }],
      Attachment: { InstanceId: `i-${i.toString(16).padStart(17, '0')}`, DeviceIndex: 0, Status: 'attached' },
    };
  });
  if (perSubnet * 16 + 16384 > 32768)
    throw new Error(`too many ENIs per subnet for the synthetic layout: ${perSubnet}`);
  return {
    format: 'fleet-dns/network-snapshot@1',
    accountId: '111122223333',
    region: 'eu-west-1',
    cluster: {
      name: 'bench',
      version: '1.30',
      resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true },
    },
    vpc: {
      VpcId: 'vpc-0bench',
      CidrBlock: '10.0.0.0/16',
      CidrBlockAssociationSet: Array.from({ length: 25 }, (_, b) => ({
        CidrBlock: `10.${b}.0.0/16`,
        CidrBlockState: { State: 'associated' },
      })),
    },
    vpcAttributes: { enableDnsSupport: true, enableDnsHostnames: true },
    subnets: Array.from({ length: SUBNETS }, (_, k) => ({
      SubnetId: `subnet-${k.toString(16).padStart(17, '0')}`,
      CidrBlock: `${subnetBase(k).join('.')}.0/17`,
    })),
    securityGroups,
    networkAcls,
    networkInterfaces,
    kubernetes: {
      dnsPods: Array.from({ length: PODS }, (_, p) => ({
        name: `coredns-${p}`,
        namespace: 'kube-system',
        podIP: networkInterfaces[p * 3]!.PrivateIpAddresses[2]!.PrivateIpAddress,
      })),
      nodes: networkInterfaces.map((n, i) => ({
        name: `node-${i}`,
        providerID: `aws:///eu-west-1a/${n.Attachment.InstanceId}`,
      })),
      upstreams: ['/etc/resolv.conf'],
    },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(enis: number, runs: number) {
  const snapshot = syntheticSnapshot(enis);
  const p0 = performance.now();
  const parsed = parseNetworkSnapshot(snapshot);
  const parseMs = performance.now() - p0;
  const times: number[] = [];
  let results = auditNetworkSnapshot(parsed);
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    results = auditNetworkSnapshot(parsed);
    times.push(performance.now() - t0);
  }
  const sg = results.find((c) => c.id === 'NET-SG-DNS-UDP')!;
  return { ms: median(times), parseMs, sg, results };
}

const bench: Benchmark = {
  description:
    'AWS-side audit on a synthetic VPC (300 SGs × 50 rules, 50 NACLs × 40 entries, 10 CoreDNS pods) at 500 / 5,000 / 50,000 ENIs',
  async run() {
    measure(500, 1); // warm-up (JIT)
    const small = measure(500, 5);
    const medium = measure(5_000, 5);
    const large = measure(50_000, 3);
    const stats = (m: ReturnType<typeof measure>) =>
      m.sg.evidence as { clients: { classes: number }; pairs: { total: number; blocked: number } };
    return {
      evaluator_ms_500_enis: round(small.ms),
      evaluator_ms_5000_enis: round(medium.ms),
      evaluator_ms_50000_enis: round(large.ms),
      growth_5000_over_500: round(medium.ms / small.ms),
      growth_50000_over_5000: round(large.ms / medium.ms),
      parse_ms_5000_enis: round(medium.parseMs),
      parse_ms_50000_enis: round(large.parseMs),
      client_classes_5000_enis: stats(medium).clients.classes,
      pairs_5000_enis: stats(medium).pairs.total,
      blocked_udp_pairs_5000_enis: stats(medium).pairs.blocked,
      blocked_tcp_pairs_5000_enis: (
        medium.results.find((c) => c.id === 'NET-SG-DNS-TCP')!.evidence as { pairs: { blocked: number } }
      ).pairs.blocked,
      statuses_5000_enis: medium.results.map((c) => `${c.id}=${c.status}`).join(' '),
    };
  },
};
export default bench;
