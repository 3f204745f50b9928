/**
 * The lab's DNS servers: the "VPC resolver" and stub-domain servers in the upstream namespace,
 * the CoreDNS pods (played by lab/dns-server), and NodeLocal DNSCache (dnsmasq) on the nodes
 * that run it. Each is started in its namespace; the caller waits for the promises returned.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { standInRouting } from '../dns-server/corefile.js';
import type { DnsServerConfig, RecordSet } from '../dns-server/server.js';
import type { KubeObject } from '../fake-kube-api/index.js';
import type { Scenario, ScenarioNode } from '../scenarios/schema.js';
import { inNetns, run, startProcess } from './exec.js';
import type { ProcessSet } from './exec.js';
import type { ServiceView } from './kube-objects.js';
import { corednsMetricsText, defaultCorednsMetrics } from './lab-texts.js';
import { LAB_ADDRESSES, nodeLocalAddresses } from './topology.js';
import type { LabLayout } from './topology.js';

/** What starting the servers needs from the lab being built. */
export interface ServerContext {
  readonly scenario: Scenario;
  readonly layout: LabLayout;
  /** configs, query logs and pid files go here */
  readonly workDir: string;
  readonly repoRoot: string;
  /** every server started joins it, so the lab stops it */
  readonly processes: ProcessSet;
}

/** `node --import tsx <repoRoot>/<script> …args`: how the lab starts its own TypeScript servers. */
export function tsxArgv(repoRoot: string, script: string, args: readonly string[]): string[] {
  return [process.execPath, '--import', 'tsx', path.join(repoRoot, script), ...args];
}

/** Starts every DNS server of the scenario; resolves to one promise per server that settles once it serves. */
export async function startDnsServers(
  ctx: ServerContext,
  objects: readonly KubeObject[],
  services: readonly ServiceView[],
): Promise<Promise<unknown>[]> {
  const started = [...(await startUpstream(ctx))];
  const routing = corednsRouting(objects);
  const records = serviceRecords(services, ctx.scenario.cluster.domain);
  for (const [i, node] of ctx.scenario.nodes.entries()) {
    started.push(...startCorednsPods(ctx, node, i, routing, records));
    if (node.nodeLocal?.answers) started.push(startNodeLocalCache(ctx, node, i, node.nodeLocal, services));
  }
  return started;
}

