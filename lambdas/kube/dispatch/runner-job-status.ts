/**
 * Where a runner Job stands, read from the objects the API server returns (the Job, its pods and,
 * optionally, the events about them): running, succeeded, failed or timed out — with a reason a
 * person can act on, in checks.md's words ("Runner failures"): `probe pod Pending:
 * ImagePullBackOff for <image>`, `Unschedulable: 0/3 nodes are available: …`, `deadline exceeded
 * after 120 s`. Pure: no API calls, no clock (the caller passes `now`).
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
 */
import { COMPONENT_NODE_AGENT, LABEL_COMPONENT } from '../manifests/names.js';
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';

export type RunnerJobPhase = 'running' | 'succeeded' | 'failed' | 'timed-out';

/** The runner role a Job runs, as named in reasons (`probe pod …`, `node agent pod …`). */
export type RunnerJobRole = 'probe' | 'node-agent';

export interface RunnerJobStatus {
  readonly phase: RunnerJobPhase;
  /**
   * Why it failed or timed out; while running, what holds it up (Pending, crash-looping, not
   * Ready past the bound) — information for the caller, not a failure.
   */
  readonly reason?: string;
  /** the node the Job's pod is pinned to or ran on (node agents: the node whose checks it runs) */
  readonly node?: string;
}

export interface RunnerJobStatusInput {
  readonly job: V1Job;
  /** the Job's pods (any order; the newest one speaks for the Job) */
  readonly pods: readonly V1Pod[];
  /** events about the Job and its pods, when read (they add FailedCreate and image pull details) */
  readonly events?: readonly CoreV1Event[];
  /** @default from the label `app.kubernetes.io/component` (`node-agent`), else `probe` */
  readonly role?: RunnerJobRole;
  /** the time of the reading, for the not-Ready bound */
  readonly now?: Date;
  /** a Running pod not Ready for longer than this is reported (not failed) @default 60 */
  readonly notReadyAfterSeconds?: number;
}

/** Container waiting reasons that are the normal way to a running container. */
const ROUTINE_WAITING = new Set(['ContainerCreating', 'PodInitializing']);
const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

const toMs = (t: Date | string | undefined): number | undefined => {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
};

const isTrue = (c: { status: string } | undefined): boolean => c?.status === 'True';

function jobCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type && isTrue(c));
}

function podCondition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === type);
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function roleOf(input: RunnerJobStatusInput): RunnerJobRole {
  if (input.role) return input.role;
  const labels = input.job.metadata?.labels ?? {};
  return labels[LABEL_COMPONENT] === COMPONENT_NODE_AGENT ? 'node-agent' : 'probe';
}

const roleWords = (role: RunnerJobRole): string => (role === 'probe' ? 'probe' : 'node agent');

/** The newest pod (by creation time, then name): the one whose state is the Job's now. */
function newestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort(
    (a, b) =>
      (toMs(b.metadata?.creationTimestamp) ?? 0) - (toMs(a.metadata?.creationTimestamp) ?? 0) ||
      (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''),
  )[0];
}

function containerStatuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The newest event about `name` with one of `reasons`, message on one line. */
function eventMessage(
  events: readonly CoreV1Event[],
  name: string | undefined,
  reasons: readonly string[],
): string | undefined {
  const hits = events
    .filter((e) => e.involvedObject?.name === name && e.reason !== undefined && reasons.includes(e.reason))
    .sort(
      (a, b) => (toMs(b.lastTimestamp ?? b.eventTime) ?? 0) - (toMs(a.lastTimestamp ?? a.eventTime) ?? 0),
    );
  const m = hits[0]?.message;
  return m ? oneLine(m) : undefined;
}

/** A terminated container with a non-zero exit code, in words: `container runner exited with code 1 (Error)`. */
function exitText(statuses: readonly V1ContainerStatus[]): string | undefined {
  for (const s of statuses) {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    if (t && t.exitCode !== 0)
      return `container ${s.name} exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${
        t.message ? `: ${oneLine(t.message)}` : ''
      }`;
  }
  return undefined;
}

/**
 * What holds a pod up or ended it, in words, or undefined when nothing is wrong with it (yet).
 * `notReadyAfterMs` applies to Running pods only.
 */
