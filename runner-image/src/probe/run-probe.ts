/**
 * The probe role: reads resolv.conf, discovers the DNS data path through the Kubernetes API,
 * captures port 53 while it probes, runs the section-B DNS checks (and the Kubernetes-object
 * checks through their module), and returns one runner result document with the raw
 * observations the collector correlates with the node agents' captures.
 */
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { RUNNER_RESULT_FORMAT } from '../../../lambdas/core/schema/index.js';
import type { CheckResult, ProbeQuery, RunnerResult } from '../../../lambdas/core/schema/index.js';
import { CHECK_IDS } from '../../../lambdas/core/catalog/index.js';
import { isNodeLocalCandidate, parseResolvConf } from '../../../lambdas/core/dns/index.js';
import type { LatencyStats, ResolvConf } from '../../../lambdas/core/dns/index.js';
import { correlateCapture } from '../../../lambdas/core/capture/index.js';
import type { ProbeDiscovery } from '../../../lambdas/core/capture/index.js';
import { createProbeBudget } from '../budget/index.js';
import type { ProbeBudgetOptions } from '../budget/index.js';
import { createQueryDns } from '../dns/index.js';
import type { DnsOutcome } from '../dns/index.js';
import { startCapture } from '../capture/index.js';
import type { CaptureOutcome } from '../capture/index.js';
import { DEFAULT_PROBE_SETTINGS, randomLabel as defaultRandomLabel } from './context.js';
import type { ProbeContext, ProbeSettings, ProbeTarget } from './context.js';
import { discover } from './discovery.js';
import type { Discovery, Read } from './discovery.js';
import { evaluateResolvConf } from './checks/resolv-conf.js';
import { checkExternal, checkInternal } from './checks/resolution.js';
import { evaluatePerEndpoint, probeEndpoints } from './checks/per-endpoint.js';
import { checkTcpFallback } from './checks/tcp-fallback.js';
import type { UdpRecord } from './checks/tcp-fallback.js';
import { evaluateLatency, measureTarget, roundLosses } from './checks/latency.js';
import { checkNodeLocal, nodeLocalProbeAddress } from './checks/nodelocal.js';
import { lookUpUniqueName, observedAmplification } from './amplification.js';
import type { AmplificationLookup } from './amplification.js';
import { kubeChecksUnavailable, loadRunKubeChecks, runKubeChecksSafely } from './kube-checks.js';
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
  /** test seams */
  readonly discovery?: Discovery;
  readonly runKubeChecks?: RunKubeChecks | string;
  readonly tcpdumpPath?: string;
  readonly randomLabel?: () => string;
}

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

const valueOr = <T>(r: Read<T>): T | undefined => (r.ok ? r.value : undefined);

