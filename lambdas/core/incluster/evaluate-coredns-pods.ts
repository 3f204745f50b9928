/**
 * K8S-COREDNS-PODS (checks.md § B): CoreDNS pods are running and ready, not crash-looping, not
 * restarting, replicated, spread over nodes, and covered by a PodDisruptionBudget.
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason, isNotFound } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import { podIsReady, selectorMatches, timestampMs, timestampText } from './kube-objects.js';
import type { KubePod, KubePodDisruptionBudget, KubeWorkload, PodSpec } from './kube-objects.js';

export interface CorednsPodsInput {
  /** pods labelled `k8s-app=kube-dns` in kube-system */
  readonly pods: ApiRead<readonly KubePod[]>;
  /** the `coredns` Deployment (404 when CoreDNS is not deployed as one) */
  readonly deployment: ApiRead<KubeWorkload>;
  /** PodDisruptionBudgets in kube-system */
  readonly pdbs: ApiRead<readonly KubePodDisruptionBudget[]>;
  readonly now: Date;
  /** restarts more recent than this count. @default 24 h */
  readonly restartWindowMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SPREAD_KEYS = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/zone',
];

interface PodView {
  name: string;
  node?: string;
  ip?: string;
  phase?: string;
  ready: boolean;
  terminating: boolean;
  restarts: number;
  waiting?: string;
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string };
}

function spreadOf(spec: PodSpec | undefined): string[] {
  const anti = spec?.affinity?.podAntiAffinity;
  const keys = [
    ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.topologyKey),
    ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
      (t) => t.podAffinityTerm?.topologyKey,
    ),
    ...(spec?.topologySpreadConstraints ?? []).map((t) => t.topologyKey),
  ];
  return [...new Set(keys.filter((k): k is string => k !== undefined && SPREAD_KEYS.includes(k)))];
}

