/**
 * The probe role: reads resolv.conf, discovers the DNS data path through the Kubernetes API,
 * captures port 53 while it probes, runs the section-B DNS checks (and the Kubernetes-object
 * checks through their module), and returns one runner result document with the raw
 * observations the collector correlates with the node agents' captures.
 */
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { RUNNER_RESULT_FORMAT } from '../../../lambdas/core/schema/index.js';
import type {
  CheckResult,
  ProbeQuery,
  RunnerObservations,
  RunnerResult,
} from '../../../lambdas/core/schema/index.js';
import { CHECK_IDS } from '../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../lambdas/core/catalog/index.js';
import { SYSTEM_RETRY_CLOCK, withApiRetries } from '../../../lambdas/core/retry/index.js';
import type { KubeRetryOptions } from '../kube/read-api.js';
import { isNodeLocalCandidate, parseResolvConf } from '../../../lambdas/core/dns/index.js';
import type { LatencyStats, ResolvConf } from '../../../lambdas/core/dns/index.js';
import { correlateCapture } from '../../../lambdas/core/capture/index.js';
import type { ProbeDiscovery } from '../../../lambdas/core/capture/index.js';
import { createProbeBudget } from '../budget/index.js';
import type { ProbeBudget, ProbeBudgetOptions } from '../budget/index.js';
import { createQueryDns } from '../dns/index.js';
import type { DnsOutcome, QueryDns } from '../dns/index.js';
import { startCapture } from '../capture/index.js';
import type { CaptureHandle, CaptureOutcome } from '../capture/index.js';
import { DEFAULT_PROBE_SETTINGS, randomLabel as defaultRandomLabel } from './context.js';
import type { ProbeContext, ProbeSettings, ProbeTarget } from './context.js';
import { discover } from './discovery.js';
import type { Discovery, Read } from './discovery.js';
import { evaluateResolvConf } from './checks/resolv-conf.js';
import { checkExternal, checkInternal } from './checks/resolution.js';
import { evaluatePerEndpoint, probeEndpoints } from './checks/per-endpoint.js';
import type { EndpointProbe } from './checks/per-endpoint.js';
import { checkTcpFallback } from './checks/tcp-fallback.js';
import type { UdpRecord } from './checks/tcp-fallback.js';
import { evaluateLatency, measureTarget, roundLosses } from './checks/latency.js';
import type { TargetLatency } from './checks/latency.js';
import { checkNodeLocal, nodeLocalProbeAddress } from './checks/nodelocal.js';
import { lookUpUniqueName, observedAmplification } from './amplification.js';
import type { AmplificationLookup } from './amplification.js';
import { runKubeChecks } from '../kube/index.js';
import { kubeChecksUnavailable, runKubeChecksSafely } from './kube-checks.js';
import type { RunKubeChecks } from './kube-checks.js';
import { waitForNodeAgents } from './node-agents.js';
import type { WaitForNodeAgentsOptions } from './node-agents.js';

export interface RunProbeOptions {
  readonly scanId: string;
  readonly clusterId: string;
  /** the node the probe pod runs on (downward API) */
  readonly nodeName?: string;
  /** @default '/etc/resolv.conf' */
  readonly resolvConfPath?: string;
  /** the cluster API; when absent, `kubeConfigError` says why */
  readonly kubeConfig?: KubeConfig;
  readonly kubeConfigError?: string;
  /** `none` disables the capture @default 'any' */
  readonly captureInterface?: string;
  readonly budget?: Partial<ProbeBudgetOptions>;
  readonly settings?: Partial<ProbeSettings>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** passed to the Kubernetes-object checks: time between the two CoreDNS metrics scrapes */
  readonly metricsIntervalMs?: number;
  /**
   * Wait (bounded) until the node agents matching this selector are Ready before sending any
   * query; the outcome goes into `observations.nodeAgents`. Absent: no wait.
   */
  readonly waitForNodeAgents?: WaitForNodeAgentsOptions;
  /**
   * Retries of transient Kubernetes API failures, for discovery and the Kubernetes-object checks
   * @default DEFAULT_RETRY_POLICY, no retry waiting past DEFAULT_RUN_DEADLINE_MS after the start
   */
  readonly apiRetry?: KubeRetryOptions;
  /** test seams */
  readonly discovery?: Discovery;
  readonly runKubeChecks?: RunKubeChecks;
  readonly tcpdumpPath?: string;
  readonly randomLabel?: () => string;
}