function startDnsServer(
  ctx: ServerContext,
  hop: string,
  name: string,
  config: DnsServerConfig,
): Promise<string> {
  const file = path.join(ctx.workDir, `dns-${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const argv = tsxArgv(ctx.repoRoot, 'lab/dns-server/main.ts', ['--config', file]);
  const proc = ctx.processes.add(
    startProcess(name, inNetns(ctx.layout.netnsOf(hop), argv), { cwd: ctx.repoRoot }),
  );
  return proc.firstLine;
}

/** The VPC resolver, and each stub-domain server (or a DROP for its address when it is dead). */
async function startUpstream(ctx: ServerContext): Promise<Promise<unknown>[]> {
  const { upstream } = ctx.scenario;
  const resolverZones = zoneConfig(upstream.zones);
  const started: Promise<unknown>[] = [
    startDnsServer(ctx, 'upstream', 'vpc-resolver', {
      listen: [LAB_ADDRESSES.resolver],
      ...resolverZones,
      zoneBehaviours:
        upstream.behaviour === 'answer'
          ? resolverZones.zoneBehaviours
          : [{ zone: '.', behaviour: upstream.behaviour }],
      queryLog: path.join(ctx.workDir, 'query-upstream.jsonl'),
    }),
  ];
  for (const server of upstream.servers) {
    if (server.dead) {
      await run(
        inNetns(ctx.layout.netnsOf('upstream'), [
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
      started.push(
        startDnsServer(ctx, 'upstream', `server-${server.address}`, {
          listen: [server.address],
          ...zoneConfig(server.zones),
          queryLog: path.join(ctx.workDir, `query-${server.address}.jsonl`),
        }),
      );
    }
  }
  return started;
}

function zoneConfig(
  zones: Scenario['upstream']['zones'],
): Pick<DnsServerConfig, 'records' | 'authoritativeZones' | 'zoneBehaviours'> {
  return {
    records: Object.assign({}, ...zones.map((z) => z.records)) as RecordSet,
    authoritativeZones: ['.'],
    zoneBehaviours: zones
      .filter((z) => z.behaviour !== 'answer' || z.delayMs)
      .map((z) => ({ zone: z.zone, behaviour: z.behaviour, ...(z.delayMs ? { delayMs: z.delayMs } : {}) })),
  };
}

/** How the CoreDNS stand-ins route, from the `coredns` ConfigMap's Corefile (the EKS default without one). */
function corednsRouting(objects: readonly KubeObject[]): ReturnType<typeof standInRouting> {
  const corefile = (
    objects.find(
      (o) =>
        o.kind === 'ConfigMap' && o.metadata.namespace === 'kube-system' && o.metadata.name === 'coredns',
    )?.data as Record<string, string> | undefined
  )?.Corefile;
  return standInRouting(
    corefile ?? 'cluster.local:53 {\n kubernetes\n}\n.:53 {\n forward . /etc/resolv.conf\n}\n',
    [LAB_ADDRESSES.resolver],
  );
}

/** `<service>.<namespace>.svc.<domain>` → its ClusterIP: what the `kubernetes` plugin answers. */
function serviceRecords(services: readonly ServiceView[], domain: string): RecordSet {
  const records: Record<string, { A: string[] }> = {};
  for (const svc of services) records[`${svc.name}.${svc.namespace}.svc.${domain}`] = { A: [svc.clusterIP] };
  return records;
}

function startCorednsPods(
  ctx: ServerContext,
  node: ScenarioNode,
  nodeIndex: number,
  routing: ReturnType<typeof standInRouting>,
  clusterRecords: RecordSet,
): Promise<unknown>[] {
  return node.pods
    .filter((p) => p.role === 'coredns')
    .map((pod) => {
      const { tcp, ...behaviour } = pod.behaviour ?? {};
      return startDnsServer(ctx, pod.name, pod.name, {
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
        queryLog: path.join(ctx.workDir, `query-${pod.name}.jsonl`),
        seed: nodeIndex * 1000 + pod.address.split('.').reduce((a, b) => a + Number(b), 0),
      });
    });
}

/**
 * NodeLocal DNSCache as dnsmasq, routing like the NodeLocal Corefile says (zones → forwarders,
 * `/etc/resolv.conf` = the VPC resolver); without one, everything goes to kube-dns-upstream or
 * else the CoreDNS pods.
 */
function startNodeLocalCache(
  ctx: ServerContext,
  node: ScenarioNode,
  nodeIndex: number,
  nodeLocal: NonNullable<ScenarioNode['nodeLocal']>,
  services: readonly ServiceView[],
): Promise<void> {
  const fallback =
    services.find((s) => s.name === 'kube-dns-upstream' && s.namespace === 'kube-system')?.clusterIP ??
    services.find((s) => s.name === 'kube-dns' && s.namespace === 'kube-system')?.endpoints;
  const routes = ctx.scenario.nodeLocalCorefile
    ? standInRouting(ctx.scenario.nodeLocalCorefile, [LAB_ADDRESSES.resolver]).forwards
    : [{ zone: '.', to: [fallback ?? []].flat() }];
  const serverFlags = routes.flatMap((r) =>
    r.to.map((to) => (r.zone === '.' ? `--server=${to}` : `--server=/${r.zone}/${to}`)),
  );
  const proc = ctx.processes.add(
    startProcess(
      `nodelocal-${node.name}`,
      inNetns(ctx.layout.netnsOf(node.name), [
        'dnsmasq',
        '--keep-in-foreground',
        '--log-facility=-',
        '--no-resolv',
        '--no-hosts',
        '--bind-interfaces',
        ...nodeLocalAddresses(nodeLocal).map((a) => `--listen-address=${a}`),
        '--port=53',
        '--user=root',
        '--group=root',
        `--pid-file=${path.join(ctx.workDir, `nodelocal-n${nodeIndex + 1}.pid`)}`,
        '--cache-size=1000',
        ...serverFlags,
      ]),
    ),
  );
  return proc.waitForStderr(/started, version/);
}
