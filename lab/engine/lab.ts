/**
 * The netns DNS lab (lab.md): builds a routed, VPC-CNI-like topology from a scenario — node
 * namespaces with /32 pod routes over veths (no bridge), a "vpc" router, the "VPC resolver"
 * 198.18.0.2, CoreDNS pods played by the lab DNS server, kube-proxy as iptables DNAT for the
 * ClusterIPs in every node, optional NodeLocal DNSCache (dnsmasq) on 169.254.20.10, the fake
 * Kubernetes API on 198.18.0.100:443 — and tears it all down again, also on SIGINT/SIGTERM.
 * Nothing is created or changed in the root namespace: every veth is created from inside a lab
 * namespace, every sysctl and iptables rule is set inside one.
 *
 * @see https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/cni-proposal.md
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi } from '../fake-kube-api/index.js';
import type { FakeKubeApi, FakeKubeApiOptions, KubeObject } from '../fake-kube-api/index.js';
import { standInRouting } from '../dns-server/corefile.js';
import type { DnsServerConfig, RecordSet } from '../dns-server/server.js';
import type { Scenario, ScenarioFault } from '../scenarios/schema.js';
import { LabError } from './errors.js';
import { ProcessSet, inNetns, run, splitShellWords, startProcess } from './exec.js';
import type { CommandResult, LabProcess, RunOptions } from './exec.js';
import { assembleKubeObjects, servicesOf } from './kube-objects.js';
import { kubeProxyRules } from './kube-proxy.js';
import { corednsMetricsText, defaultCorednsMetrics, enaStatsFile } from './lab-texts.js';
import {
  LAB_NETNS_PREFIX,
  WORKDIR_PREFIX,
  destroyNetnsSync,
  listNetns,
  newRunPrefix,
  sweepStaleLabs,
} from './names.js';

/** The lab's fixed addresses (lab.md, Rules). */
export const LAB_ADDRESSES = {
  router: '198.18.0.1',
  resolver: '198.18.0.2',
  apiServer: '198.18.0.100',
  serviceCidr: '198.19.0.0/16',
  kubeDnsClusterIp: '198.19.0.10',
} as const;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

/** Options of {@link startLab}. */
export interface StartLabOptions {
  readonly scenario: Scenario;
  /** where the scenario's relative paths resolve; @default the repository root */
  readonly scenarioDir?: string;
  /** @default the repository this file is in */
  readonly repoRoot?: string;
  /** progress lines (e.g. `console.error`); @default silent */
  readonly log?: (line: string) => void;
  /** passed to the fake API: start the runner when a Job is created (fleet-dns lab/demo) */
  readonly onJobCreated?: FakeKubeApiOptions['onJobCreated'];
  /** keep the work directory (pcaps, logs, configs) after stop; @default false */
  readonly keepWorkDir?: boolean;
}

/** A running lab. */
export interface Lab {
  readonly scenario: Scenario;
  /** per-run prefix of every namespace name */
  readonly prefix: string;
  /** temp directory with kubeconfig, resolv.conf, configs, query logs */
  readonly workDir: string;
  readonly kubeconfigPath: string;
  readonly resolvConfPath: string;
  /** the fake Kubernetes API (in this process; reachable in the lab at https://198.18.0.100:443) */
  readonly api: FakeKubeApi;
  /** the objects the API was started with */
  readonly objects: readonly KubeObject[];
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  readonly probePod: LabPod;
  readonly corednsPods: readonly LabPod[];
  /** every namespace this lab created */
  readonly namespaces: readonly string[];
  /** the namespace of a hop: a node or pod name, `vpc`, `upstream` or `api` */
  netns(hop: string): string;
  /** runs `argv` inside a hop's namespace; does not throw on a non-zero exit unless `check: true` */
  exec(hop: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** starts a long-running process in a hop's namespace; stopped with the lab */
  spawn(
    hop: string,
    name: string,
    argv: readonly string[],
    options?: { env?: NodeJS.ProcessEnv },
  ): LabProcess;
  /** adds an iptables rule on a hop (same shape as a scenario fault) */
  addFault(
    fault: Pick<ScenarioFault, 'hop' | 'chain' | 'rule'> & { table?: ScenarioFault['table'] },
  ): Promise<void>;
  /** the queries a CoreDNS pod (or `upstream`) received so far, from its query log */
  queryLog(podOrUpstream: string): Record<string, unknown>[];
  /** tears everything down; safe to call twice */
  stop(): Promise<void>;
}

// Labs of this process, torn down synchronously if the process is interrupted.
const activeLabs = new Set<{ processes: ProcessSet; namespaces: string[]; workDir?: string }>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const teardownSync = (): void => {
    for (const lab of activeLabs) {
      lab.processes.killAllSync();
      for (const ns of lab.namespaces) destroyNetnsSync(ns);
      if (lab.workDir) rmSync(lab.workDir, { recursive: true, force: true });
    }
    activeLabs.clear();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      teardownSync();
      process.kill(process.pid, signal);
    });
  }
  process.once('exit', teardownSync);
}