/** Runs the probe role. Never throws for anything it finds; the result says what happened. */
export async function runProbe(options: RunProbeOptions): Promise<RunnerResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const settings: ProbeSettings = { ...DEFAULT_PROBE_SETTINGS, ...options.settings };
  const resolvConfPath = options.resolvConfPath ?? '/etc/resolv.conf';
  const budget = createProbeBudget(options.budget ?? {});
  const log: ProbeQuery[] = [];
  const client = createQueryDns({ budget, log });
  const ctx: ProbeContext = { client, settings, randomLabel: options.randomLabel ?? defaultRandomLabel };

  // The node agents' wait runs alongside the reads below; no query leaves before it ends.
  const nodeAgentsWait = options.waitForNodeAgents
    ? waitForNodeAgents(options.kubeConfig, options.waitForNodeAgents)
    : undefined;

  // resolv.conf
  let conf: { ok: true; value: ResolvConf } | { ok: false; error: string };
  try {
    conf = { ok: true, value: parseResolvConf(await readFile(resolvConfPath, 'utf8')) };
  } catch (err) {
    conf = { ok: false, error: (err as { code?: string }).code === 'ENOENT' ? 'no such file' : String(err) };
  }

  // the cluster API
  const discovery =
    options.discovery ??
    (options.kubeConfig
      ? await discover(options.kubeConfig)
      : unavailable(options.kubeConfigError ?? 'no cluster API configured'));
  const clusterIpRead: { ok: true; value: string } | { ok: false; error: string } = discovery.kubeDns.ok
    ? discovery.kubeDns.value.clusterIp
      ? { ok: true, value: discovery.kubeDns.value.clusterIp }
      : { ok: false, error: 'the kube-dns Service has no ClusterIP' }
    : { ok: false, error: `kube-dns Service: ${discovery.kubeDns.error}` };
  const clusterIp = clusterIpRead.ok ? clusterIpRead.value : discovery.kubeDns.ok ? null : undefined;
  const endpointsRead: { ok: true; value: ProbeTarget[] } | { ok: false; error: string } = discovery.endpoints
    .ok
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
  const pods = endpointsRead.ok ? endpointsRead.value : [];
  const kubernetesIp = valueOr(discovery.kubernetesServiceIp);

  const linkLocal = conf.ok ? conf.value.nameservers.filter(isNodeLocalCandidate) : [];
  const nodeLocalRead = discovery.nodeLocal;
  const upstreamIp = valueOr(discovery.kubeDnsUpstreamIp);

  // Probe budget per CoreDNS pod: a query to the ClusterIP or to NodeLocal (unique names miss
  // its cache) reaches one of the pods, so it counts against every pod's window.
  const podIps = pods.map((p) => p.address);
  if (podIps.length > 0) {
    if (clusterIp) budget.shareTarget(clusterIp, podIps);
    const nodeLocalAddresses = new Set([
      ...linkLocal,
      settings.nodeLocalAddress,
      nodeLocalProbeAddress(
        {
          linkLocalNameservers: linkLocal,
          ...(nodeLocalRead.ok && nodeLocalRead.value.corefile !== undefined
            ? { corefile: nodeLocalRead.value.corefile }
            : {}),
        },
        settings.nodeLocalAddress,
      ),
    ]);
    for (const address of nodeLocalAddresses) if (address !== clusterIp) budget.shareTarget(address, podIps);
  }

  const nodeAgents = await nodeAgentsWait;

  // the capture runs while everything below sends queries
  const captureInterface = options.captureInterface ?? 'any';
  const capture =
    captureInterface === 'none'
      ? undefined
      : await startCapture({
          interface: captureInterface,
          ...(settings.dnsPort !== 53 ? { port: settings.dnsPort } : {}),
          ...(options.tcpdumpPath ? { tcpdumpPath: options.tcpdumpPath } : {}),
        });

  // The Kubernetes-object checks and metrics (their own module) run alongside the DNS probes,
  // with the same budgeted client, so their forwarder probes are paced and captured too.
  const kubeChecksRun: Promise<CheckResult[]> = options.kubeConfig
    ? (async () =>
        runKubeChecksSafely(options.runKubeChecks ?? (await loadRunKubeChecks()), {
          kubeConfig: options.kubeConfig as KubeConfig,
          queryDns: client,
          budget,
          ...(options.nodeName ? { probeNodeName: options.nodeName } : {}),
          now,
          ...(options.metricsIntervalMs !== undefined
            ? { metricsIntervalMs: options.metricsIntervalMs }
            : {}),
        }))()
    : Promise.resolve(kubeChecksUnavailable(options.kubeConfigError ?? 'no cluster API configured'));

  // NodeLocal first: whether it intercepts the ClusterIP changes what the ClusterIP probes test
  const nodeLocal = await checkNodeLocal(ctx, {
    daemonSet: nodeLocalRead.ok ? { ok: true, value: nodeLocalRead.value.daemonSet } : nodeLocalRead,
    ...(nodeLocalRead.ok && nodeLocalRead.value.corefile !== undefined
      ? { corefile: nodeLocalRead.value.corefile }
      : {}),
    ...(nodeLocalRead.ok && nodeLocalRead.value.corefileError !== undefined
      ? { corefileError: nodeLocalRead.value.corefileError }
      : {}),
    linkLocalNameservers: linkLocal,
    clusterIp,
    acceptableForwarders: [...(upstreamIp ? [upstreamIp] : []), ...pods.map((p) => p.address)],
    kubernetesIp,
    ...(options.nodeName ? { nodeName: options.nodeName } : {}),
  });
  const viaNodeLocal = nodeLocal.interceptsClusterIP === true;
  const clusterIpNotes = viaNodeLocal
    ? [
        'NodeLocal DNSCache listens on the kube-dns ClusterIP on this node: ClusterIP probes here test NodeLocal, not kube-proxy',
      ]
    : [];

  const internal = await checkInternal(ctx, clusterIpRead, discovery.kubernetesServiceIp, clusterIpNotes);
  const external = await checkExternal(ctx, clusterIpRead);
  const endpointProbes = await probeEndpoints(ctx, pods);

  // latency: every target at once, paced by the budget
  const latencyTargets: ProbeTarget[] = [
    ...(clusterIpRead.ok ? [{ address: clusterIpRead.value, role: 'clusterIP' as const }] : []),
    ...pods,
    ...(nodeLocal.address && nodeLocal.result.status !== 'SKIPPED' && nodeLocal.address !== clusterIp
      ? [{ address: nodeLocal.address, role: 'nodelocal' as const }]
      : []),
  ];
  const rounds = await Promise.all(latencyTargets.map((t) => measureTarget(ctx, t)));
  const latencyByAddress = new Map<string, LatencyStats>(rounds.map((r) => [r.target.address, r.stats]));

  // TCP fallback: ClusterIP and every pod, judged against what UDP did there (every UDP query
  // sent to the target: the resolution or per-endpoint probes and its latency round, less the
  // one-sided pair losses the conntrack-race signature accounts for)
  const udpRecords = new Map<string, UdpRecord>();
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
  if (clusterIpRead.ok)
    udpRecords.set(clusterIpRead.value, udpRecord(clusterIpRead.value, [internal.outcome]));
  for (const p of endpointProbes)
    udpRecords.set(p.target.address, udpRecord(p.target.address, [p.internal, p.external]));
  const tcpTargets = latencyTargets.filter((t) => t.role !== 'nodelocal');
  const tcp = await checkTcpFallback(
    ctx,
    tcpTargets,
    udpRecords,
    clusterIpRead.ok ? undefined : clusterIpRead.error,
  );

  // one real lookup through the system resolver, counted in the capture
  const ampLookup: AmplificationLookup = conf.ok
    ? await lookUpUniqueName({
        resolvConfPath,
        conf: conf.value,
        externalName: settings.externalName,
        label: ctx.randomLabel(),
        budget,
        captureRunning: capture?.running === true,
      })
    : { skipped: 'resolv.conf unreadable' };

  const kubeChecks = await kubeChecksRun;

  const captured: CaptureOutcome | undefined = capture ? await capture.stop() : undefined;

  const budgetStats = budget.stats();
  const budgetEvidence = { limits: budget.options, ...budgetStats };
  const resolvResult = evaluateResolvConf({
    path: resolvConfPath,
    conf,
    clusterIp,
    nodeLocalAddresses: [settings.nodeLocalAddress, ...(nodeLocal.address ? [nodeLocal.address] : [])],
    externalName: settings.externalName,
    observedAmplification: observedAmplification(ampLookup, captured?.packets),
  });
  const perEndpoint = evaluatePerEndpoint({
    endpoints: endpointsRead,
    probes: endpointProbes,
    latency: latencyByAddress,
    pairs: new Map(rounds.map((r) => [r.target.address, r.pairs])),
    kubernetesIp,
    timeoutFailShare: settings.timeoutFailShare,
  });
  const latency = evaluateLatency(
    rounds,
    {
      internalP99WarnMs: settings.internalP99WarnMs,
      externalP99WarnMs: settings.externalP99WarnMs,
      timeoutFailShare: settings.timeoutFailShare,
    },
    budgetEvidence,
    {
      ...(options.nodeName ? { clientNode: options.nodeName } : {}),
      ...(clusterIpRead.ok ? {} : { unavailable: clusterIpRead.error }),
    },
  );

  const probeDiscovery: ProbeDiscovery = {
    ...(clusterIp ? { clusterIp } : {}),
    endpoints: pods.map((p) => ({
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
  const captureObservation = captured
    ? {
        where: `probe pod${options.nodeName ? ` on ${options.nodeName}` : ''} (${captureInterface})`,
        packets: captured.packets,
        truncated: captured.truncated,
        ...(captured.error ? { error: captured.error } : {}),
      }
    : {
        where: 'probe pod',
        packets: [],
        disabled: true,
        error: 'capture disabled (--capture-interface none)',
      };

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
      capture: captureObservation,
      discovery: probeDiscovery,
      budget: budgetEvidence,
      ...(nodeAgents ? { nodeAgents } : {}),
      ...(captured && captured.pcap.length ? { pcapBytes: captured.pcap.length } : {}),
    },
  };
  const captureResult = correlateCapture(draft, []);

  const checks: CheckResult[] = [
    resolvResult,
    internal.result,
    external,
    perEndpoint,
    tcp,
    latency,
    captureResult,
    nodeLocal.result,
    ...kubeChecks,
  ];
  // catalog order, so documents from different runs read alike
  const order = new Map<string, number>(CHECK_IDS.map((id, i) => [id, i]));
  checks.sort((a, b) => (order.get(a.id) ?? 999) - (order.get(b.id) ?? 999));
  return { ...draft, checks, finishedAt: now().toISOString() };
}