/** The targets the probe derives from the cluster API reads, each unreadable one with its reason. */
interface DataPath {
  readonly clusterIpRead: Read<string>;
  /** the ClusterIP; null when the Service has none, undefined when the Service is unreadable */
  readonly clusterIp: string | null | undefined;
  readonly endpointsRead: Read<ProbeTarget[]>;
  /** the ready CoreDNS pods (none when the EndpointSlices are unreadable) */
  readonly pods: ProbeTarget[];
  readonly kubernetesServiceIpRead: Read<string | null>;
  readonly kubernetesIp: string | null | undefined;
  readonly upstreamIp: string | null | undefined;
  readonly nodeLocalRead: Discovery['nodeLocal'];
  /** link-local nameservers in resolv.conf: NodeLocal candidates */
  readonly linkLocal: string[];
}

/** What the DNS probes observed, before any of it is judged. */
interface DnsProbes {
  readonly nodeLocal: NodeLocalOutcome;
  readonly internal: Awaited<ReturnType<typeof checkInternal>>;
  readonly external: CheckResult;
  readonly endpointProbes: EndpointProbe[];
  readonly rounds: TargetLatency[];
  readonly tcp: CheckResult;
}

type ConfRead = Read<ResolvConf>;
/** No Kubernetes API retry of the run waits past this long after its start (the Job's deadline is longer). */
export const DEFAULT_RUN_DEADLINE_MS = 120_000;
const valueOr = <T>(r: Read<T>): T | undefined => (r.ok ? r.value : undefined);
type BudgetEvidence = { readonly limits: ProbeBudgetOptions } & ReturnType<ProbeBudget['stats']>;
type NodeLocalOutcome = Awaited<ReturnType<typeof checkNodeLocal>>;

function unavailable(reason: string): Discovery {
  const fail = { ok: false as const, error: reason };
  return {
    kubeDns: fail,
    endpoints: fail,
    kubernetesServiceIp: fail,
    nodeLocal: fail,
    kubeDnsUpstreamIp: fail,
  };
}

async function readResolvConf(path: string): Promise<ConfRead> {
  try {
    return { ok: true, value: parseResolvConf(await readFile(path, 'utf8')) };
  } catch (err) {
    return { ok: false, error: (err as { code?: string }).code === 'ENOENT' ? 'no such file' : String(err) };
  }
}

async function discoverOrExplain(options: RunProbeOptions, apiRetry: KubeRetryOptions): Promise<Discovery> {
  if (options.discovery) return options.discovery;
  return options.kubeConfig
    ? discover(options.kubeConfig, apiRetry)
    : unavailable(options.kubeConfigError ?? 'no cluster API configured');
}

function dataPathFrom(discovery: Discovery, conf: ConfRead): DataPath {
  const clusterIpRead: Read<string> = discovery.kubeDns.ok
    ? discovery.kubeDns.value.clusterIp
      ? { ok: true, value: discovery.kubeDns.value.clusterIp }
      : { ok: false, error: 'the kube-dns Service has no ClusterIP' }
    : { ok: false, error: `kube-dns Service: ${discovery.kubeDns.error}` };
  const endpointsRead: Read<ProbeTarget[]> = discovery.endpoints.ok
    ? {
        ok: true,
        value: discovery.endpoints.value
          .filter((e) => e.ready)
          .map((e) => ({
            address: e.ip,
            role: 'pod' as const,
            ...(e.pod ? { pod: e.pod } : {}),
            ...(e.nodeName ? { nodeName: e.nodeName } : {}),
          })),
      }
    : { ok: false, error: `kube-dns EndpointSlices: ${discovery.endpoints.error}` };
  return {
    clusterIpRead,
    clusterIp: clusterIpRead.ok ? clusterIpRead.value : discovery.kubeDns.ok ? null : undefined,
    endpointsRead,
    pods: endpointsRead.ok ? endpointsRead.value : [],
    kubernetesServiceIpRead: discovery.kubernetesServiceIp,
    kubernetesIp: valueOr(discovery.kubernetesServiceIp),
    upstreamIp: valueOr(discovery.kubeDnsUpstreamIp),
    nodeLocalRead: discovery.nodeLocal,
    linkLocal: conf.ok ? conf.value.nameservers.filter(isNodeLocalCandidate) : [],
  };
}