function podTrouble(
  pod: V1Pod,
  who: string,
  events: readonly CoreV1Event[],
  now: number | undefined,
  notReadyAfterMs: number,
): string | undefined {
  const phase = pod.status?.phase ?? 'Pending';
  const name = pod.metadata?.name;
  if (pod.status?.reason === 'Evicted')
    return `${who} pod evicted${pod.status.message ? `: ${oneLine(pod.status.message)}` : ''}`;
  const statuses = containerStatuses(pod);
  if (phase === 'Failed') {
    const exit = exitText(statuses);
    if (exit) return `${who} pod failed: ${exit}`;
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(': ');
    return `${who} pod failed${why ? `: ${oneLine(why)}` : ''}`;
  }
  if (phase === 'Succeeded') return undefined;
  for (const s of statuses) {
    const w = s.state?.waiting;
    if (!w?.reason || ROUTINE_WAITING.has(w.reason)) continue;
    if (IMAGE_PULL.has(w.reason)) {
      const pullError = eventMessage(events, name, ['Failed']);
      return `${who} pod ${phase}: ${w.reason} for ${s.image}${pullError ? ` (${pullError})` : ''}`;
    }
    if (w.reason === 'CrashLoopBackOff') {
      const exit = exitText([s]);
      return `${who} pod ${phase}: CrashLoopBackOff${exit ? `, ${exit}` : ''}`;
    }
    return `${who} pod ${phase}: ${w.reason}${w.message ? `: ${oneLine(w.message)}` : ''}`;
  }
  const scheduled = podCondition(pod, 'PodScheduled');
  if (phase === 'Pending' && scheduled?.status === 'False') {
    const message = scheduled.message ?? eventMessage(events, name, ['FailedScheduling']);
    return `${who} pod Pending: ${scheduled.reason ?? 'not scheduled'}${message ? `: ${oneLine(message)}` : ''}`;
  }
  if (phase === 'Running' && now !== undefined) {
    const ready = podCondition(pod, 'Ready');
    if (ready && ready.status !== 'True') {
      const since = toMs(ready.lastTransitionTime) ?? toMs(pod.status?.startTime);
      if (since !== undefined && now - since > notReadyAfterMs)
        return `${who} pod Running but not Ready after ${Math.round((now - since) / 1000)} s${
          ready.message ? ` (${oneLine(ready.message)})` : ''
        }`;
    }
  }
  return undefined;
}

/** The node a Job's pod is pinned to (`nodeName` in the template) or was scheduled on. */
function nodeOf(job: V1Job, pod: V1Pod | undefined): string | undefined {
  return job.spec?.template?.spec?.nodeName ?? pod?.spec?.nodeName;
}

/** Where the runner Job stands. Never throws for any object shape the API server returns. */
export function runnerJobStatus(input: RunnerJobStatusInput): RunnerJobStatus {
  const { job } = input;
  const events = input.events ?? [];
  const who = roleWords(roleOf(input));
  const pod = newestPod(input.pods);
  const node = nodeOf(job, pod);
  const withNode = node !== undefined ? { node } : {};
  const now = input.now?.getTime();
  const trouble = pod
    ? podTrouble(pod, who, events, now, (input.notReadyAfterSeconds ?? 60) * 1000)
    : undefined;
  // What the pods say about a Job that ended: the newest pod's trouble, else any pod's exit.
  const podsSay =
    trouble ??
    input.pods
      .map((p) => podTrouble(p, who, events, undefined, Infinity))
      .find((t): t is string => t !== undefined);
  const createFailed = eventMessage(events, job.metadata?.name, ['FailedCreate']);
  const detail = podsSay ?? (createFailed ? `the Job could not create its pod: ${createFailed}` : undefined);

  if (jobCondition(job, 'Complete') ?? jobCondition(job, 'SuccessCriteriaMet'))
    return { phase: 'succeeded', ...withNode };
  const failed = jobCondition(job, 'Failed') ?? jobCondition(job, 'FailureTarget');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      const deadline = job.spec?.activeDeadlineSeconds;
      const started = toMs(job.status?.startTime);
      const ended = toMs(failed.lastTransitionTime);
      const seconds =
        deadline ??
        (started !== undefined && ended !== undefined ? Math.round((ended - started) / 1000) : undefined);
      return {
        phase: 'timed-out',
        reason: `deadline exceeded${seconds !== undefined ? ` after ${seconds} s` : ''}${detail ? ` (${detail})` : ''}`,
        ...withNode,
      };
    }
    const what =
      failed.reason === 'BackoffLimitExceeded'
        ? `backoff limit exceeded (${job.status?.failed ?? 0} failed pod(s))`
        : `${who} Job failed: ${failed.reason ?? 'Failed'}${failed.message ? `: ${oneLine(failed.message)}` : ''}`;
    return { phase: 'failed', reason: detail ? `${what}: ${detail}` : what, ...withNode };
  }
  // No condition yet: a pod that ended the Job's way (restartPolicy Never, backoffLimit 0 is
  // still read as running until the controller adds the condition).
  if ((job.status?.succeeded ?? 0) > 0) return { phase: 'succeeded', ...withNode };
  if (input.pods.length === 0 && createFailed)
    return { phase: 'running', reason: `the Job could not create its pod: ${createFailed}`, ...withNode };
  return { phase: 'running', ...(trouble ? { reason: trouble } : {}), ...withNode };
}

/** Where a scan's runner stands, for a Step Functions wait loop. */
export interface RunnerScanStatus {
  /** the probe Job ended (succeeded, failed or timed out): collect now */
  readonly done: boolean;
  readonly probe: RunnerJobStatus;
  readonly nodeAgents: readonly RunnerJobStatus[];
}

/**
 * The probe Job decides: the node agents capture until the probe pod finishes, so the scan is
 * done when the probe Job ended, whatever the node agents are doing. A probe Job that is not
 * there (deleted, never created) is failed. A node agent's trouble is reported, not decided on.
 */
export function runnerScanStatus(input: {
  readonly probe: RunnerJobStatusInput | undefined;
  readonly nodeAgents: readonly RunnerJobStatusInput[];
}): RunnerScanStatus {
  const probe: RunnerJobStatus = input.probe
    ? runnerJobStatus({ role: 'probe', ...input.probe })
    : { phase: 'failed', reason: 'the probe Job was not found' };
  const nodeAgents = input.nodeAgents.map((n) => runnerJobStatus({ role: 'node-agent', ...n }));
  return { done: probe.phase !== 'running', probe, nodeAgents };
}
