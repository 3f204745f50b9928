/**
 * K8S-COREDNS-RESOURCES (checks.md § C): CoreDNS containers' terminations, memory against the
 * limit, CPU throttling where it can be seen, and an autoscaler once the cluster is large.
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason, isNotFound } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import { parseQuantity, timestampMs, timestampText } from './kube-objects.js';
import type {
  ContainerState,
  KubeContainer,
  KubeHorizontalPodAutoscaler,
  KubeNode,
  KubePod,
  KubePodMetrics,
  KubeWorkload,
} from './kube-objects.js';

/** CFS counters of one CoreDNS container (the kubelet's cAdvisor `container_cpu_cfs_*_total`). */
export interface ContainerCpuThrottling {
  readonly pod: string;
  readonly container: string;
  readonly periods: number;
  readonly throttledPeriods: number;
}

export interface CorednsResourcesInput {
  /** pods labelled `k8s-app=kube-dns` in kube-system (spec with resources, status with containerStatuses) */
  readonly pods: ApiRead<readonly KubePod[]>;
  /**
   * PodMetrics of those pods (metrics.k8s.io/v1beta1). A 404 (the API is not registered: no
   * metrics-server) or 503 (registered, not answering) leaves memory unjudged, with a note.
   */
  readonly podMetrics: ApiRead<readonly KubePodMetrics[]>;
  /** every node (their number decides whether an autoscaler is expected) */
  readonly nodes: ApiRead<readonly KubeNode[]>;
  /** autoscaling/v2 HorizontalPodAutoscalers in kube-system */
  readonly hpas: ApiRead<readonly KubeHorizontalPodAutoscaler[]>;
  /** Deployments in kube-system (a cluster-proportional-autoscaler is one) */
  readonly deployments: ApiRead<readonly KubeWorkload[]>;
  /**
   * CFS counters per container, when the edge could read them; otherwise why not (the part is
   * then skipped with that note). @default not read
   */
  readonly throttling?: ApiRead<readonly ContainerCpuThrottling[]> | { readonly unavailable: string };
  readonly now: Date;
  /** the Deployment an autoscaler must target. @default 'coredns' */
  readonly deploymentName?: string;
  /** OOM kills more recent than this FAIL. @default 24 h */
  readonly oomWindowMs?: number;
  /** working-set share of the memory limit above which it WARNs. @default 0.8 */
  readonly memoryWarnRatio?: number;
  /** throttled share of CFS periods above which it WARNs (kubernetes-mixin CPUThrottlingHigh). @default 0.25 */
  readonly throttledWarnRatio?: number;
  /** more nodes than this without an autoscaler WARN. @default 50 */
  readonly autoscalerNodeThreshold?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CPA_IMAGE = 'cluster-proportional-autoscaler';

interface OomKill {
  pod: string;
  container: string;
  finishedAt: string;
  /** which container state recorded it */
  state: 'lastState' | 'state';
}

interface MemoryView {
  pod: string;
  container: string;
  workingSetBytes: number;
  limitBytes: number | null;
  /** working set / limit, rounded to 3 places */
  ratio: number | null;
}

function oomKillOf(
  pod: string,
  container: string,
  state: ContainerState | undefined,
  which: OomKill['state'],
  sinceMs: number,
): OomKill | undefined {
  const t = state?.terminated;
  if (t?.reason !== 'OOMKilled') return undefined;
  const at = timestampMs(t.finishedAt);
  if (at === undefined || at < sinceMs) return undefined;
  return { pod, container, finishedAt: timestampText(t.finishedAt) as string, state: which };
}

function memoryLimitOf(container: KubeContainer | undefined): number | undefined {
  return parseQuantity(container?.resources?.limits?.memory);
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const mib = (bytes: number): string => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;

/**
 * Whether a Deployment is a cluster-proportional-autoscaler for `target` (its `--target` names
 * the Deployment, or it names none we can read).
 * @see https://github.com/kubernetes-sigs/cluster-proportional-autoscaler#usage
 */
function isProportionalAutoscalerFor(workload: KubeWorkload, target: string): boolean {
  const containers = workload.spec?.template?.spec?.containers ?? [];
  return containers.some((c) => {
    if (!(c.image ?? '').includes(CPA_IMAGE)) return false;
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    const targetArg = args.find((a) => a.startsWith('--target='));
    if (targetArg === undefined) return true;
    const [kind, name] = targetArg.slice('--target='.length).split('/');
    return /^deployment$/i.test(kind ?? '') && name === target;
  });
}

/**
 * Evaluates K8S-COREDNS-RESOURCES.
 * - FAIL: a CoreDNS container was OOMKilled within the window (its `lastState` or current `state`
 *   terminated with reason OOMKilled, `finishedAt` within 24 h).
 * - WARN: a container's working set (PodMetrics) above 80 % of its memory limit; a container
 *   throttled in more than 25 % of its CFS periods (only where counters were read); more than 50
 *   nodes and neither an HPA targeting the coredns Deployment nor a cluster-proportional-autoscaler
 *   for it.
 * - SKIPPED: no CoreDNS pods to evaluate. ERROR: the pods could not be read.
 * Parts whose input is missing (no metrics-server, an unreadable list) are named in `notes` and do
 * not change the status; `looked` lists what was evaluated.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 * @see https://docs.aws.amazon.com/eks/latest/userguide/coredns-autoscaling.html
 * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-horizontal-autoscaling/
 */
export function evaluateCorednsResources(input: CorednsResourcesInput): CheckResult {
  if (!input.pods.ok) {
    const reason = apiFailureReason(input.pods.failure);
    return makeResult('K8S-COREDNS-RESOURCES', { status: 'ERROR', evidence: { summary: reason, reason } });
  }
  const pods = input.pods.value.filter(
    (p) => p.metadata?.deletionTimestamp === undefined || p.metadata.deletionTimestamp === null,
  );
  if (pods.length === 0) {
    const reason = 'no CoreDNS pods (label k8s-app=kube-dns) in kube-system to evaluate';
    return makeResult('K8S-COREDNS-RESOURCES', {
      status: 'SKIPPED',
      evidence: { summary: reason, reason, pods: [] },
    });
  }
  const target = input.deploymentName ?? 'coredns';
  const sinceMs = input.now.getTime() - (input.oomWindowMs ?? DAY_MS);
  const memoryWarn = input.memoryWarnRatio ?? 0.8;
  const throttledWarn = input.throttledWarnRatio ?? 0.25;
  const nodeThreshold = input.autoscalerNodeThreshold ?? 50;
  const notes: string[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  const atFault = new Set<string>();
  const looked: string[] = [];
  const podName = (p: KubePod): string => p.metadata?.name ?? '(unnamed)';

  // ── terminations ──
  const oomKills: OomKill[] = [];
  for (const pod of pods) {
    for (const s of pod.status?.containerStatuses ?? []) {
      const container = s.name ?? '(unnamed)';
      for (const kill of [
        oomKillOf(podName(pod), container, s.state, 'state', sinceMs),
        oomKillOf(podName(pod), container, s.lastState, 'lastState', sinceMs),
      ])
        if (kill !== undefined) oomKills.push(kill);
    }
  }
  for (const k of oomKills) {
    failures.push(`${k.pod}/${k.container} was OOMKilled at ${k.finishedAt}`);
    atFault.add(k.pod);
  }
  looked.push(`container states of ${pods.length} CoreDNS pod(s) (OOMKilled within 24 h)`);

  // ── memory against the limit ──
  const memory: MemoryView[] = [];
  const unlimited: string[] = [];
  for (const pod of pods)
    for (const c of pod.spec?.containers ?? [])
      if (memoryLimitOf(c) === undefined) unlimited.push(`${podName(pod)}/${c.name ?? '(unnamed)'}`);
  if (unlimited.length > 0) notes.push(`no memory limit on ${unlimited.join(', ')}`);
  let metricsServed: boolean;
  if (input.podMetrics.ok) {
    metricsServed = true;
    for (const pod of pods) {
      const metrics = input.podMetrics.value.find((m) => m.metadata?.name === podName(pod));
      if (metrics === undefined) {
        notes.push(`no PodMetrics for ${podName(pod)} yet`);
        continue;
      }
      for (const usage of metrics.containers ?? []) {
        const workingSet = parseQuantity(usage.usage?.memory);
        if (workingSet === undefined) continue;
        const spec = pod.spec?.containers?.find((c) => c.name === usage.name);
        const limit = memoryLimitOf(spec);
        const ratio = limit !== undefined && limit > 0 ? round3(workingSet / limit) : null;
        const view: MemoryView = {
          pod: podName(pod),
          container: usage.name ?? '(unnamed)',
          workingSetBytes: workingSet,
          limitBytes: limit ?? null,
          ratio,
        };
        memory.push(view);
        if (ratio !== null && ratio > memoryWarn) {
          warnings.push(
            `${view.pod}/${view.container} uses ${mib(workingSet)} of its ${mib(limit as number)} memory limit (${Math.round(ratio * 100)} % > ${Math.round(memoryWarn * 100)} %)`,
          );
          atFault.add(view.pod);
        }
      }
    }
    looked.push(`memory working set (metrics.k8s.io PodMetrics) of ${memory.length} container(s)`);
  } else {
    metricsServed = false;
    const f = input.podMetrics.failure;
    notes.push(
      isNotFound(f) || f.status === 503
        ? `memory against the limit not judged: metrics.k8s.io is not served (${f.status === 503 ? 'its APIService is unavailable' : 'no metrics-server'})`
        : `memory against the limit not judged: ${apiFailureReason(f)}`,
    );
  }

  // ── CPU throttling ──
  const cpuLimited = pods.flatMap((p) =>
    (p.spec?.containers ?? [])
      .filter((c) => parseQuantity(c.resources?.limits?.cpu) !== undefined)
      .map((c) => `${podName(p)}/${c.name ?? '(unnamed)'}`),
  );
  let throttling: Record<string, unknown>;
  if (cpuLimited.length === 0) {
    // No CPU limit, no CFS quota: the kernel cannot throttle the container (the EKS add-on's default).
    throttling = { evaluated: true, cpuLimited: [], verdict: 'no CPU limit: CFS quota cannot throttle' };
    looked.push('CPU limits (none set: nothing to throttle)');
  } else if (input.throttling === undefined || 'unavailable' in input.throttling) {
    const why =
      input.throttling !== undefined && 'unavailable' in input.throttling
        ? input.throttling.unavailable
        : 'the CFS counters were not read';
    throttling = { evaluated: false, cpuLimited, reason: why };
    notes.push(`CPU throttling not judged (skipped): ${why}`);
  } else if (!input.throttling.ok) {
    const why = apiFailureReason(input.throttling.failure);
    throttling = { evaluated: false, cpuLimited, reason: why };
    notes.push(`CPU throttling not judged (skipped): ${why}`);
  } else {
    const counters = input.throttling.value.map((t) => ({
      ...t,
      ratio: t.periods > 0 ? round3(t.throttledPeriods / t.periods) : 0,
    }));
    for (const t of counters)
      if (t.ratio > throttledWarn) {
        warnings.push(
          `${t.pod}/${t.container} was throttled in ${Math.round(t.ratio * 100)} % of its CFS periods (> ${Math.round(throttledWarn * 100)} %)`,
        );
        atFault.add(t.pod);
      }
    throttling = { evaluated: true, cpuLimited, counters };
    looked.push(`CFS throttling counters of ${counters.length} container(s)`);
  }

  // ── an autoscaler above the node bound ──
  const autoscaler: Record<string, unknown> = { threshold: nodeThreshold };
  const hpas = input.hpas.ok
    ? input.hpas.value
        .filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === target)
        .map((h) => h.metadata?.name ?? '(unnamed)')
    : undefined;
  const cpas = input.deployments.ok
    ? input.deployments.value
        .filter((d) => isProportionalAutoscalerFor(d, target))
        .map((d) => d.metadata?.name ?? '(unnamed)')
    : undefined;
  if (!input.hpas.ok)
    notes.push(`HorizontalPodAutoscalers not read: ${apiFailureReason(input.hpas.failure)}`);
  if (!input.deployments.ok)
    notes.push(
      `Deployments not read (cluster-proportional-autoscaler): ${apiFailureReason(input.deployments.failure)}`,
    );
  if (hpas !== undefined) autoscaler.hpas = hpas;
  if (cpas !== undefined) autoscaler.clusterProportionalAutoscalers = cpas;
  if (input.nodes.ok) {
    const count = input.nodes.value.length;
    autoscaler.nodes = count;
    const found = (hpas?.length ?? 0) + (cpas?.length ?? 0) > 0;
    if (count > nodeThreshold && !found) {
      if (hpas !== undefined && cpas !== undefined) {
        warnings.push(
          `${count} nodes and no autoscaler for deployment/${target} (no HPA, no cluster-proportional-autoscaler): a fixed replica count falls behind as the cluster grows`,
        );
        atFault.add(`deployment/${target}`);
        notes.push(
          "the EKS CoreDNS add-on's own autoScaling (configurationValues) runs in the control plane and cannot be seen from the cluster: if it is enabled, this warning does not apply",
        );
      } else notes.push(`autoscaler not judged for ${count} nodes: the lists above could not be read`);
    }
    looked.push(`${count} node(s) against the autoscaler bound of ${nodeThreshold}`);
  } else {
    notes.push(`nodes not read, autoscaler not judged: ${apiFailureReason(input.nodes.failure)}`);
  }

  const status: CheckResult['status'] = failures.length > 0 ? 'FAIL' : warnings.length > 0 ? 'WARN' : 'PASS';
  return makeResult('K8S-COREDNS-RESOURCES', {
    status,
    evidence: {
      summary:
        status === 'PASS'
          ? `${pods.length} CoreDNS pod(s): no OOMKilled in 24 h${metricsServed ? `, memory within ${Math.round(memoryWarn * 100)} % of the limit` : ''}${autoscaler.nodes !== undefined ? `, ${String(autoscaler.nodes)} node(s)` : ''}`
          : [...failures, ...warnings].join('; '),
      looked,
      pods: pods.map(podName),
      oomKills,
      memory: { metricsServed, containers: memory },
      cpuThrottling: throttling,
      autoscaler,
      ...(failures.length > 0 && { failures }),
      ...(warnings.length > 0 && { warnings }),
      ...(status !== 'PASS' && { resources: [...atFault] }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