/**
 * A query to the ClusterIP or to NodeLocal (unique names miss its cache) reaches one of the
 * CoreDNS pods, so it counts against every pod's budget window.
 */
function shareBudgetAcrossPods(budget: ProbeBudget, path: DataPath, settings: ProbeSettings): void {
  const podIps = path.pods.map((p) => p.address);
  if (podIps.length === 0) return;
  if (path.clusterIp) budget.shareTarget(path.clusterIp, podIps);
  const nodeLocalAddresses = new Set([
    ...path.linkLocal,
    settings.nodeLocalAddress,
    nodeLocalProbeAddress(
      {
        linkLocalNameservers: path.linkLocal,
        ...(path.nodeLocalRead.ok && path.nodeLocalRead.value.corefile !== undefined
          ? { corefile: path.nodeLocalRead.value.corefile }
          : {}),
      },
      settings.nodeLocalAddress,
    ),
  ]);
  for (const address of nodeLocalAddresses)
    if (address !== path.clusterIp) budget.shareTarget(address, podIps);
}

async function startProbeCapture(
  captureInterface: string,
  options: RunProbeOptions,
  settings: ProbeSettings,
): Promise<CaptureHandle | undefined> {
  if (captureInterface === 'none') return undefined;
  return startCapture({
    interface: captureInterface,
    ...(settings.dnsPort !== 53 ? { port: settings.dnsPort } : {}),
    ...(options.tcpdumpPath ? { tcpdumpPath: options.tcpdumpPath } : {}),
  });
}

/**
 * The Kubernetes-object checks and metrics (their own module) run alongside the DNS probes with
 * the same budgeted client, so their forwarder probes are paced and captured too.
 */
function startKubeChecks(
  options: RunProbeOptions,
  queryDns: QueryDns,
  budget: ProbeBudget,
  now: () => Date,
  apiRetry: KubeRetryOptions,
): Promise<CheckResult[]> {
  const kubeConfig = options.kubeConfig;
  if (!kubeConfig)
    return Promise.resolve(kubeChecksUnavailable(options.kubeConfigError ?? 'no cluster API configured'));
  return runKubeChecksSafely(options.runKubeChecks ?? runKubeChecks, {
    kubeConfig,
    queryDns,
    budget,
    ...(options.nodeName ? { probeNodeName: options.nodeName } : {}),
    now,
    apiRetry,
    ...(options.metricsIntervalMs !== undefined ? { metricsIntervalMs: options.metricsIntervalMs } : {}),
  });
}

function probeNodeLocal(
  ctx: ProbeContext,
  path: DataPath,
  nodeName: string | undefined,
): Promise<NodeLocalOutcome> {
  const { nodeLocalRead } = path;
  return checkNodeLocal(ctx, {
    daemonSet: nodeLocalRead.ok ? { ok: true, value: nodeLocalRead.value.daemonSet } : nodeLocalRead,
    ...(nodeLocalRead.ok && nodeLocalRead.value.corefile !== undefined
      ? { corefile: nodeLocalRead.value.corefile }
      : {}),
    ...(nodeLocalRead.ok && nodeLocalRead.value.corefileError !== undefined
      ? { corefileError: nodeLocalRead.value.corefileError }
      : {}),
    linkLocalNameservers: path.linkLocal,
    clusterIp: path.clusterIp,
    acceptableForwarders: [...(path.upstreamIp ? [path.upstreamIp] : []), ...path.pods.map((p) => p.address)],
    kubernetesIp: path.kubernetesIp,
    ...(nodeName ? { nodeName } : {}),
  });
}

