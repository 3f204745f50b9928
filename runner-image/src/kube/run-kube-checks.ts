/**
 * The runner's Kubernetes-object checks: reads what the read-only ServiceAccount may read
 * (Service, EndpointSlices, CoreDNS pods/Deployment/PDBs/ConfigMap, nodes, kube-proxy DaemonSet,
 * pods, config and log tails, NetworkPolicies and the pods they may select; kube-system
 * Deployments and HPAs, CoreDNS PodMetrics), probes every Corefile forwarder through each CoreDNS
 * pod, scrapes CoreDNS metrics twice, and hands everything to the pure evaluators in lambdas/core.
 */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PolicyV1Api,
} from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { parseCorefile } from '../../../lambdas/core/corefile/index.js';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import {
  COREDNS_NAME,
  COREDNS_POD_SELECTOR,
  KUBE_DNS_SERVICE,
  KUBE_DNS_SLICE_SELECTOR,
  KUBE_SYSTEM_NAMESPACE,
  apiFailureReason,
  evaluateCorednsPods,
  evaluateCorednsResources,
  evaluateCorefile,
  evaluateDnsEndpoints,
  evaluateDnsService,
  evaluateKubeProxy,
  planForwarderProbes,
  podIsReady,
} from '../../../lambdas/core/incluster/index.js';
import type {
  CorednsPodTarget,
  ForwarderProbe,
  ForwarderProbeResult,
  KubeConfigMap,
  KubeEndpointSlice,
  KubeHorizontalPodAutoscaler,
  KubeNode,
  KubePod,
  KubePodDisruptionBudget,
  KubePodMetrics,
  KubeProxyLog,
  KubeService,
  KubeWorkload,
} from '../../../lambdas/core/incluster/index.js';
import { evaluateUpstreamMetrics } from '../../../lambdas/core/metrics/index.js';
import type { CheckResult } from '../../../lambdas/core/schema/index.js';
import type { ProbeBudget } from '../budget/types.js';
import type { QueryDns } from '../dns/types.js';
import { collectCorednsMetrics } from '../metrics/index.js';
import type { MetricsTarget, ScrapeOutcome } from '../metrics/index.js';
import { KubeChecksError } from './errors.js';
import { checkNetworkPolicies } from './network-policies.js';
import { mapBounded, readApi, selectorString, timeoutOptions } from './read-api.js';
import type { KubeRetryOptions, ReadTarget, RetriedApiRead } from './read-api.js';
import { withApiRetries } from '../../../lambdas/core/retry/index.js';

export interface RunKubeChecksInputs {
  readonly kubeConfig: KubeConfig;
  /** the budgeted DNS client (it takes a budget slot per query itself) */
  readonly queryDns: QueryDns;
  /** the probe budget `queryDns` draws from (its limits go into evidence) */
  readonly budget: ProbeBudget;
  /** the node the probe pod runs on (its kube-proxy is named in evidence) */
  readonly probeNodeName?: string;
  readonly now: () => Date;
  /** lines of kube-proxy log read per pod. @default 200 */
  readonly logTailLines?: number;
  /** time between the two metrics scrapes. @default 5000 */
  readonly metricsIntervalMs?: number;
  /** @default KUBE_SYSTEM_NAMESPACE */
  readonly namespace?: string;
  /** VPC resolver address(es) (VPC base +2): judged as the VPC resolver in the Corefile and metrics. @default [] */
  readonly vpcResolverAddresses?: readonly string[];
  /** root-zone forwarder probes ask a random name under this domain. @default 'amazon.com' */
  readonly rootZoneProbeDomain?: string;
  /** per-query timeout of a forwarder probe. @default 2000 */
  readonly probeTimeoutMs?: number;
  /** attempts per forwarder probe and pod. @default 2 */
  readonly probeAttempts?: number;
  /** per-request timeout of Kubernetes API reads. @default 10000 */
  readonly apiTimeoutMs?: number;
  /** retries of transient API failures (the run's deadline bounds them) @default DEFAULT_RETRY_POLICY, no deadline */
  readonly apiRetry?: KubeRetryOptions;
  /** test seams */
  readonly scrapeMetrics?: (target: MetricsTarget) => Promise<ScrapeOutcome>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly randomLabel?: () => string;
}

const METRICS_PORT = 9153;

const defaultRandomLabel = (): string => `fleetdns-${randomBytes(6).toString('hex')}`;