/**
 * Evaluates K8S-COREDNS-PODS.
 * - FAIL: a pod that is not terminating is not Ready (or not Running), or a container waits in CrashLoopBackOff.
 * - WARN: a container restarted within the window (its last termination reason named, e.g.
 *   OOMKilled); a single replica; no PodDisruptionBudget selecting the pods; no pod
 *   anti-affinity or topology spread on hostname/zone; every pod on one node.
 * - SKIPPED: no CoreDNS pods to evaluate (checks.md, Result model) — CoreDNS not run in-cluster
 *   (EKS Auto Mode), or scaled to zero (the outage is K8S-DNS-ENDPOINTS's FAIL).
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/coredns-autoscaling.html
 * @see https://kubernetes.io/docs/tasks/debug/debug-application/debug-pods/
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export function evaluateCorednsPods(input: CorednsPodsInput): CheckResult {
  if (!input.pods.ok) {
    const reason = apiFailureReason(input.pods.failure);
    return makeResult('K8S-COREDNS-PODS', { status: 'ERROR', evidence: { summary: reason, reason } });
  }
  const windowMs = input.restartWindowMs ?? DAY_MS;
  const nowMs = input.now.getTime();
  const notes: string[] = [];
  const deployment = input.deployment.ok ? input.deployment.value : undefined;
  if (!input.deployment.ok && !isNotFound(input.deployment.failure)) {
    notes.push(`Deployment not read: ${apiFailureReason(input.deployment.failure)}`);
  }
  const pods = input.pods.value;

  if (pods.length === 0) {
    // checks.md, Result model: "SKIPPED (not applicable: … no CoreDNS pods to evaluate)". A Deployment
    // scaled to zero (or whose pods are all gone) is an outage, but it is K8S-DNS-ENDPOINTS's FAIL.
    const noDeployment =
      deployment === undefined && input.deployment.ok === false && isNotFound(input.deployment.failure);
    const wants = deployment?.spec?.replicas;
    const reason = noDeployment
      ? 'no CoreDNS pods (label k8s-app=kube-dns) and no coredns Deployment in kube-system: CoreDNS is not run as cluster pods here (EKS Auto Mode or another DNS provider)'
      : `no CoreDNS pods (label k8s-app=kube-dns) in kube-system to evaluate${wants !== undefined ? ` (the coredns Deployment wants ${wants})` : ''}: the outage itself is K8S-DNS-ENDPOINTS's finding`;
    return makeResult('K8S-COREDNS-PODS', {
      status: 'SKIPPED',
      evidence: {
        summary: reason,
        reason,
        pods: [],
        ...(wants !== undefined && { desiredReplicas: wants }),
        ...(notes.length > 0 && { notes }),
      },
    });
  }

  const views: PodView[] = pods.map((pod) => {
    const statuses = pod.status?.containerStatuses ?? [];
    const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined);
    const last = statuses
      .map((s) => s.lastState?.terminated)
      .filter((t) => t !== undefined)
      .sort((a, b) => (timestampMs(b.finishedAt) ?? 0) - (timestampMs(a.finishedAt) ?? 0))[0];
    const finishedAt = timestampText(last?.finishedAt);
    return {
      name: pod.metadata?.name ?? '(unnamed)',
      ...(pod.spec?.nodeName !== undefined && { node: pod.spec.nodeName }),
      ...(pod.status?.podIP !== undefined && { ip: pod.status.podIP }),
      ...(pod.status?.phase !== undefined && { phase: pod.status.phase }),
      ready: podIsReady(pod) && pod.status?.phase === 'Running',
      terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
      restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
      ...(waiting !== undefined && { waiting }),
      ...(last !== undefined && {
        lastTermination: {
          ...(last.reason !== undefined && { reason: last.reason }),
          ...(last.exitCode !== undefined && { exitCode: last.exitCode }),
          ...(finishedAt !== undefined && { finishedAt }),
        },
      }),
    };
  });

  const failures: string[] = [];
  const warnings: string[] = [];
  const failing = new Set<string>();
  const warningPods = new Set<string>();

  for (const v of views) {
    if (v.terminating) continue;
    if (v.waiting === 'CrashLoopBackOff') {
      failures.push(
        `${v.name} is in CrashLoopBackOff (${v.restarts} restarts${v.lastTermination?.reason ? `, last exit ${v.lastTermination.reason}` : ''})`,
      );
      failing.add(v.name);
    } else if (!v.ready) {
      failures.push(
        `${v.name} is not ready (phase ${v.phase ?? 'unknown'}${v.waiting ? `, waiting: ${v.waiting}` : ''})`,
      );
      failing.add(v.name);
    }
  }
  for (const v of views) {
    if (v.restarts === 0 || failing.has(v.name)) continue;
    const finished = v.lastTermination?.finishedAt ? Date.parse(v.lastTermination.finishedAt) : undefined;
    if (finished !== undefined && nowMs - finished <= windowMs) {
      warnings.push(
        `${v.name} restarted within the last ${Math.round(windowMs / 3_600_000)} h (${v.restarts} restarts, last ${v.lastTermination?.reason ?? 'unknown reason'}${v.lastTermination?.reason === 'OOMKilled' ? ': raise the memory limit' : ''})`,
      );
      warningPods.add(v.name);
    } else if (finished === undefined) {
      notes.push(`${v.name} has restarted ${v.restarts} time(s); when is not recorded`);
    }
  }
  const terminating = views.filter((v) => v.terminating);
  if (terminating.length > 0)
    notes.push(`terminating (ignored): ${terminating.map((v) => v.name).join(', ')}`);

  const active = views.filter((v) => !v.terminating);
  const desired = deployment?.spec?.replicas;
  const replicas = desired ?? active.length;
  if (replicas <= 1) warnings.push(`${replicas} replica: a single CoreDNS pod is a single point of failure`);

  let pdbNames: string[] = [];
  if (input.pdbs.ok) {
    pdbNames = input.pdbs.value
      .filter((pdb) => pods.some((p) => selectorMatches(pdb.spec?.selector, p.metadata?.labels)))
      .map((pdb) => pdb.metadata?.name ?? '(unnamed)');
    if (pdbNames.length === 0)
      warnings.push(
        'no PodDisruptionBudget selects the CoreDNS pods: a node drain can evict them all at once',
      );
  } else {
    notes.push(`PodDisruptionBudgets not read: ${apiFailureReason(input.pdbs.failure)}`);
  }

  const template = deployment?.spec?.template?.spec;
  const spreadKeys = [...new Set([...spreadOf(template), ...pods.flatMap((p) => spreadOf(p.spec))])];
  if (spreadKeys.length === 0)
    warnings.push('no pod anti-affinity or topology spread on hostname/zone: replicas may land on one node');
  const nodes = new Set(active.map((v) => v.node).filter((n) => n !== undefined));
  if (active.length >= 2 && nodes.size === 1)
    warnings.push(`all ${active.length} CoreDNS pods run on one node (${[...nodes][0]})`);

  const status: CheckResult['status'] = failures.length > 0 ? 'FAIL' : warnings.length > 0 ? 'WARN' : 'PASS';
  const readyCount = active.filter((v) => v.ready).length;
  const counts = `${readyCount} of ${active.length} CoreDNS pod(s) ready${desired !== undefined ? ` (${desired} desired)` : ''}`;
  return makeResult('K8S-COREDNS-PODS', {
    status,
    evidence: {
      summary:
        status === 'PASS'
          ? `${counts} on ${nodes.size} node(s), PDB ${pdbNames.join(', ')}, no recent restarts`
          : `${counts}; ${[...failures, ...warnings].join('; ')}`,
      pods: views,
      replicas: {
        desired: desired ?? null,
        observed: active.length,
        ready: active.filter((v) => v.ready).length,
      },
      podDisruptionBudgets: pdbNames,
      spread: { topologyKeys: spreadKeys, nodes: [...nodes] },
      ...(failures.length > 0 && { failures }),
      ...(warnings.length > 0 && { warnings }),
      ...(status !== 'PASS' && {
        resources:
          failing.size > 0
            ? [...failing]
            : warningPods.size > 0
              ? [...warningPods]
              : active.map((v) => v.name),
      }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