function latencyTargetsOf(path: DataPath, nodeLocal: NodeLocalOutcome): ProbeTarget[] {
  return [
    ...(path.clusterIpRead.ok ? [{ address: path.clusterIpRead.value, role: 'clusterIP' as const }] : []),
    ...path.pods,
    ...(nodeLocal.address && nodeLocal.result.status !== 'SKIPPED' && nodeLocal.address !== path.clusterIp
      ? [{ address: nodeLocal.address, role: 'nodelocal' as const }]
      : []),
  ];
}

/**
 * What UDP did at each TCP-fallback target: every UDP query sent to it (the resolution or
 * per-endpoint probes and its latency round), less the one-sided pair losses the conntrack-race
 * signature accounts for.
 */
function udpRecordsOf(
  path: DataPath,
  internalOutcome: DnsOutcome | undefined,
  endpointProbes: readonly EndpointProbe[],
  rounds: readonly TargetLatency[],
): Map<string, UdpRecord> {
  // a DNS response of any rcode is UDP answering (a SERVFAIL for the external name is the upstream's)
  const answered = (o: DnsOutcome | undefined): boolean => o?.outcome === 'answer';
  const udpRecord = (address: string, direct: readonly (DnsOutcome | undefined)[]): UdpRecord => {
    const round = rounds.find((r) => r.target.address === address);
    const losses = round
      ? roundLosses(round.stats, round.pairs)
      : { sent: 0, unanswered: 0, explainedLosses: 0 };
    const sent = direct.filter((o) => o !== undefined);
    return {
      sent: sent.length + losses.sent - losses.explainedLosses,
      answered: sent.filter(answered).length + losses.sent - losses.explainedLosses - losses.unanswered,
    };
  };
  const records = new Map<string, UdpRecord>();
  if (path.clusterIpRead.ok)
    records.set(path.clusterIpRead.value, udpRecord(path.clusterIpRead.value, [internalOutcome]));
  for (const p of endpointProbes)
    records.set(p.target.address, udpRecord(p.target.address, [p.internal, p.external]));
  return records;
}

/** Sends the section-B DNS probes, NodeLocal first: whether it intercepts the ClusterIP changes what the ClusterIP probes test. */
async function probeDns(ctx: ProbeContext, path: DataPath, nodeName: string | undefined): Promise<DnsProbes> {
  const nodeLocal = await probeNodeLocal(ctx, path, nodeName);
  const clusterIpNotes =
    nodeLocal.interceptsClusterIP === true
      ? [
          'NodeLocal DNSCache listens on the kube-dns ClusterIP on this node: ClusterIP probes here test NodeLocal, not kube-proxy',
        ]
      : [];
  const internal = await checkInternal(ctx, path.clusterIpRead, path.kubernetesServiceIpRead, clusterIpNotes);
  const external = await checkExternal(ctx, path.clusterIpRead);
  const endpointProbes = await probeEndpoints(ctx, path.pods);
  const latencyTargets = latencyTargetsOf(path, nodeLocal);
  // every target at once, paced by the budget
  const rounds = await Promise.all(latencyTargets.map((t) => measureTarget(ctx, t)));
  const tcp = await checkTcpFallback(
    ctx,
    latencyTargets.filter((t) => t.role !== 'nodelocal'),
    udpRecordsOf(path, internal.outcome, endpointProbes, rounds),
    path.clusterIpRead.ok ? undefined : path.clusterIpRead.error,
  );
  return { nodeLocal, internal, external, endpointProbes, rounds, tcp };
}

/** One real lookup through the system resolver, counted in the capture. */
function lookUpThroughSystemResolver(
  ctx: ProbeContext,
  conf: ConfRead,
  resolvConfPath: string,
  budget: ProbeBudget,
  capture: CaptureHandle | undefined,
): Promise<AmplificationLookup> {
  if (!conf.ok) return Promise.resolve({ skipped: 'resolv.conf unreadable' });
  return lookUpUniqueName({
    resolvConfPath,
    conf: conf.value,
    externalName: ctx.settings.externalName,
    label: ctx.randomLabel(),
    budget,
    captureRunning: capture?.running === true,
  });
}