function isTerminating(pod: KubePod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

function metricsPortOf(
  pod: KubePod & {
    spec?: { containers?: readonly { ports?: readonly { name?: string; containerPort?: number }[] }[] };
  },
): number {
  for (const c of pod.spec?.containers ?? []) {
    const port = c.ports?.find((p) => p.name === 'metrics')?.containerPort;
    if (port !== undefined) return port;
  }
  return METRICS_PORT;
}

/**
 * Why CPU throttling is not read: the kubelet exposes the CFS counters only through its own API
 * (cAdvisor, `/api/v1/nodes/NODE/proxy/metrics/cadvisor`), and `nodes/proxy` reaches every kubelet
 * endpoint, exec included — far more than a read-only scanner may hold. Not granted, by design.
 */
export const CPU_THROTTLING_NOT_READ =
  "the kubelet's CFS counters (cAdvisor) are only reachable through nodes/proxy, which also reaches kubelet exec and is deliberately not granted to the read-only role";

/**
 * Runs K8S-DNS-SERVICE, K8S-DNS-ENDPOINTS, K8S-COREDNS-PODS, K8S-KUBE-PROXY,
 * K8S-COREDNS-COREFILE, DNS-UPSTREAM-METRICS, K8S-NETWORKPOLICY-DNS and K8S-COREDNS-RESOURCES, in
 * that order. Never rejects for what it finds
 * or for an API failure: a failed read makes only the checks that needed it ERROR, with the
 * reason (a 403 names the missing permission).
 *
 * @example
 * const results = await runKubeChecks({ kubeConfig, queryDns, budget, now: () => new Date() });
 * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 */
export async function runKubeChecks(inputs: RunKubeChecksInputs): Promise<CheckResult[]> {
  const ns = inputs.namespace ?? KUBE_SYSTEM_NAMESPACE;
  const apiTimeoutMs = inputs.apiTimeoutMs ?? 10_000;
  const tailLines = inputs.logTailLines ?? 200;
  const intervalMs = inputs.metricsIntervalMs ?? 5_000;
  const attempts = inputs.probeAttempts ?? 2;
  if (!(tailLines > 0) || !(intervalMs >= 0) || !(attempts >= 1) || !(apiTimeoutMs > 0)) {
    throw new KubeChecksError(
      'logTailLines, probeAttempts and apiTimeoutMs must be positive, metricsIntervalMs not negative',
    );
  }
  const core = inputs.kubeConfig.makeApiClient(CoreV1Api);
  const apps = inputs.kubeConfig.makeApiClient(AppsV1Api);
  const discovery = inputs.kubeConfig.makeApiClient(DiscoveryV1Api);
  const policy = inputs.kubeConfig.makeApiClient(PolicyV1Api);
  const autoscaling = inputs.kubeConfig.makeApiClient(AutoscalingV2Api);
  const custom = inputs.kubeConfig.makeApiClient(CustomObjectsApi);
  const opts = timeoutOptions(apiTimeoutMs);
  const read = <T>(target: ReadTarget, call: () => Promise<T>): Promise<RetriedApiRead<T>> =>
    readApi(target, call, apiTimeoutMs, inputs.apiRetry);
  const items = async <T>(p: Promise<{ items: T[] }>): Promise<T[]> => (await p).items;

  const [
    service,
    slices,
    corednsPods,
    deployment,
    pdbs,
    corefileMap,
    nodes,
    daemonSets,
    proxyConfig,
    deployments,
    hpas,
    podMetrics,
  ] = await Promise.all([
    read<KubeService>({ verb: 'get', resource: 'services', namespace: ns, name: KUBE_DNS_SERVICE }, () =>
      core.readNamespacedService({ name: KUBE_DNS_SERVICE, namespace: ns }, opts),
    ),
    read<KubeEndpointSlice[]>(
      { verb: 'list', resource: 'endpointslices.discovery.k8s.io', namespace: ns },
      () =>
        items(
          discovery.listNamespacedEndpointSlice(
            { namespace: ns, labelSelector: KUBE_DNS_SLICE_SELECTOR },
            opts,
          ),
        ),
    ),
    read<KubePod[]>({ verb: 'list', resource: 'pods', namespace: ns }, () =>
      items(core.listNamespacedPod({ namespace: ns, labelSelector: COREDNS_POD_SELECTOR }, opts)),
    ),
    read<KubeWorkload>({ verb: 'get', resource: 'deployments.apps', namespace: ns, name: COREDNS_NAME }, () =>
      apps.readNamespacedDeployment({ name: COREDNS_NAME, namespace: ns }, opts),
    ),
    read<KubePodDisruptionBudget[]>(
      { verb: 'list', resource: 'poddisruptionbudgets.policy', namespace: ns },
      () => items(policy.listNamespacedPodDisruptionBudget({ namespace: ns }, opts)),
    ),
    read<KubeConfigMap>({ verb: 'get', resource: 'configmaps', namespace: ns, name: COREDNS_NAME }, () =>
      core.readNamespacedConfigMap({ name: COREDNS_NAME, namespace: ns }, opts),
    ),
    read<KubeNode[]>({ verb: 'list', resource: 'nodes' }, () => items(core.listNode({}, opts))),
    read<KubeWorkload[]>({ verb: 'list', resource: 'daemonsets.apps', namespace: ns }, () =>
      items(apps.listNamespacedDaemonSet({ namespace: ns }, opts)),
    ),
    read<KubeConfigMap>(
      { verb: 'get', resource: 'configmaps', namespace: ns, name: 'kube-proxy-config' },
      () => core.readNamespacedConfigMap({ name: 'kube-proxy-config', namespace: ns }, opts),
    ),
    // K8S-COREDNS-RESOURCES: a cluster-proportional-autoscaler is a Deployment; HPAs; usage.
    read<KubeWorkload[]>({ verb: 'list', resource: 'deployments.apps', namespace: ns }, () =>
      items(apps.listNamespacedDeployment({ namespace: ns }, opts)),
    ),
    read<KubeHorizontalPodAutoscaler[]>(
      { verb: 'list', resource: 'horizontalpodautoscalers.autoscaling', namespace: ns },
      () => items(autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }, opts)),
    ),
    read<KubePodMetrics[]>({ verb: 'list', resource: 'pods.metrics.k8s.io', namespace: ns }, () =>
      items(
        custom.listNamespacedCustomObject(
          {
            group: 'metrics.k8s.io',
            version: 'v1beta1',
            namespace: ns,
            plural: 'pods',
            labelSelector: COREDNS_POD_SELECTOR,
          },
          opts,
        ) as Promise<{ items: KubePodMetrics[] }>,
      ),
    ),
  ]);

  // kube-proxy: the DaemonSet comes from the list when it could be listed (one call fewer).
  const proxyDs: RetriedApiRead<KubeWorkload> = daemonSets.ok
    ? ((): RetriedApiRead<KubeWorkload> => {
        const ds = daemonSets.value.find((d) => d.metadata?.name === 'kube-proxy');
        return ds
          ? { ok: true, value: ds }
          : {
              ok: false,
              failure: {
                status: 404,
                message: 'not found',
                verb: 'get',
                resource: 'daemonsets.apps',
                namespace: ns,
                name: 'kube-proxy',
              },
            };
      })()
    : await read<KubeWorkload>(
        { verb: 'get', resource: 'daemonsets.apps', namespace: ns, name: 'kube-proxy' },
        () => apps.readNamespacedDaemonSet({ name: 'kube-proxy', namespace: ns }, opts),
      );
  // Cilium with kube-proxy-replacement handles Services itself: read its config only where it runs.
  const ciliumConfig: RetriedApiRead<KubeConfigMap> | undefined =
    daemonSets.ok && daemonSets.value.some((d) => d.metadata?.name === 'cilium')
      ? await read<KubeConfigMap>(
          { verb: 'get', resource: 'configmaps', namespace: ns, name: 'cilium-config' },
          () => core.readNamespacedConfigMap({ name: 'cilium-config', namespace: ns }, opts),
        )
      : undefined;
  const proxySelector =
    proxyDs.ok && proxyDs.value.spec?.selector
      ? selectorString(proxyDs.value.spec.selector as Parameters<typeof selectorString>[0])
      : 'k8s-app=kube-proxy';
  const proxyPods = proxyDs.ok
    ? await read<KubePod[]>({ verb: 'list', resource: 'pods', namespace: ns }, () =>
        items(core.listNamespacedPod({ namespace: ns, labelSelector: proxySelector }, opts)),
      )
    : ({ ok: true, value: [] } as RetriedApiRead<KubePod[]>);
  const proxyConfigRead: RetriedApiRead<KubeConfigMap> =
    proxyConfig.ok || proxyConfig.failure.status !== 404
      ? proxyConfig
      : await read<KubeConfigMap>(
          { verb: 'get', resource: 'configmaps', namespace: ns, name: 'kube-proxy' },
          () => core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: ns }, opts),
        );

  // CoreDNS pods the forwarders are probed through (ready, not terminating, with an IP) and
  // whose metrics are scraped (running with an IP).
  const pods = corednsPods.ok ? corednsPods.value.filter((p) => !isTerminating(p)) : [];
  const probeThrough: CorednsPodTarget[] = pods
    .filter((p) => podIsReady(p) && p.status?.podIP)
    .map((p) => ({ name: p.metadata?.name ?? '(unnamed)', ip: p.status?.podIP as string }));
  const corefileNotes: string[] = [];
  const skippedPods = pods.filter((p) => !probeThrough.some((t) => t.name === p.metadata?.name));
  if (skippedPods.length > 0) {
    corefileNotes.push(
      `not probed through (not ready or no IP): ${skippedPods.map((p) => p.metadata?.name).join(', ')}`,
    );
  }
  const metricsTargets: MetricsTarget[] = pods
    .filter((p) => p.status?.podIP && p.status.phase === 'Running')
    .map((p) => ({
      pod: p.metadata?.name ?? '(unnamed)',
      podIp: p.status?.podIP as string,
      ...(p.spec?.nodeName !== undefined && { node: p.spec.nodeName }),
      port: metricsPortOf(p as Parameters<typeof metricsPortOf>[0]),
    }));

  const corefileText = corefileMap.ok ? corefileMap.value.data?.Corefile : undefined;
  const plans: ForwarderProbe[] =
    corefileText === undefined
      ? []
      : planForwarderProbes(parseCorefile(corefileText), probeThrough, {
          randomLabel: inputs.randomLabel ?? defaultRandomLabel,
          ...(inputs.rootZoneProbeDomain !== undefined && {
            rootZoneProbeDomain: inputs.rootZoneProbeDomain,
          }),
        });

  let probeResults: ForwarderProbeResult[] = [];
  let logs: (KubeProxyLog & { log: RetriedApiRead<string> })[] = [];
  const probeAndReadLogs = async (): Promise<void> => {
    [probeResults, logs] = await Promise.all([
      mapBounded(plans, 4, (plan) =>
        probeForwarder(plan, inputs.queryDns, attempts, inputs.probeTimeoutMs ?? 2000),
      ),
      proxyPods.ok
        ? mapBounded(
            proxyPods.value.filter((p) => !isTerminating(p)),
            4,
            async (p) => {
              const name = p.metadata?.name ?? '(unnamed)';
              const container = p.spec?.containers?.[0]?.name;
              const log = await read<string>({ verb: 'get', resource: 'pods/log', namespace: ns, name }, () =>
                core.readNamespacedPodLog(
                  { name, namespace: ns, ...(container !== undefined && { container }), tailLines },
                  opts,
                ),
              );
              return { pod: name, ...(p.spec?.nodeName !== undefined && { node: p.spec.nodeName }), log };
            },
          )
        : Promise.resolve([]),
    ]);
  };

  // K8S-NETWORKPOLICY-DNS reads on its own (NetworkPolicies, the pods they may select) while
  // the metrics are scraped and the forwarders probed.
  const networkPolicyResult = checkNetworkPolicies({
    kubeConfig: inputs.kubeConfig,
    read,
    opts,
    namespace: ns,
    dnsPods: corednsPods,
    service,
    daemonSets,
  });
  const metrics = await collectCorednsMetrics(metricsTargets, {
    intervalMs,
    between: probeAndReadLogs,
    ...(inputs.scrapeMetrics !== undefined && { scrape: inputs.scrapeMetrics }),
    ...(inputs.sleep !== undefined && { sleep: inputs.sleep }),
  });

  const vpcResolverAddresses = inputs.vpcResolverAddresses ?? [];
  const proxyResult = evaluateKubeProxy({
    daemonSet: proxyDs,
    daemonSets,
    nodes,
    pods: proxyPods,
    config: proxyConfigRead,
    ...(ciliumConfig !== undefined && { ciliumConfig }),
    logs,
  });
  const corefileResult = evaluateCorefile({
    configMap: corefileMap,
    pods: probeThrough,
    probes: probeResults,
    lint: { vpcResolverAddresses },
    ...(!corednsPods.ok && {
      podsUnavailable: `CoreDNS pods not listed: ${apiFailureReason(corednsPods.failure)}`,
    }),
    notes: [
      ...corefileNotes,
      ...(plans.length > 0
        ? [
            `probe budget: at most ${inputs.budget.options.maxQps} queries/s in total, ${inputs.budget.options.maxQpsPerTarget}/s per CoreDNS pod`,
          ]
        : []),
    ],
  });

  // the reads each check's verdict rests on, whose retries its evidence lists
  const podsReads = [corednsPods.retried];
  return [
    withApiRetries(evaluateDnsService({ service, namespace: ns }), [service.retried]),
    withApiRetries(evaluateDnsEndpoints({ slices, service: `${ns}/${KUBE_DNS_SERVICE}` }), [slices.retried]),
    withApiRetries(evaluateCorednsPods({ pods: corednsPods, deployment, pdbs, now: inputs.now() }), [
      ...podsReads,
      deployment.retried,
      pdbs.retried,
    ]),
    withApiRetries(
      inputs.probeNodeName === undefined
        ? proxyResult
        : { ...proxyResult, evidence: { ...proxyResult.evidence, probeNode: inputs.probeNodeName } },
      [
        daemonSets.retried,
        proxyDs.retried,
        nodes.retried,
        proxyPods.retried,
        proxyConfig.retried,
        proxyConfigRead.retried,
        ciliumConfig?.retried,
        ...logs.map((l) => l.log.retried),
      ],
    ),
    withApiRetries(corefileResult, [corefileMap.retried, ...podsReads]),
    withApiRetries(
      corednsPods.ok
        ? evaluateUpstreamMetrics(metrics, { vpcResolverAddresses })
        : makeResult('DNS-UPSTREAM-METRICS', {
            status: 'ERROR',
            evidence: {
              summary: `CoreDNS pods not listed, so their metrics could not be scraped: ${apiFailureReason(corednsPods.failure)}`,
              reason: `CoreDNS pods not listed, so their metrics could not be scraped: ${apiFailureReason(corednsPods.failure)}`,
            },
          }),
      podsReads,
    ),
    await networkPolicyResult,
    withApiRetries(
      evaluateCorednsResources({
        pods: corednsPods,
        podMetrics,
        nodes,
        hpas,
        deployments,
        throttling: { unavailable: CPU_THROTTLING_NOT_READ },
        now: inputs.now(),
      }),
      [...podsReads, podMetrics.retried, nodes.retried, hpas.retried, deployments.retried],
    ),
  ];
}

