/**
 * The lab's network (lab.md, Topology): which namespace plays which hop, the veths and routes
 * that join them the way the VPC CNI does (a /32 per pod, routed, no bridge), forwarding, and the
 * iptables rules of kube-proxy and NodeLocal DNSCache in each node. Everything is set from inside
 * the lab's namespaces; nothing in the root namespace changes.
 *
 * @see https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/cni-proposal.md
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
import path from 'node:path';
import type { Scenario, ScenarioNode } from '../scenarios/schema.js';
import { LabError } from './errors.js';
import { inNetns, run } from './exec.js';
import type { CommandResult } from './exec.js';
import type { ServiceView } from './kube-objects.js';
import { kubeProxyRules } from './kube-proxy.js';

/** The lab's fixed addresses (lab.md, Rules). */
export const LAB_ADDRESSES = {
  router: '198.18.0.1',
  resolver: '198.18.0.2',
  apiServer: '198.18.0.100',
  serviceCidr: '198.19.0.0/16',
  kubeDnsClusterIp: '198.19.0.10',
} as const;

/** A pod of the running lab. */
export interface LabPod {
  readonly name: string;
  readonly namespace: string;
  readonly role: 'probe' | 'coredns' | 'client';
  readonly address: string;
  readonly node: string;
  readonly netns: string;
}

/** A node of the running lab. */
export interface LabNode {
  readonly name: string;
  readonly address: string;
  readonly netns: string;
  /** the uplink towards the vpc router (where a node agent captures) */
  readonly uplink: 'eth0';
  /** the ENA statistics file (JSON, before/after per interface) the node agent reads with `--ena-stats-file` */
  readonly enaStatsFile?: string;
}

/** Which namespace plays each hop of a scenario, for one run. */
export interface LabLayout {
  /** per-run prefix of every namespace name */
  readonly prefix: string;
  /** every namespace, in the order they are created */
  readonly namespaces: readonly string[];
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  /** the namespace of a hop: a node or pod name, `vpc`, `upstream` or `api` */
  netnsOf(hop: string): string;
}

const nodeNetns = (prefix: string, i: number): string => `${prefix}n${i + 1}`;
const podNetns = (prefix: string, i: number, j: number): string => `${prefix}n${i + 1}p${j + 1}`;

/** Names the namespaces of `scenario` under `prefix`; ENA statistics files go to `workDir`. */
export function layOutLab(scenario: Scenario, prefix: string, workDir: string): LabLayout {
  const hops = new Map<string, string>([
    ['vpc', `${prefix}vpc`],
    ['upstream', `${prefix}up`],
    ['api', `${prefix}api`],
  ]);
  const nodes: LabNode[] = [];
  const pods: LabPod[] = [];
  scenario.nodes.forEach((node, i) => {
    const netns = nodeNetns(prefix, i);
    hops.set(node.name, netns);
    const enaStatsFile = node.ena ? path.join(workDir, `ena-n${i + 1}.json`) : undefined;
    nodes.push({
      name: node.name,
      address: node.address,
      netns,
      uplink: 'eth0',
      ...(enaStatsFile ? { enaStatsFile } : {}),
    });
    node.pods.forEach((pod, j) => {
      const podNs = podNetns(prefix, i, j);
      hops.set(pod.name, podNs);
      pods.push({
        name: pod.name,
        namespace: pod.namespace,
        role: pod.role,
        address: pod.address,
        node: node.name,
        netns: podNs,
      });
    });
  });
  return {
    prefix,
    namespaces: [...hops.values()],
    nodes,
    pods,
    netnsOf: (hop) => {
      const ns = hops.get(hop);
      if (!ns) throw new LabError(`unknown hop "${hop}" (a node or pod name, vpc, upstream or api)`);
      return ns;
    },
  };
}

/** Creates the layout's namespaces, adding each to `created` at once so a failed build can remove it. */
export async function createNamespaces(layout: LabLayout, created: string[]): Promise<void> {
  for (const ns of layout.namespaces) {
    await run(['ip', 'netns', 'add', ns]);
    created.push(ns);
  }
}

const ipBatch = (netns: string, commands: readonly string[]): Promise<CommandResult> =>
  run(['ip', '-n', netns, '-batch', '-'], { input: `${commands.join('\n')}\n` });

/**
 * Joins every namespace to the vpc router: upstream (the VPC resolver and stub servers), api and
 * each node on a veth of the router, each pod on a veth of its node.
 */
export async function linkTopology(scenario: Scenario, layout: LabLayout): Promise<void> {
  const vpc = layout.netnsOf('vpc');
  const serverAddresses = scenario.upstream.servers.map((s) => s.address);
  const vpcCommands: string[] = [
    'link set lo up',
    `route add blackhole ${LAB_ADDRESSES.serviceCidr}`,
    ...(await linkToRouter(vpc, layout.netnsOf('upstream'), 'v-up', [
      LAB_ADDRESSES.resolver,
      ...serverAddresses,
    ])),
    `route add ${LAB_ADDRESSES.resolver}/32 dev v-up scope link`,
    ...serverAddresses.map((a) => `route add ${a}/32 via ${LAB_ADDRESSES.resolver} dev v-up onlink`),
    ...(await linkToRouter(vpc, layout.netnsOf('api'), 'v-api', [LAB_ADDRESSES.apiServer])),
    `route add ${LAB_ADDRESSES.apiServer}/32 dev v-api scope link`,
  ];
  for (const [i, node] of scenario.nodes.entries()) {
    const vpcIf = `v-n${i + 1}`;
    vpcCommands.push(
      ...(await linkToRouter(vpc, nodeNetns(layout.prefix, i), vpcIf, [node.address])),
      `route add ${node.address}/32 dev ${vpcIf} scope link`,
      ...node.pods.map((p) => `route add ${p.address}/32 via ${node.address} dev ${vpcIf} onlink`),
    );
    await linkPods(node, nodeNetns(layout.prefix, i), (j) => podNetns(layout.prefix, i, j));
  }
  await ipBatch(vpc, vpcCommands);
}

