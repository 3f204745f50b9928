/**
 * The demo fleet: 8 clusters in 3 accounts and 2 regions, each a recorded (or, as root, a live)
 * lab cluster behind its own fake Kubernetes API, in a VPC of the fake AWS world built from that
 * cluster's own nodes and pod addresses — so the AWS-side checks and the runner look at the same
 * cluster. Faults are realistic and spread over both halves: some only the runner can see, some
 * only the AWS side can. Day 2 changes one thing (a NACL edit in payments-prod), so a second
 * run shows a regression.
 */
import { buildCluster, buildVpc } from '../fake-aws/index.js';
import type { FakeRegionWorld, VpcNodeSpec } from '../fake-aws/index.js';
import type { KubeObject } from '../fake-kube-api/index.js';
import type { DemoScenario, RecordedRun } from './recorded-runs.js';

export const DEMO_ACCOUNTS = [
  { id: '111111111111', name: 'payments' },
  { id: '222222222222', name: 'search' },
  { id: '333333333333', name: 'platform' },
] as const;
/** the account the demo's fake credentials belong to (the others are entered by AssumeRole) */
export const DEMO_HOME_ACCOUNT = DEMO_ACCOUNTS[0].id;
export const DEMO_HOME_REGION = 'eu-west-1';
export const DEMO_REGIONS = ['eu-west-1', 'us-east-1'] as const;
/** The region the lab's nodes are named in (their providerIDs and DNS names). */
const LAB_REGION_NAME = 'eu-west-1';

/** One cluster of the demo fleet. */
export interface DemoClusterSpec {
  readonly accountId: string;
  readonly region: (typeof DEMO_REGIONS)[number];
  readonly name: string;
  /** the lab scenario its in-cluster side is */
  readonly scenario: DemoScenario;
  /** run in the netns lab when the machine allows (else replayed like the others) */
  readonly live?: boolean;
  /** what is wrong, in one line (the demo's legend) */
  readonly fault: string;
  /** AWS-side faults: a NACL denying UDP 53 into CoreDNS's subnet, custom DHCP resolvers */
  readonly denyDnsUdpIntoSubnetB?: boolean | { readonly fromDay: number };
  readonly dhcpServers?: readonly string[];
  /** the cluster's Kubernetes version @default '1.31' */
  readonly version?: string;
}

export const DEMO_FLEET: readonly DemoClusterSpec[] = [
  {
    accountId: '111111111111',
    region: 'eu-west-1',
    name: 'payments-prod',
    scenario: 'healthy',
    live: true,
    fault: 'healthy on day 1; on day 2 a NACL change denies UDP 53 into the CoreDNS subnet',
    denyDnsUdpIntoSubnetB: { fromDay: 2 },
  },
  {
    accountId: '111111111111',
    region: 'us-east-1',
    name: 'payments-dr',
    scenario: 'upstream-slow',
    fault: 'the upstream resolver answers external names slowly (in-cluster only)',
  },
  {
    accountId: '222222222222',
    region: 'eu-west-1',
    name: 'search-prod',
    scenario: 'coredns-pod-dropping',
    live: true,
    fault: 'one CoreDNS pod drops queries (only the runner can see it)',
  },
  {
    accountId: '222222222222',
    region: 'eu-west-1',
    name: 'search-staging',
    scenario: 'healthy',
    fault: 'a NACL denies UDP 53 into the CoreDNS subnet (only the AWS side can see it)',
    denyDnsUdpIntoSubnetB: true,
  },
  {
    accountId: '222222222222',
    region: 'us-east-1',
    name: 'search-dev',
    scenario: 'healthy',
    fault: "the VPC's DHCP options send nodes to a resolver that is not the VPC's",
    dhcpServers: ['10.99.0.2', '192.168.10.53'],
  },
  {
    accountId: '333333333333',
    region: 'eu-west-1',
    name: 'platform-tools',
    scenario: 'kube-proxy-dnat-missing',
    live: true,
    fault: 'kube-proxy never programmed the kube-dns ClusterIP',
  },
  {
    accountId: '333333333333',
    region: 'us-east-1',
    name: 'platform-prod',
    scenario: 'healthy',
    fault: 'healthy',
  },
  {
    accountId: '333333333333',
    region: 'us-east-1',
    name: 'batch-dev',
    scenario: 'healthy',
    fault: 'healthy, on an older Kubernetes version',
    version: '1.29',
  },
];

