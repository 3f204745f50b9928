/**
 * Collecting the in-cluster runner (design.md § The in-cluster runner): read the scan's Jobs and
 * pods (by the scan's label selector), each Job's status (`runnerJobStatus`), each pod's log
 * (bounded with `limitBytes`), verify the framed results (`runnerResultsFromLogs`), and return
 * `{ probe, nodes, failures }` for `combineRunnerResults`. Then — always, also when collecting
 * failed — delete what the dispatch made: the Jobs (propagationPolicy Background, so their pods
 * go too) and the Secret, by the scan's label selector.
 *
 * Called once the probe Job ended. The node agents capture until SIGTERM and only then write
 * their result, so a node agent still Running is stopped here: its log is followed, its pod
 * deleted (SIGTERM → report → exit), and the follow read ends with the result, bounded by the
 * pod's grace period + 15 s (read-runner-pod-log.ts). The pods are read in parallel.
 *
 * Kubernetes API requests of one collect, with N node agents of which R are still Running:
 * - list: jobs 1, pods 1, events 1 unless every Job completed (events add FailedCreate and image
 *   pull details; a Running node agent's Job has not completed, so they are read then);
 * - get pods/log: 1 + N (the R Running node agents' are follow reads);
 * - delete pods: R;
 * - deletecollection: jobs 1, secrets 1.
 * That is 5 + N + R, plus 1 for events: 6 + 2N when the node agents are still capturing (10 for
 * two CoreDNS nodes), 5 + N when every Job already completed (7 for two). Retries of transient failures
 * (429/500/503, resets) come on top and are listed in `apiRetries`.
 *
 * `runnerStatus` reads the same Jobs and pods (and events) for the Step Functions wait loop:
 * 3 requests (list jobs, pods, events).
 */
