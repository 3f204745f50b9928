/**
 * Reading a runner pod's log for the collector, bounded with `limitBytes`. A pod that has ended
 * is read as it is. A node agent still capturing has written no result yet: it reports on
 * SIGTERM (jobs.ts: it captures "until SIGTERM"), and once its pod object is gone so is its log.
 * So the collector stops it itself: it opens a **follow** read of the log first, then deletes the
 * pod with its grace period — the kubelet sends SIGTERM, the agent writes its framed result and
 * exits, and the follow read ends with the whole log. The wait is bounded (grace period + a
 * margin); a read that does not end in time, or a pod that cannot be deleted, is a reason for
 * that node (its NODE-* checks become ERROR, checks.md "Runner failures"), never a throw.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 * @see https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/#read-log-pod-v1-core
 */
import { Observable } from '@kubernetes/client-node';
import type { ObservableMiddleware, RequestContext, ResponseContext, V1Pod } from '@kubernetes/client-node';
import type { RunnerApis } from '../client/runner-apis.js';
import { toKubeAccessError } from '../errors.js';

/** A log read: the text, or why there is none. */
export interface PodLogRead {
  readonly log: string | undefined;
  readonly why?: string;
}

/** How long the collector waits for a stopped node agent beyond its grace period. */
export const NODE_AGENT_STOP_MARGIN_MS = 15_000;

/** The grace period Kubernetes gives a pod without `terminationGracePeriodSeconds`. */
const DEFAULT_GRACE_SECONDS = 30;

const podName = (pod: V1Pod): string => pod.metadata?.name ?? '';
const containerParam = (pod: V1Pod): { container?: string } => {
  const container = pod.spec?.containers[0]?.name;
  return container !== undefined ? { container } : {};
};

/** A node agent still capturing: Running and not already being deleted. */
export function isCapturing(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !isTerminating(pod);
}

/** The pod is being deleted (its container got, or is about to get, SIGTERM). */
export function isTerminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/**
 * Reads one pod's log as it is, bounded; a failed read becomes a reason, not an exception.
 * A Pending pod never started: there is no log to read.
 */
export async function readPodLog(
  apis: RunnerApis,
  namespace: string,
  pod: V1Pod,
  limitBytes: number,
): Promise<PodLogRead> {
  const name = podName(pod);
  if ((pod.status?.phase ?? 'Pending') === 'Pending')
    return { log: undefined, why: `pod ${name} never started` };
  try {
    const log = await apis.core.readNamespacedPodLog({ name, namespace, limitBytes, ...containerParam(pod) });
    return { log };
  } catch (err) {
    const e = toKubeAccessError(`get pods/log ${namespace}/${name}`, err);
    if (e === undefined) throw err;
    return { log: undefined, why: e.message };
  }
}

export interface StopAndReadOptions {
  readonly limitBytes: number;
  /** waited beyond the grace period; @default {@link NODE_AGENT_STOP_MARGIN_MS} */
  readonly marginMs?: number;
}

/**
 * A per-call middleware for a follow read: puts the caller's `signal` on the request (the
 * client's deadline is added to it, see createKubeClient) and says when the stream is open — the
 * response's headers arrived with a 2xx — while its body is still coming.
 */
function followStream(signal: AbortSignal, opened: () => void): ObservableMiddleware {
  return {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => {
      if (context.httpStatusCode >= 200 && context.httpStatusCode < 300) opened();
      return new Observable(Promise.resolve(context));
    },
  };
}

type Settled = { readonly ok: true; readonly log: string } | { readonly ok: false; readonly error: unknown };

/**
 * Stops a node agent and reads its whole log: a follow read is opened first, then — once the
 * stream is open — the pod is deleted with its `terminationGracePeriodSeconds` (SIGTERM: the
 * agent reports and exits), and the read ends with the log. A pod already terminating is only
 * followed. Waits at most the grace period + `marginMs`, then gives up on that node with a
 * reason. Two requests: GET pods/log (follow), DELETE pod.
 */
export async function stopAndReadNodeAgentLog(
  apis: RunnerApis,
  namespace: string,
  pod: V1Pod,
  options: StopAndReadOptions,
): Promise<PodLogRead> {
  const name = podName(pod);
  const where = `${namespace}/${name}`;
  const terminating = isTerminating(pod);
  const specGrace = pod.spec?.terminationGracePeriodSeconds;
  const graceSeconds =
    (terminating ? pod.metadata?.deletionGracePeriodSeconds : undefined) ??
    specGrace ??
    DEFAULT_GRACE_SECONDS;
  const marginMs = options.marginMs ?? NODE_AGENT_STOP_MARGIN_MS;
  const waitSeconds = Math.round((graceSeconds * 1000 + marginMs) / 100) / 10;
  const bound = `${waitSeconds} s (grace period ${graceSeconds} s + ${marginMs / 1000} s)`;

  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), graceSeconds * 1000 + marginMs);
  let markOpen: () => void = () => undefined;
  const opened = new Promise<'open'>((resolve) => (markOpen = () => resolve('open')));
  const read: Promise<Settled> = apis.core
    .readNamespacedPodLog(
      { name, namespace, follow: true, limitBytes: options.limitBytes, ...containerParam(pod) },
      { middleware: [followStream(stop.signal, markOpen)], middlewareMergeStrategy: 'append' },
    )
    .then(
      (log): Settled => ({ ok: true, log }),
      (error: unknown): Settled => ({ ok: false, error }),
    );
  let deleted = false;
  try {
    // Delete only once the stream is open: the log must be followed before the pod can go.
    const first = await Promise.race([opened, read]);
    if (first === 'open' && !terminating) {
      const refused = await deletePod(apis, namespace, pod, specGrace);
      if (refused !== undefined) {
        stop.abort();
        await read;
        return { log: undefined, why: `the node agent could not be stopped: ${refused}` };
      }
      deleted = true;
    }
    const outcome = await read;
    if (outcome.ok) return { log: outcome.log };
    if (stop.signal.aborted)
      return {
        log: undefined,
        why:
          deleted || terminating
            ? `the node agent's log did not end within ${bound} after its pod ${where} was deleted`
            : `the follow read of pod ${where}'s log did not answer within ${bound}`,
      };
    const e = toKubeAccessError(`get pods/log ${where} (follow)`, outcome.error);
    if (e === undefined) throw outcome.error;
    return { log: undefined, why: e.message };
  } finally {
    clearTimeout(timer);
    if (!stop.signal.aborted) stop.abort(); // nothing is left open
  }
}

/**
 * Deletes the pod with its grace period; undefined when done (or already gone: its log stream
 * ends with it), else why not.
 */
async function deletePod(
  apis: RunnerApis,
  namespace: string,
  pod: V1Pod,
  gracePeriodSeconds: number | undefined,
): Promise<string | undefined> {
  const name = podName(pod);
  try {
    await apis.core.deleteNamespacedPod({
      name,
      namespace,
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    });
    return undefined;
  } catch (err) {
    const e = toKubeAccessError(`delete pods ${namespace}/${name}`, err);
    if (e === undefined) throw err;
    if (e.failure === 'not-found') return undefined;
    // Clusters onboarded before the collector stopped node agents lack this grant.
    if (e.failure === 'forbidden')
      return `${e.message} (the scanner's Role needs delete on pods: re-apply the onboarding RBAC, \`fleet-dns onboard\`)`;
    return e.message;
  }
}
