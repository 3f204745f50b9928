/**
 * The netns DNS lab (lab.md): builds a routed, VPC-CNI-like topology from a scenario — node
 * namespaces with /32 pod routes over veths (no bridge), a "vpc" router, the "VPC resolver"
 * 198.18.0.2, CoreDNS pods played by the lab DNS server, kube-proxy as iptables DNAT for the
 * ClusterIPs in every node, optional NodeLocal DNSCache (dnsmasq) on 169.254.20.10, the fake
 * Kubernetes API on 198.18.0.100:443 — and tears it all down again, also on SIGINT/SIGTERM.
 * Nothing is created or changed in the root namespace: every veth is created from inside a lab
 * namespace, every sysctl and iptables rule is set inside one.
 *
 * @see ./topology.ts (namespaces, links, rules) and ./lab-servers.ts (DNS servers)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOnboardingManifests } from '../../lambdas/kube/manifests/index.js';
import { startFakeKubeApi } from '../fake-kube-api/index.js';
import type { FakeKubeApi, FakeKubeApiOptions, KubeObject } from '../fake-kube-api/index.js';
import type { Scenario, ScenarioFault } from '../scenarios/schema.js';
import { LabError } from './errors.js';
import { ProcessSet, inNetns, run, splitShellWords, startProcess } from './exec.js';
import type { CommandResult, LabProcess, RunOptions } from './exec.js';
import { assembleKubeObjects, servicesOf } from './kube-objects.js';
import { enaStatsFile } from './lab-texts.js';
import { startDnsServers, tsxArgv } from './lab-servers.js';
import type { ServerContext } from './lab-servers.js';
import {
  LAB_NETNS_PREFIX,
  WORKDIR_PREFIX,
  destroyNetnsSync,
  listNetns,
  newRunPrefix,
  sweepStaleLabs,
} from './names.js';
import {
  LAB_ADDRESSES,
  createNamespaces,
  enableForwarding,
  installNodeRules,
  layOutLab,
  linkTopology,
} from './topology.js';
import type { LabLayout, LabNode, LabPod } from './topology.js';
import { repoRoot } from '../repo-root.js';

const REPO_ROOT = repoRoot();

/** Who the fake API says the scanner is (its requests are told from the runner's by it). */
export const LAB_SCANNER_USER = 'fleet-dns-scanner';

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