const nodeNetns = (prefix: string, i: number): string => `${prefix}n${i + 1}`;
const podNetns = (prefix: string, i: number, j: number): string => `${prefix}n${i + 1}p${j + 1}`;

/**
 * Builds the scenario's lab and starts every server in it. On any failure what was built is
 * torn down before the error is rethrown.
 * @throws LabError (and LabCommandError) naming the step that failed
 */
export async function startLab(options: StartLabOptions): Promise<Lab> {
  const { scenario } = options;
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const log = options.log ?? (() => undefined);
  installSignalHandlers();
  const swept = sweepStaleLabs();
  if (swept.length > 0) log(`swept ${swept.length} stale lab namespaces and work directories`);

  const prefix = newRunPrefix();
  // Named after the run's pid too, so a sweep can tell a dead run's leftovers (see names.ts).
  const workDir = mkdtempSync(path.join(tmpdir(), `${WORKDIR_PREFIX}${process.pid}-`));
  const processes = new ProcessSet();
  const namespaces: string[] = [];
  const tracked = { processes, namespaces, ...(options.keepWorkDir ? {} : { workDir }) };
  activeLabs.add(tracked);
  let api: FakeKubeApi | undefined;
  let stopped = false;

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
  const netnsOf = (hop: string): string => {
    const ns = hops.get(hop);
    if (!ns) throw new LabError(`unknown hop "${hop}" (a node or pod name, vpc, upstream or api)`);
    return ns;
  };
  const ip = (netns: string, commands: string[]): Promise<CommandResult> =>
    run(['ip', '-n', netns, '-batch', '-'], { input: `${commands.join('\n')}\n` });
  const nodeArgv = (script: string, args: string[]): string[] => [
    process.execPath,
    '--import',
    'tsx',
    path.join(repoRoot, script),
    ...args,
  ];

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await processes.stopAll();
    await api?.stop();
    for (const ns of namespaces) destroyNetnsSync(ns);
    activeLabs.delete(tracked);
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    // 1. Kubernetes objects (validated before anything is built).
    const objects = assembleKubeObjects(scenario, { scenarioDir: options.scenarioDir ?? repoRoot, repoRoot });
    const services = servicesOf(objects);

    // 2. Namespaces and links.
    log(`building lab ${scenario.name} (${prefix})`);
    for (const ns of [...hops.values()]) {
      await run(['ip', 'netns', 'add', ns]);
      namespaces.push(ns);
    }
    const vpc = netnsOf('vpc');
    const vpcCommands: string[] = ['link set lo up', `route add blackhole ${LAB_ADDRESSES.serviceCidr}`];
    const sideLink = async (
      peerNs: string,
      vpcIf: string,
      addresses: string[],
      extraRoutes: string[],
    ): Promise<void> => {
      await ip(vpc, [`link add ${vpcIf} type veth peer name eth0 netns ${peerNs}`]);
      vpcCommands.push(
        `addr add ${LAB_ADDRESSES.router}/32 dev ${vpcIf}`,
        `link set ${vpcIf} up`,
        ...extraRoutes,
      );
      const [primary] = addresses;
      await ip(peerNs, [
        'link set lo up',
        ...addresses.map((a) => `addr add ${a}/32 dev eth0`),
        'link set eth0 up',
        `route add ${LAB_ADDRESSES.router}/32 dev eth0 scope link src ${primary}`,
        `route add default via ${LAB_ADDRESSES.router} dev eth0 onlink src ${primary}`,
      ]);
    };
    const serverAddresses = scenario.upstream.servers.map((s) => s.address);
    await sideLink(
      netnsOf('upstream'),
      'v-up',
      [LAB_ADDRESSES.resolver, ...serverAddresses],
      [
        `route add ${LAB_ADDRESSES.resolver}/32 dev v-up scope link`,
        ...serverAddresses.map((a) => `route add ${a}/32 via ${LAB_ADDRESSES.resolver} dev v-up onlink`),
      ],
    );
    await sideLink(
      netnsOf('api'),
      'v-api',
      [LAB_ADDRESSES.apiServer],
      [`route add ${LAB_ADDRESSES.apiServer}/32 dev v-api scope link`],
    );
    for (const [i, node] of scenario.nodes.entries()) {
      const ns = nodeNetnsOf(i);
      await sideLink(
        ns,
        `v-n${i + 1}`,
        [node.address],
        [
          `route add ${node.address}/32 dev v-n${i + 1} scope link`,
          ...node.pods.map((p) => `route add ${p.address}/32 via ${node.address} dev v-n${i + 1} onlink`),
        ],
      );
      const nodeCommands: string[] = [];
      for (const [j, pod] of node.pods.entries()) {
        const podNs = podNetns(prefix, i, j);
        nodeCommands.push(
          `link add p${j + 1} type veth peer name eth0 netns ${podNs}`,
          `addr add ${node.address}/32 dev p${j + 1}`,
          `link set p${j + 1} up`,
          `route add ${pod.address}/32 dev p${j + 1} scope link src ${node.address}`,
        );
      }
      if (node.nodeLocal) {
        // node-local-dns puts its addresses on a `nodelocaldns` dummy link; the dummy driver is
        // not on every kernel, and a local address on `lo` behaves the same for routing.
        nodeCommands.push(
          `addr add ${node.nodeLocal.address}/32 dev lo`,
          ...(node.nodeLocal.interceptsClusterIp
            ? [`addr add ${LAB_ADDRESSES.kubeDnsClusterIp}/32 dev lo`]
            : []),
        );
      }
      if (nodeCommands.length > 0) await ip(ns, nodeCommands);
      for (const [j, pod] of node.pods.entries()) {
        // As the VPC CNI: the pod's /32, a host route to the node side, default via it.
        await ip(podNetns(prefix, i, j), [
          'link set lo up',
          `addr add ${pod.address}/32 dev eth0`,
          'link set eth0 up',
          `route add ${node.address}/32 dev eth0 scope link src ${pod.address}`,
          `route add default via ${node.address} dev eth0 onlink src ${pod.address}`,
        ]);
      }
    }
    await ip(vpc, vpcCommands);

    // 3. Forwarding and filtering live in the lab's namespaces only.
    for (const ns of [vpc, ...nodes.map((n) => n.netns)]) {
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

    // 4. kube-proxy (iptables DNAT) on the nodes that have it; NodeLocal's NOTRACK rules.
    const proxyRules = kubeProxyRules(services);
    for (const [i, node] of scenario.nodes.entries()) {
      const ns = nodeNetnsOf(i);
      if (node.kubeProxy) await run(inNetns(ns, ['iptables-restore', '--noflush']), { input: proxyRules });
      if (node.nodeLocal) {
        const targets = [
          node.nodeLocal.address,
          ...(node.nodeLocal.interceptsClusterIp ? [LAB_ADDRESSES.kubeDnsClusterIp] : []),
        ];
        const raw = ['*raw'];
        const filter = ['*filter'];
        for (const t of targets) {
          for (const proto of ['udp', 'tcp']) {
            raw.push(
              `-A PREROUTING -d ${t}/32 -p ${proto} -m ${proto} --dport 53 -j NOTRACK`,
              `-A OUTPUT -s ${t}/32 -p ${proto} -m ${proto} --sport 53 -j NOTRACK`,
            );
            // "Installed but not answering": queries vanish, as with a hung cache.
            if (!node.nodeLocal.answers)
              filter.push(`-A INPUT -d ${t}/32 -p ${proto} -m ${proto} --dport 53 -j DROP`);
          }
        }
        await run(inNetns(ns, ['iptables-restore', '--noflush']), {
          input: [...raw, 'COMMIT', ...filter, 'COMMIT', ''].join('\n'),
        });
      }
    }

    // 5. Servers: the VPC resolver and stub forwarders, CoreDNS pods, NodeLocal caches.
    const starting: Promise<unknown>[] = [];
    const startDns = (hop: string, name: string, config: DnsServerConfig): void => {
      const file = path.join(workDir, `dns-${name}.json`);
      writeFileSync(file, JSON.stringify(config, null, 2));
      const proc = processes.add(
        startProcess(name, inNetns(netnsOf(hop), nodeArgv('lab/dns-server/main.ts', ['--config', file])), {
          cwd: repoRoot,
        }),
      );
      starting.push(proc.firstLine);
    };
    const zoneConfig = (
      zones: Scenario['upstream']['zones'],
    ): Pick<DnsServerConfig, 'records' | 'authoritativeZones' | 'zoneBehaviours'> => ({
      records: Object.assign({}, ...zones.map((z) => z.records)) as RecordSet,
      authoritativeZones: ['.'],
      zoneBehaviours: zones
        .filter((z) => z.behaviour !== 'answer' || z.delayMs)
        .map((z) => ({ zone: z.zone, behaviour: z.behaviour, ...(z.delayMs ? { delayMs: z.delayMs } : {}) })),
    });
    const upstreamZones = zoneConfig(scenario.upstream.zones);
    startDns('upstream', 'vpc-resolver', {
      listen: [LAB_ADDRESSES.resolver],
      ...upstreamZones,
      zoneBehaviours:
        scenario.upstream.behaviour === 'answer'
          ? upstreamZones.zoneBehaviours
          : [{ zone: '.', behaviour: scenario.upstream.behaviour }],
      queryLog: path.join(workDir, 'query-upstream.jsonl'),
    });
    for (const server of scenario.upstream.servers) {
      if (server.dead) {
        await run(
          inNetns(netnsOf('upstream'), [
            'iptables',
            '-A',
            'INPUT',
            '-d',
            `${server.address}/32`,
            '-j',
            'DROP',
          ]),
        );
      } else {
        startDns('upstream', `server-${server.address}`, {
          listen: [server.address],
          ...zoneConfig(server.zones),
          queryLog: path.join(workDir, `query-${server.address}.jsonl`),
        });
      }
    }
    const corefile = (
      objects.find(
        (o) =>
          o.kind === 'ConfigMap' && o.metadata.namespace === 'kube-system' && o.metadata.name === 'coredns',
      )?.data as Record<string, string> | undefined
    )?.Corefile;
    const routing = standInRouting(
      corefile ?? 'cluster.local:53 {\n kubernetes\n}\n.:53 {\n forward . /etc/resolv.conf\n}\n',
      [LAB_ADDRESSES.resolver],
    );
    const clusterRecords: Record<string, { A: string[] }> = {};
    for (const svc of services)
      clusterRecords[`${svc.name}.${svc.namespace}.svc.${scenario.cluster.domain}`] = { A: [svc.clusterIP] };
    for (const [i, node] of scenario.nodes.entries()) {
      for (const pod of node.pods.filter((p) => p.role === 'coredns')) {
        const { tcp, ...behaviour } = pod.behaviour ?? {};
        startDns(pod.name, pod.name, {
          listen: ['0.0.0.0'],
          tcp: tcp ?? true,
          records: clusterRecords,
          authoritativeZones: routing.kubernetesZones,
          forwards: routing.forwards,
          behaviour,
          metrics: {
            port: 9153,
            texts: pod.metricsCounters
              ? pod.metricsCounters.map(corednsMetricsText)
              : pod.metrics === undefined
                ? defaultCorednsMetrics()
                : [pod.metrics].flat(),
          },
          queryLog: path.join(workDir, `query-${pod.name}.jsonl`),
          seed: i * 1000 + pod.address.split('.').reduce((a, b) => a + Number(b), 0),
        });
      }
      if (node.nodeLocal?.answers) {
        // Route like the NodeLocal Corefile says (zones → forwarders, `/etc/resolv.conf` = the VPC
        // resolver); without one, everything goes to kube-dns-upstream or else the CoreDNS pods.
        const fallback =
          services.find((s) => s.name === 'kube-dns-upstream' && s.namespace === 'kube-system')?.clusterIP ??
          services.find((s) => s.name === 'kube-dns' && s.namespace === 'kube-system')?.endpoints;
        const nodeLocalRoutes = scenario.nodeLocalCorefile
          ? standInRouting(scenario.nodeLocalCorefile, [LAB_ADDRESSES.resolver]).forwards
          : [{ zone: '.', to: [fallback ?? []].flat() }];
        const serverFlags = nodeLocalRoutes.flatMap((r) =>
          r.to.map((to) => (r.zone === '.' ? `--server=${to}` : `--server=/${r.zone}/${to}`)),
        );
        const listen = [
          node.nodeLocal.address,
          ...(node.nodeLocal.interceptsClusterIp ? [LAB_ADDRESSES.kubeDnsClusterIp] : []),
        ];
        const proc = processes.add(
          startProcess(
            `nodelocal-${node.name}`,
            inNetns(nodeNetnsOf(i), [
              'dnsmasq',
              '--keep-in-foreground',
              '--log-facility=-',
              '--no-resolv',
              '--no-hosts',
              '--bind-interfaces',
              ...listen.map((a) => `--listen-address=${a}`),
              '--port=53',
              '--user=root',
              '--group=root',
              `--pid-file=${path.join(workDir, `nodelocal-n${i + 1}.pid`)}`,
              '--cache-size=1000',
              ...serverFlags,
            ]),
          ),
        );
        starting.push(proc.waitForStderr(/started, version/));
      }
    }

    // 6. The fake Kubernetes API: in this process on a Unix socket, exposed at 198.18.0.100:443.
    const socketPath = path.join(workDir, 'api.sock');
    api = await startFakeKubeApi({
      objects,
      host: LAB_ADDRESSES.apiServer,
      port: 443,
      socketPath,
      podLogs: scenario.kube.podLogs,
      faults: scenario.kube.faults,
      ...(options.onJobCreated ? { onJobCreated: options.onJobCreated } : {}),
    });
    const proxy = processes.add(
      startProcess(
        'api-proxy',
        inNetns(
          netnsOf('api'),
          nodeArgv('lab/engine/socket-proxy.ts', [
            '--listen',
            `${LAB_ADDRESSES.apiServer}:443`,
            '--socket',
            socketPath,
          ]),
        ),
        { cwd: repoRoot },
      ),
    );
    starting.push(proxy.firstLine);
    const kubeconfigPath = path.join(workDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, api.kubeconfig(), { mode: 0o600 });
    const resolvConfPath = path.join(workDir, 'resolv.conf');
    writeFileSync(
      resolvConfPath,
      scenario.probe.resolvConf ??
        `search default.svc.${scenario.cluster.domain} svc.${scenario.cluster.domain} ${scenario.cluster.domain} eu-west-1.compute.internal\nnameserver ${LAB_ADDRESSES.kubeDnsClusterIp}\noptions ndots:5\n`,
    );
    for (const node of scenario.nodes) {
      const labNode = nodes.find((n) => n.name === node.name);
      if (node.ena && labNode?.enaStatsFile) writeFileSync(labNode.enaStatsFile, enaStatsFile(node.ena));
    }

    // 7. The scenario's faults, last, so they apply on top of kube-proxy's rules.
    for (const fault of scenario.faults) await addFault(fault);

    await Promise.all(starting);
    log(`lab ${scenario.name} ready`);

    const probePod = pods.find((p) => p.role === 'probe');
    if (!probePod) throw new LabError('the scenario has no probe pod');
    const startedApi = api;
    return {
      scenario,
      prefix,
      workDir,
      kubeconfigPath,
      resolvConfPath,
      api: startedApi,
      objects,
      nodes,
      pods,
      probePod,
      corednsPods: pods.filter((p) => p.role === 'coredns'),
      namespaces,
      netns: netnsOf,
      exec: (hop, argv, runOptions) =>
        run(inNetns(netnsOf(hop), argv), { check: false, cwd: repoRoot, ...runOptions }),
      spawn: (hop, name, argv, spawnOptions) =>
        processes.add(startProcess(name, inNetns(netnsOf(hop), argv), { cwd: repoRoot, ...spawnOptions })),
      addFault,
      queryLog: (hop) => {
        const file = path.join(workDir, `query-${hop}.jsonl`);
        let text = '';
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }

  function nodeNetnsOf(i: number): string {
    return nodeNetns(prefix, i);
  }

  async function addFault(
    fault: Pick<ScenarioFault, 'hop' | 'chain' | 'rule'> & { table?: ScenarioFault['table'] },
  ): Promise<void> {
    await run(
      inNetns(netnsOf(fault.hop), [
        'iptables',
        '-t',
        fault.table ?? 'filter',
        '-A',
        fault.chain,
        ...splitShellWords(fault.rule),
      ]),
    );
  }
}

/** Lab namespaces currently on the machine (for teardown checks). */
export function labNamespacesOnMachine(prefix?: string): string[] {
  return listNetns().filter((n) => n.startsWith(prefix ?? LAB_NETNS_PREFIX));
}