import type { CoreV1Event, KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import { runnerJobStatus, runnerScanStatus } from '../dispatch/runner-job-status.js';
import type {
  RunnerJobStatus,
  RunnerJobStatusInput,
  RunnerScanStatus,
} from '../dispatch/runner-job-status.js';
import { scanSelector } from '../dispatch/dispatch-runner.js';
import { KubeAccessError, toKubeAccessError } from '../errors.js';
import { ANNOTATION_NODE_NAME, COMPONENT_NODE_AGENT, LABEL_COMPONENT } from '../manifests/names.js';
import { isCapturing, isTerminating, readPodLog, stopAndReadNodeAgentLog } from './read-runner-pod-log.js';
import { runnerResultsFromLogs } from './runner-results-from-logs.js';
import type { NodeAgentPodLog, RunnerPodLog, RunnerResultsFromLogs } from './runner-results-from-logs.js';

interface ScanRef {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  /** the scanner's namespace (the runner Job settings' `namespace`) */
  readonly namespace: string;
}

export interface CollectRunnerInput extends ScanRef {
  readonly clusterId: string;
  /** the per-scan HMAC key the dispatch put in the Secret */
  readonly hmacKey: string;
  /** the largest log read per pod; a longer one is refused @default 16 MiB */
  readonly maxLogBytes?: number;
  /** the time of the reading (not-Ready bound of runnerJobStatus) */
  readonly now?: Date;
  /**
   * how long to wait for a stopped node agent's log to end beyond its pod's grace period
   * @default NODE_AGENT_STOP_MARGIN_MS (15 s)
   */
  readonly nodeAgentStopMarginMs?: number;
}

export interface CollectedRunner extends RunnerResultsFromLogs {
  /** where each Job stood when collected */
  readonly jobs: readonly (RunnerJobStatus & { readonly job: string })[];
  /** deleting the scan's objects failed (the sweep will get them): why */
  readonly cleanupError?: string;
}

const DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024;

function access(what: string, err: unknown): unknown {
  return toKubeAccessError(what, err) ?? err;
}

/** One Job of the scan with its pods. */
interface RunnerJob {
  readonly job: V1Job;
  readonly pods: V1Pod[];
  readonly role: 'probe' | 'node-agent';
}

const toMs = (t: Date | string | undefined): number => (t === undefined ? 0 : new Date(t).getTime() || 0);

function newest(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort(
    (a, b) => toMs(b.metadata?.creationTimestamp) - toMs(a.metadata?.creationTimestamp),
  )[0];
}

/** Lists the scan's Jobs and pods (and events, when `events` and allowed) and pairs them. */
async function readRunnerObjects(
  apis: RunnerApis,
  scanId: string,
  namespace: string,
  events: 'always' | 'unless-all-succeeded',
): Promise<{ jobs: RunnerJob[]; events: CoreV1Event[] | undefined }> {
  const labelSelector = scanSelector(scanId);
  const jobList = await apis.batch
    .listNamespacedJob({ namespace, labelSelector })
    .catch((err: unknown) => Promise.reject(access(`list jobs in namespace ${namespace}`, err)));
  const podList = await apis.core
    .listNamespacedPod({ namespace, labelSelector })
    .catch((err: unknown) => Promise.reject(access(`list pods in namespace ${namespace}`, err)));
  const jobs = jobList.items.map((job): RunnerJob => {
    const uid = job.metadata?.uid;
    const name = job.metadata?.name;
    const pods = podList.items.filter((p) =>
      (p.metadata?.ownerReferences ?? []).length > 0
        ? (p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Job' && o.uid === uid)
        : (p.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? p.metadata?.labels?.['job-name']) === name,
    );
    const role = job.metadata?.labels?.[LABEL_COMPONENT] === COMPONENT_NODE_AGENT ? 'node-agent' : 'probe';
    return { job, pods, role };
  });
  const needEvents =
    events === 'always' ||
    jobs.some(
      (j) => !(j.job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'),
    );
  let eventList: CoreV1Event[] | undefined;
  if (needEvents) {
    // Events only add detail (FailedCreate, image pull errors): an onboarding without the
    // grant, or a throttled read, leaves them out rather than failing the scan.
    eventList = await apis.core
      .listNamespacedEvent({ namespace })
      .then((l) => l.items)
      .catch((err: unknown) => {
        if (toKubeAccessError('list events', err) === undefined) throw err;
        return undefined;
      });
  }
  return { jobs, events: eventList };
}

function statusInput(
  j: RunnerJob,
  events: CoreV1Event[] | undefined,
  now: Date | undefined,
): RunnerJobStatusInput {
  return {
    job: j.job,
    pods: j.pods,
    role: j.role,
    ...(events !== undefined ? { events } : {}),
    ...(now !== undefined ? { now } : {}),
  };
}

const nodeOf = (job: V1Job): string =>
  job.metadata?.annotations?.[ANNOTATION_NODE_NAME] ??
  job.spec?.template.spec?.nodeName ??
  job.metadata?.name ??
  '';

/** Where the scan's runner stands, for the wait loop (`done` once the probe Job ended). */
export async function runnerStatus(input: ScanRef & { readonly now?: Date }): Promise<RunnerScanStatus> {
  const apis = runnerApis(input.apis);
  const { jobs, events } = await readRunnerObjects(apis, input.scanId, input.namespace, 'always');
  const probe = jobs.find((j) => j.role === 'probe');
  return runnerScanStatus({
    probe: probe ? statusInput(probe, events, input.now) : undefined,
    nodeAgents: jobs.filter((j) => j.role === 'node-agent').map((j) => statusInput(j, events, input.now)),
  });
}

/**
 * Deletes the scan's Jobs (with their pods: propagationPolicy Background) and its Secret, by the
 * scan's label selector. Objects of other scans and objects without the labels are not touched.
 */
export async function deleteRunnerObjects(input: ScanRef): Promise<void> {
  const apis = runnerApis(input.apis);
  const { namespace } = input;
  const labelSelector = scanSelector(input.scanId);
  const errors: unknown[] = [];
  await apis.batch
    .deleteCollectionNamespacedJob({ namespace, labelSelector, propagationPolicy: 'Background' })
    .catch((err: unknown) => errors.push(access(`deletecollection jobs in namespace ${namespace}`, err)));
  await apis.core
    .deleteCollectionNamespacedSecret({ namespace, labelSelector })
    .catch((err: unknown) => errors.push(access(`deletecollection secrets in namespace ${namespace}`, err)));
  if (errors.length > 0) throw errors[0];
}

/**
 * One Job's pod log: a node agent still capturing is stopped and followed to the end of its log
 * (read-runner-pod-log.ts), one already terminating is followed, any other pod is read as it is.
 */
async function podLogOf(
  apis: RunnerApis,
  namespace: string,
  j: RunnerJob,
  status: RunnerJobStatus,
  options: { readonly limitBytes: number; readonly marginMs?: number },
): Promise<RunnerPodLog> {
  const jobReason = status.phase === 'succeeded' ? undefined : status.reason;
  const pod = newest(j.pods);
  const follow =
    pod !== undefined &&
    j.role === 'node-agent' &&
    pod.status?.phase === 'Running' &&
    (isCapturing(pod) || isTerminating(pod));
  const read = !pod
    ? { log: undefined, why: `the ${j.role === 'probe' ? 'probe' : 'node agent'} Job has no pod` }
    : follow
      ? await stopAndReadNodeAgentLog(apis, namespace, pod, options)
      : await readPodLog(apis, namespace, pod, options.limitBytes);
  const reason = [jobReason, read.why].filter((r) => r !== undefined).join('; ');
  return { log: read.log, ...(reason !== '' ? { jobReason: reason } : {}) };
}

/** Settles every promise, then rethrows the first failure (so no read is left running unobserved). */
async function allSettledOrThrow<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function collect(
  input: CollectRunnerInput,
  apis: RunnerApis,
): Promise<Omit<CollectedRunner, 'cleanupError'>> {
  const { namespace } = input;
  const maxBytes = input.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  const { jobs, events } = await readRunnerObjects(apis, input.scanId, namespace, 'unless-all-succeeded');
  // One byte over the bound: a log longer than the bound is seen as such and refused, not
  // silently cut into an "incomplete" result.
  const limitBytes = maxBytes + 1;
  const statuses = jobs.map((j) => ({
    job: j.job.metadata?.name ?? '',
    ...runnerJobStatus(statusInput(j, events, input.now)),
  }));
  // In parallel: stopping each capturing node agent waits up to its grace period.
  const options = {
    limitBytes,
    ...(input.nodeAgentStopMarginMs !== undefined ? { marginMs: input.nodeAgentStopMarginMs } : {}),
  };
  const logs = await allSettledOrThrow(
    jobs.map((j, i) => podLogOf(apis, namespace, j, statuses[i] as RunnerJobStatus, options)),
  );
  let probe: RunnerPodLog | undefined;
  const nodeAgents: NodeAgentPodLog[] = [];
  jobs.forEach((j, i) => {
    const log = logs[i] as RunnerPodLog;
    if (j.role === 'probe') probe = log;
    else nodeAgents.push({ ...log, node: nodeOf(j.job) });
  });
  const results = runnerResultsFromLogs({
    ...(probe !== undefined ? { probe } : {}),
    nodeAgents,
    scanId: input.scanId,
    clusterId: input.clusterId,
    key: input.hmacKey,
    maxBytes,
  });
  return { ...results, jobs: statuses };
}

/**
 * Collects the scan's results from its pods' logs, then deletes the scan's Jobs and Secret —
 * whatever happened while collecting. A failure to list the Jobs or pods is thrown (a
 * {@link KubeAccessError}) after the cleanup; a failure to delete is returned as `cleanupError`
 * (the results are good; the sweep removes the leftovers).
 */
export async function collectRunner(input: CollectRunnerInput): Promise<CollectedRunner> {
  const apis = runnerApis(input.apis);
  let collected: Omit<CollectedRunner, 'cleanupError'> | undefined;
  let failure: unknown;
  try {
    collected = await collect(input, apis);
  } catch (err) {
    failure = err;
  }
  let cleanupError: string | undefined;
  try {
    await deleteRunnerObjects({ apis, scanId: input.scanId, namespace: input.namespace });
  } catch (err) {
    cleanupError = err instanceof Error ? err.message : String(err);
  }
  if (collected === undefined) {
    if (failure instanceof KubeAccessError && cleanupError !== undefined)
      failure.message += ` (and deleting the scan's objects failed: ${cleanupError})`;
    throw failure;
  }
  return { ...collected, ...(cleanupError !== undefined ? { cleanupError } : {}) };
}