function probeDiscoveryOf(path: DataPath, nodeLocal: NodeLocalOutcome): ProbeDiscovery {
  return {
    ...(path.clusterIp ? { clusterIp: path.clusterIp } : {}),
    endpoints: path.pods.map((p) => ({
      ip: p.address,
      ...(p.pod ? { pod: p.pod } : {}),
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
    })),
    ...(nodeLocal.address
      ? {
          nodeLocal: {
            address: nodeLocal.address,
            ...(nodeLocal.interceptsClusterIP !== undefined
              ? { interceptsClusterIP: nodeLocal.interceptsClusterIP }
              : {}),
          },
        }
      : {}),
  };
}

function captureObservationOf(
  captured: CaptureOutcome | undefined,
  captureInterface: string,
  nodeName: string | undefined,
): RunnerObservations['capture'] {
  if (!captured)
    return {
      where: 'probe pod',
      packets: [],
      disabled: true,
      error: 'capture disabled (--capture-interface none)',
    };
  return {
    where: `probe pod${nodeName ? ` on ${nodeName}` : ''} (${captureInterface})`,
    packets: captured.packets,
    truncated: captured.truncated,
    ...(captured.error ? { error: captured.error } : {}),
  };
}

/** Judges what the probes observed: the section-B checks whose verdict needs every observation. */
function evaluateProbes(input: {
  readonly probes: DnsProbes;
  readonly path: DataPath;
  readonly conf: ConfRead;
  readonly resolvConfPath: string;
  readonly settings: ProbeSettings;
  readonly budgetEvidence: BudgetEvidence;
  readonly ampLookup: AmplificationLookup;
  readonly captured: CaptureOutcome | undefined;
  /** the probe pod's node: DNS-LATENCY names it when a path drops one query type */
  readonly nodeName: string | undefined;
}): CheckResult[] {
  const { probes, path, settings } = input;
  const resolvResult = evaluateResolvConf({
    path: input.resolvConfPath,
    conf: input.conf,
    clusterIp: path.clusterIp,
    nodeLocalAddresses: [
      settings.nodeLocalAddress,
      ...(probes.nodeLocal.address ? [probes.nodeLocal.address] : []),
    ],
    externalName: settings.externalName,
    observedAmplification: observedAmplification(input.ampLookup, input.captured?.packets),
  });
  const perEndpoint = evaluatePerEndpoint({
    endpoints: path.endpointsRead,
    probes: probes.endpointProbes,
    latency: new Map<string, LatencyStats>(probes.rounds.map((r) => [r.target.address, r.stats])),
    pairs: new Map(probes.rounds.map((r) => [r.target.address, r.pairs])),
    kubernetesIp: path.kubernetesIp,
    timeoutFailShare: settings.timeoutFailShare,
  });
  const latency = evaluateLatency(
    probes.rounds,
    {
      internalP99WarnMs: settings.internalP99WarnMs,
      externalP99WarnMs: settings.externalP99WarnMs,
      timeoutFailShare: settings.timeoutFailShare,
    },
    input.budgetEvidence,
    {
      ...(input.nodeName ? { clientNode: input.nodeName } : {}),
      ...(path.clusterIpRead.ok ? {} : { unavailable: path.clusterIpRead.error }),
    },
  );
  return [
    resolvResult,
    probes.internal.result,
    probes.external,
    perEndpoint,
    probes.tcp,
    latency,
    probes.nodeLocal.result,
  ];
}

/** The discovery reads each probe check's verdict rests on (DNS-CAPTURE's too: it names the pods). */
const DISCOVERY_READS_OF: Partial<Record<CheckId, readonly (keyof Discovery)[]>> = {
  'DNS-RESOLV-CONF': ['kubeDns'],
  'DNS-INTERNAL': ['kubeDns', 'kubernetesServiceIp'],
  'DNS-EXTERNAL': ['kubeDns'],
  'DNS-PER-ENDPOINT': ['endpoints', 'kubernetesServiceIp'],
  'DNS-TCP-FALLBACK': ['kubeDns', 'endpoints'],
  'DNS-LATENCY': ['kubeDns', 'endpoints'],
  'DNS-CAPTURE': ['kubeDns', 'endpoints'],
  'K8S-NODELOCAL-DNS': ['kubeDns', 'endpoints', 'nodeLocal', 'kubeDnsUpstreamIp', 'kubernetesServiceIp'],
};