/**
 * Sends one forwarder probe through a CoreDNS pod: the zone's SOA (liveness) and the random name,
 * at once, each up to `attempts` tries. Never rejects.
 */
async function probeForwarder(
  plan: ForwarderProbe,
  queryDns: QueryDns,
  attempts: number,
  timeoutMs: number,
): Promise<ForwarderProbeResult> {
  const [soaAttempts, nameAttempts] = await Promise.all([
    plan.soaName === undefined
      ? Promise.resolve(undefined)
      : askWithRetries(plan, plan.soaName, 'SOA', queryDns, attempts, timeoutMs),
    askWithRetries(plan, plan.name, 'A', queryDns, attempts, timeoutMs),
  ]);
  return { ...plan, attempts: nameAttempts, ...(soaAttempts ? { soaAttempts } : {}) };
}

/** Asks `name`/`type` through the plan's pod up to `attempts` times, until an answer other than SERVFAIL. */
async function askWithRetries(
  plan: ForwarderProbe,
  name: string,
  type: string,
  queryDns: QueryDns,
  attempts: number,
  timeoutMs: number,
): Promise<ForwarderProbeResult['attempts'][number][]> {
  const tries: ForwarderProbeResult['attempts'][number][] = [];
  for (let i = 0; i < attempts; i++) {
    try {
      const out = await queryDns({
        server: plan.podIp,
        port: plan.port,
        name,
        type,
        transport: 'udp',
        timeoutMs,
      });
      if (out.outcome === 'answer') {
        tries.push({ outcome: 'answer', rcode: out.rcode, latencyMs: out.latencyMs });
        if (out.rcode !== 'SERVFAIL') break;
      } else if (out.outcome === 'timeout') {
        tries.push({ outcome: 'timeout', latencyMs: out.latencyMs });
      } else {
        tries.push({ outcome: 'error', error: out.error, latencyMs: out.latencyMs });
      }
    } catch (err) {
      tries.push({ outcome: 'error', error: err instanceof Error ? err.message : String(err) });
      break;
    }
  }
  return tries;
}