/**
 * Creates the veth `vpcIf` ↔ `eth0` of `peerNs`, sets up the peer side (its addresses, the first
 * as source, default via the router) and returns the router side's commands.
 */
async function linkToRouter(
  vpc: string,
  peerNs: string,
  vpcIf: string,
  addresses: readonly string[],
): Promise<string[]> {
  await ipBatch(vpc, [`link add ${vpcIf} type veth peer name eth0 netns ${peerNs}`]);
  const [primary] = addresses;
  await ipBatch(peerNs, [
    'link set lo up',
    ...addresses.map((a) => `addr add ${a}/32 dev eth0`),
    'link set eth0 up',
    `route add ${LAB_ADDRESSES.router}/32 dev eth0 scope link src ${primary}`,
    `route add default via ${LAB_ADDRESSES.router} dev eth0 onlink src ${primary}`,
  ]);
  return [`addr add ${LAB_ADDRESSES.router}/32 dev ${vpcIf}`, `link set ${vpcIf} up`];
}

/** The node's pod veths (`p1`, `p2`, …) and NodeLocal addresses, then each pod's side. */
async function linkPods(
  node: ScenarioNode,
  nodeNs: string,
  podNsOf: (podIndex: number) => string,
): Promise<void> {
  const nodeCommands: string[] = [];
  for (const [j, pod] of node.pods.entries()) {
    nodeCommands.push(
      `link add p${j + 1} type veth peer name eth0 netns ${podNsOf(j)}`,
      `addr add ${node.address}/32 dev p${j + 1}`,
      `link set p${j + 1} up`,
      `route add ${pod.address}/32 dev p${j + 1} scope link src ${node.address}`,
    );
  }
  if (node.nodeLocal) {
    // node-local-dns puts its addresses on a `nodelocaldns` dummy link; the dummy driver is
    // not on every kernel, and a local address on `lo` behaves the same for routing.
    nodeCommands.push(...nodeLocalAddresses(node.nodeLocal).map((a) => `addr add ${a}/32 dev lo`));
  }
  if (nodeCommands.length > 0) await ipBatch(nodeNs, nodeCommands);
  for (const [j, pod] of node.pods.entries()) {
    // As the VPC CNI: the pod's /32, a host route to the node side, default via it.
    await ipBatch(podNsOf(j), [
      'link set lo up',
      `addr add ${pod.address}/32 dev eth0`,
      'link set eth0 up',
      `route add ${node.address}/32 dev eth0 scope link src ${pod.address}`,
      `route add default via ${node.address} dev eth0 onlink src ${pod.address}`,
    ]);
  }
}

/** The addresses NodeLocal DNSCache binds on its node: its own, and the ClusterIP when it intercepts. */
export function nodeLocalAddresses(nodeLocal: NonNullable<ScenarioNode['nodeLocal']>): string[] {
  return [nodeLocal.address, ...(nodeLocal.interceptsClusterIp ? [LAB_ADDRESSES.kubeDnsClusterIp] : [])];
}

/** Forwarding on, reverse-path filtering off, in the router and the nodes (per-namespace sysctls). */
export async function enableForwarding(layout: LabLayout): Promise<void> {
  for (const ns of [layout.netnsOf('vpc'), ...layout.nodes.map((n) => n.netns)]) {
    await run(
      inNetns(ns, [
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.default.rp_filter=0',
      ]),
    );
  }
}

/** kube-proxy's DNAT rules on the nodes that have it; NodeLocal's rules on the nodes that run it. */
export async function installNodeRules(
  scenario: Scenario,
  layout: LabLayout,
  services: readonly ServiceView[],
): Promise<void> {
  const proxyRules = kubeProxyRules(services);
  for (const [i, node] of scenario.nodes.entries()) {
    const ns = nodeNetns(layout.prefix, i);
    if (node.kubeProxy) await run(inNetns(ns, ['iptables-restore', '--noflush']), { input: proxyRules });
    if (node.nodeLocal)
      await run(inNetns(ns, ['iptables-restore', '--noflush']), { input: nodeLocalRules(node.nodeLocal) });
  }
}

/**
 * NOTRACK for DNS to and from NodeLocal's addresses (as node-local-dns installs), and — when the
 * scenario says it is installed but not answering — a DROP, so queries vanish as with a hung cache.
 */
function nodeLocalRules(nodeLocal: NonNullable<ScenarioNode['nodeLocal']>): string {
  const raw = ['*raw'];
  const filter = ['*filter'];
  for (const address of nodeLocalAddresses(nodeLocal)) {
    for (const proto of ['udp', 'tcp']) {
      raw.push(
        `-A PREROUTING -d ${address}/32 -p ${proto} -m ${proto} --dport 53 -j NOTRACK`,
        `-A OUTPUT -s ${address}/32 -p ${proto} -m ${proto} --sport 53 -j NOTRACK`,
      );
      if (!nodeLocal.answers)
        filter.push(`-A INPUT -d ${address}/32 -p ${proto} -m ${proto} --dport 53 -j DROP`);
    }
  }
  return [...raw, 'COMMIT', ...filter, 'COMMIT', ''].join('\n');
}