/** An iptables rule on a hop: a scenario fault, `table` defaulting to filter. */
type FaultSpec = Pick<ScenarioFault, 'hop' | 'chain' | 'rule'> & { table?: ScenarioFault['table'] };

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
  /**
   * The API's URL from this process (the root namespace): a loopback port forwarded to the API's
   * socket, for the dispatcher and collector the lab runs here as the scanner would from outside.
   */
  readonly apiUrlFromHost: string;
  /** the scanner's bearer token (user {@link LAB_SCANNER_USER}); the runner uses the kubeconfig's */
  readonly scannerToken: string;
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
  addFault(fault: FaultSpec): Promise<void>;
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

  // Named after the run's pid too, so a sweep can tell a dead run's leftovers (see names.ts).
  const workDir = mkdtempSync(path.join(tmpdir(), `${WORKDIR_PREFIX}${process.pid}-`));
  const layout = layOutLab(scenario, newRunPrefix(), workDir);
  const processes = new ProcessSet();
  const namespaces: string[] = [];
  const tracked = { processes, namespaces, ...(options.keepWorkDir ? {} : { workDir }) };
  activeLabs.add(tracked);
  let api: FakeKubeApi | undefined;
  const scannerToken = randomBytes(24).toString('hex');
  let hostForwarder: Server | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await processes.stopAll();
    await new Promise<void>((resolve) => (hostForwarder ? hostForwarder.close(() => resolve()) : resolve()));
    await api?.stop();
    for (const ns of namespaces) destroyNetnsSync(ns);
    activeLabs.delete(tracked);
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    // Validated before anything is built.
    const objects = assembleKubeObjects(scenario, { scenarioDir: options.scenarioDir ?? repoRoot, repoRoot });
    const services = servicesOf(objects);

    log(`building lab ${scenario.name} (${layout.prefix})`);
    await createNamespaces(layout, namespaces);
    await linkTopology(scenario, layout);
    await enableForwarding(layout);
    await installNodeRules(scenario, layout, services);

    const servers: ServerContext = { scenario, layout, workDir, repoRoot, processes };
    const starting = await startDnsServers(servers, objects, services);
    api = await startLabApi(scenario, objects, workDir, options.onJobCreated, scannerToken);
    starting.push(startApiProxy(servers));
    hostForwarder = await forwardLoopbackToSocket(apiSocketPath(workDir));
    const hostAddress = hostForwarder.address() as AddressInfo;
    const { kubeconfigPath, resolvConfPath } = writeClientFiles(scenario, layout, workDir, api);
    // Last, so they apply on top of kube-proxy's rules.
    for (const fault of scenario.faults) await addIptablesFault(layout, fault);

    await Promise.all(starting);
    log(`lab ${scenario.name} ready`);

    const probePod = layout.pods.find((p) => p.role === 'probe');
    if (!probePod) throw new LabError('the scenario has no probe pod');
    return {
      scenario,
      prefix: layout.prefix,
      workDir,
      kubeconfigPath,
      resolvConfPath,
      api,
      apiUrlFromHost: `https://127.0.0.1:${hostAddress.port}`,
      scannerToken,
      objects,
      nodes: layout.nodes,
      pods: layout.pods,
      probePod,
      corednsPods: layout.pods.filter((p) => p.role === 'coredns'),
      namespaces,
      netns: layout.netnsOf,
      exec: (hop, argv, runOptions) =>
        run(inNetns(layout.netnsOf(hop), argv), { check: false, cwd: repoRoot, ...runOptions }),
      spawn: (hop, name, argv, spawnOptions) =>
        processes.add(
          startProcess(name, inNetns(layout.netnsOf(hop), argv), { cwd: repoRoot, ...spawnOptions }),
        ),
      addFault: (fault) => addIptablesFault(layout, fault),
      queryLog: (hop) => readQueryLog(workDir, hop),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const apiSocketPath = (workDir: string): string => path.join(workDir, 'api.sock');

/** The fake Kubernetes API, in this process on a Unix socket (see {@link startApiProxy}). */
function startLabApi(
  scenario: Scenario,
  objects: readonly KubeObject[],
  workDir: string,
  onJobCreated: StartLabOptions['onJobCreated'],
  scannerToken: string,
): Promise<FakeKubeApi> {
  // The lab's cluster is onboarded (`fleet-dns onboard`): the scanner's namespace, the runner's
  // ServiceAccount and RBAC exist before any scan — unless the scenario brings its own.
  const has = (o: KubeObject): boolean =>
    objects.some(
      (p) =>
        p.kind === o.kind &&
        p.metadata.name === o.metadata.name &&
        p.metadata.namespace === o.metadata.namespace,
    );
  const onboarding = (buildOnboardingManifests({}).all as unknown as KubeObject[]).filter((o) => !has(o));
  return startFakeKubeApi({
    objects: [...objects, ...onboarding],
    host: LAB_ADDRESSES.apiServer,
    port: 443,
    socketPath: apiSocketPath(workDir),
    users: { [scannerToken]: LAB_SCANNER_USER },
    podLogs: scenario.kube.podLogs,
    faults: scenario.kube.faults,
    ...(onJobCreated ? { onJobCreated } : {}),
  });
}

/**
 * A loopback port in this process forwarded to the API's socket, byte for byte (TLS passes
 * through; the certificate names 127.0.0.1). Nothing in the root namespace changes: it is a
 * listening socket of this process, closed with the lab.
 */
async function forwardLoopbackToSocket(socketPath: string): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
    }
  });
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(callback);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/** Exposes the API's socket at 198.18.0.100:443 in the api namespace; settles once it listens. */
function startApiProxy({ layout, workDir, repoRoot, processes }: ServerContext): Promise<string> {
  const argv = tsxArgv(repoRoot, 'lab/engine/socket-proxy.ts', [
    '--listen',
    `${LAB_ADDRESSES.apiServer}:443`,
    '--socket',
    apiSocketPath(workDir),
  ]);
  return processes.add(startProcess('api-proxy', inNetns(layout.netnsOf('api'), argv), { cwd: repoRoot }))
    .firstLine;
}

/** What the runner reads: the kubeconfig, the probe pod's resolv.conf (ClusterFirst), the nodes' ENA counters. */
function writeClientFiles(
  scenario: Scenario,
  layout: LabLayout,
  workDir: string,
  api: FakeKubeApi,
): { kubeconfigPath: string; resolvConfPath: string } {
  const kubeconfigPath = path.join(workDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, api.kubeconfig(), { mode: 0o600 });
  const resolvConfPath = path.join(workDir, 'resolv.conf');
  const { domain } = scenario.cluster;
  writeFileSync(
    resolvConfPath,
    scenario.probe.resolvConf ??
      `search default.svc.${domain} svc.${domain} ${domain} eu-west-1.compute.internal\nnameserver ${LAB_ADDRESSES.kubeDnsClusterIp}\noptions ndots:5\n`,
  );
  for (const node of scenario.nodes) {
    const labNode = layout.nodes.find((n) => n.name === node.name);
    if (node.ena && labNode?.enaStatsFile) writeFileSync(labNode.enaStatsFile, enaStatsFile(node.ena));
  }
  return { kubeconfigPath, resolvConfPath };
}

async function addIptablesFault(layout: LabLayout, fault: FaultSpec): Promise<void> {
  await run(
    inNetns(layout.netnsOf(fault.hop), [
      'iptables',
      '-t',
      fault.table ?? 'filter',
      '-A',
      fault.chain,
      ...splitShellWords(fault.rule),
    ]),
  );
}

/** The JSON lines a DNS server logged, one object per query; none when it logged nothing yet. */
function readQueryLog(workDir: string, hop: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(path.join(workDir, `query-${hop}.jsonl`), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Lab namespaces currently on the machine (for teardown checks). */
export function labNamespacesOnMachine(prefix?: string): string[] {
  return listNetns().filter((n) => n.startsWith(prefix ?? LAB_NETNS_PREFIX));
}