export const demoClusterId = (c: DemoClusterSpec) => `${c.accountId}:${c.region}:${c.name}`;

/** A recorded run as it would be in `region` (the lab names its nodes and zones in eu-west-1). */
export function recordedRunInRegion(run: RecordedRun, region: string): RecordedRun {
  if (region === LAB_REGION_NAME) return run;
  return JSON.parse(JSON.stringify(run).replaceAll(LAB_REGION_NAME, region)) as RecordedRun;
}

/**
 * The cluster's nodes as EC2 shows them: the instance and zone of each Node's providerID, its
 * InternalIP as the ENI's primary IP and its pods' IPs as secondary IPs (the VPC CNI's way).
 */
export function vpcNodesOf(objects: readonly KubeObject[], pods: RecordedRun['pods']): VpcNodeSpec[] {
  return objects
    .filter((o) => o.kind === 'Node')
    .map((o) => {
      const node = o as KubeObject & {
        spec?: { providerID?: string };
        status?: { addresses?: { type: string; address: string }[] };
      };
      const nodeName = node.metadata.name ?? '';
      const [, availabilityZone = '', instanceId = ''] =
        /^aws:\/\/\/([^/]+)\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '') ?? [];
      const primaryIp = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
      const secondaryIps = pods.filter((p) => p.node === nodeName).map((p) => p.address);
      return { nodeName, instanceId, availabilityZone, primaryIp, secondaryIps };
    });
}

/** Where each cluster's API is: the fake API of its lab or replay. */
export interface DemoClusterApi {
  readonly endpoint: string;
  /** base64 of the CA PEM */
  readonly caData: string;
}

/** The fake AWS world of `day`: one VPC per cluster, built from the cluster's own nodes. */
export function demoWorlds(
  day: number,
  runs: ReadonlyMap<string, RecordedRun>,
  apis: ReadonlyMap<string, DemoClusterApi>,
): FakeRegionWorld[] {
  const worlds = new Map<
    string,
    { accountId: string; region: string; vpcs: unknown[]; clusters: unknown[] }
  >();
  DEMO_FLEET.forEach((c, i) => {
    const id = demoClusterId(c);
    const run = runs.get(id);
    const api = apis.get(id);
    if (run === undefined || api === undefined) throw new Error(`demo cluster ${id}: no recorded run or API`);
    const deny =
      typeof c.denyDnsUdpIntoSubnetB === 'object'
        ? day >= c.denyDnsUdpIntoSubnetB.fromDay
        : c.denyDnsUdpIntoSubnetB;
    const vpc = buildVpc({
      vpcId: `vpc-0demo${String(i + 1).padStart(2, '0')}`,
      octet: 100 + i,
      cidrBase: '198.18',
      accountId: c.accountId,
      region: c.region,
      clusters: [{ name: c.name, nodes: vpcNodesOf(run.objects, run.pods) }],
      otherEnis: 12,
      ...(deny ? { denyDnsUdpIntoSubnetB: true } : {}),
      ...(c.dhcpServers ? { dhcpServers: c.dhcpServers } : {}),
    });
    const key = `${c.accountId} ${c.region}`;
    const world = worlds.get(key) ?? { accountId: c.accountId, region: c.region, vpcs: [], clusters: [] };
    world.vpcs.push(vpc);
    world.clusters.push(
      buildCluster({
        name: c.name,
        accountId: c.accountId,
        region: c.region,
        vpc,
        endpoint: api.endpoint,
        caData: api.caData,
        ...(c.version ? { version: c.version } : {}),
      }),
    );
    worlds.set(key, world);
  });
  return [...worlds.values()] as FakeRegionWorld[];
}