/** `check` with the retries of the discovery reads it rests on in its evidence. */
function withDiscoveryRetries(check: CheckResult, discovery: Discovery): CheckResult {
  const reads = DISCOVERY_READS_OF[check.id as CheckId] ?? [];
  return withApiRetries(
    check,
    reads.flatMap((k) => discovery[k].retried ?? []),
  );
}

/** Catalog order, so documents from different runs read alike. */
function inCatalogOrder(checks: readonly CheckResult[]): CheckResult[] {
  const order = new Map<string, number>(CHECK_IDS.map((id, i) => [id, i]));
  return [...checks].sort((a, b) => (order.get(a.id) ?? 999) - (order.get(b.id) ?? 999));
}

/** Runs the probe role. Never throws for anything it finds; the result says what happened. */
export async function runProbe(options: RunProbeOptions): Promise<RunnerResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const settings: ProbeSettings = { ...DEFAULT_PROBE_SETTINGS, ...options.settings };
  const resolvConfPath = options.resolvConfPath ?? '/etc/resolv.conf';
  const captureInterface = options.captureInterface ?? 'any';
  const budget = createProbeBudget(options.budget ?? {});
  const log: ProbeQuery[] = [];
  const client = createQueryDns({ budget, log });
  const ctx: ProbeContext = { client, settings, randomLabel: options.randomLabel ?? defaultRandomLabel };

  // The node agents' wait runs alongside the reads; no query leaves before it ends.
  const nodeAgentsWait = options.waitForNodeAgents
    ? waitForNodeAgents(options.kubeConfig, options.waitForNodeAgents)
    : undefined;
  const apiRetry: KubeRetryOptions = {
    deadlineMs: (options.apiRetry?.clock ?? SYSTEM_RETRY_CLOCK).now() + DEFAULT_RUN_DEADLINE_MS,
    ...options.apiRetry,
  };
  const conf = await readResolvConf(resolvConfPath);
  const discovery = await discoverOrExplain(options, apiRetry);
  const path = dataPathFrom(discovery, conf);
  shareBudgetAcrossPods(budget, path, settings);
  const nodeAgents = await nodeAgentsWait;

  const capture = await startProbeCapture(captureInterface, options, settings);
  const kubeChecksRun = startKubeChecks(options, client, budget, now, apiRetry);
  const probes = await probeDns(ctx, path, options.nodeName);
  const ampLookup = await lookUpThroughSystemResolver(ctx, conf, resolvConfPath, budget, capture);
  const kubeChecks = await kubeChecksRun;
  const captured = capture ? await capture.stop() : undefined;

  const budgetEvidence: BudgetEvidence = { limits: budget.options, ...budget.stats() };
  const draft: RunnerResult = {
    format: RUNNER_RESULT_FORMAT,
    role: 'probe',
    scanId: options.scanId,
    clusterId: options.clusterId,
    ...(options.nodeName ? { nodeName: options.nodeName } : {}),
    startedAt,
    finishedAt: startedAt,
    checks: [],
    observations: {
      queries: log,
      capture: captureObservationOf(captured, captureInterface, options.nodeName),
      discovery: probeDiscoveryOf(path, probes.nodeLocal),
      budget: budgetEvidence,
      ...(nodeAgents ? { nodeAgents } : {}),
      ...(captured && captured.pcap.length ? { pcapBytes: captured.pcap.length } : {}),
    },
  };
  const probeChecks = [
    ...evaluateProbes({
      probes,
      path,
      conf,
      resolvConfPath,
      settings,
      budgetEvidence,
      ampLookup,
      captured,
      nodeName: options.nodeName,
    }),
    correlateCapture(draft, []),
  ].map((check) => withDiscoveryRetries(check, discovery));
  const checks = inCatalogOrder([...probeChecks, ...kubeChecks]);
  return { ...draft, checks, finishedAt: now().toISOString() };
}
