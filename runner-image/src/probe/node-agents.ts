/**
 * The probe pod waits for the node agents before it sends a query (design.md § The in-cluster
 * runner): the node agents turn Ready once their capture runs, so a query sent earlier could pass
 * a CoreDNS node nobody was watching, and its hop could not be named. The wait is bounded; when
 * it ends without every agent Ready — or the pods cannot be listed at all — the probe probes
 * anyway and the outcome goes into the evidence (`observations.nodeAgents`, DNS-CAPTURE's notes).
 *
 * It polls `list pods` in the scanner's namespace (a watch would save a few requests but adds
 * reconnect and resync paths for a wait of seconds).
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { NodeAgentPod, NodeAgentsObservation } from '../../../lambdas/core/capture/index.js';
import { apiFailureReason } from '../../../lambdas/core/incluster/index.js';
import { timeoutOptions, toApiFailure } from '../kube/read-api.js';

export interface WaitForNodeAgentsOptions {
  /** e.g. `app.kubernetes.io/component=node-agent,fleet-dns.io/scan-id=S` */
  readonly labelSelector: string;
  readonly namespace: string;
  /** give up (and probe anyway) after this long @default 60000 */
  readonly timeoutMs?: number;
  /** between two listings @default 500 */
  readonly intervalMs?: number;
}

export const DEFAULT_NODE_AGENTS_TIMEOUT_MS = 60_000;
export const DEFAULT_NODE_AGENTS_INTERVAL_MS = 500;
/** one listing may take this long at most (and at least this much of it, near the deadline) */
const MAX_REQUEST_MS = 10_000;
const MIN_REQUEST_MS = 1_000;
/** statuses that no amount of waiting changes: a bad selector, bad credentials, no permission */
const PERMANENT = new Set([400, 401, 403]);

/** test seams: the clock */
export interface WaitClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const realClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

function isReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function describePod(pod: V1Pod, withPhase: boolean): NodeAgentPod {
  const phase = pod.metadata?.deletionTimestamp ? 'Terminating' : pod.status?.phase;
  return {
    name: pod.metadata?.name ?? '(unnamed pod)',
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(withPhase && phase ? { phase } : {}),
  };
}

const byName = (a: NodeAgentPod, b: NodeAgentPod): number => a.name.localeCompare(b.name);

/**
 * Polls the pods matching `labelSelector` until at least one matches and every one has the
 * condition Ready=True, or `timeoutMs` passes, or listing fails in a way waiting cannot cure
 * (401/403/400). Never throws: the outcome is the observation.
 */
export async function waitForNodeAgents(
  kubeConfig: KubeConfig | undefined,
  options: WaitForNodeAgentsOptions,
  clock: WaitClock = realClock,
): Promise<NodeAgentsObservation> {
  const { labelSelector: selector, namespace } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NODE_AGENTS_TIMEOUT_MS;
  const intervalMs = Math.max(50, options.intervalMs ?? DEFAULT_NODE_AGENTS_INTERVAL_MS);
  const start = clock.now();
  const deadline = start + timeoutMs;
  let ready: NodeAgentPod[] = [];
  let notReady: NodeAgentPod[] = [];
  let error: string | undefined;
  const done = (timedOut: boolean): NodeAgentsObservation => ({
    selector,
    namespace,
    ready,
    notReady,
    waitedMs: Math.max(0, clock.now() - start),
    timedOut,
    ...(error !== undefined ? { error } : {}),
  });
  if (!kubeConfig) {
    error = 'no cluster API configured';
    return done(false);
  }

  const core = kubeConfig.makeApiClient(CoreV1Api);
  for (;;) {
    const requestMs = Math.min(MAX_REQUEST_MS, Math.max(MIN_REQUEST_MS, deadline - clock.now()));
    try {
      const list = await core.listNamespacedPod(
        { namespace, labelSelector: selector },
        timeoutOptions(requestMs),
      );
      error = undefined;
      const pods = list.items;
      ready = pods
        .filter(isReady)
        .map((p) => describePod(p, false))
        .sort(byName);
      notReady = pods
        .filter((p) => !isReady(p))
        .map((p) => describePod(p, true))
        .sort(byName);
      if (ready.length > 0 && notReady.length === 0) return done(false);
    } catch (err) {
      const failure = toApiFailure(err, { verb: 'list', resource: 'pods', namespace }, requestMs);
      error = apiFailureReason(failure);
      if (failure.status !== undefined && PERMANENT.has(failure.status)) return done(false);
    }
    const left = deadline - clock.now();
    if (left <= 0) return done(true);
    await clock.sleep(Math.min(intervalMs, left));
  }
}
