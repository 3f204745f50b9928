/**
 * A scanner namespace on the fake Kubernetes API (TLS, real REST paths) whose Job controller is
 * the `onJobCreated` hook: each Job created gets one pod (the template's labels, owned by the
 * Job, on the Job's node), the pod log the test chose for its role/node, and — unless the test
 * holds it — the Job's `Complete` condition.
 *
 * With `nodeAgents: 'capturing'` the node agents behave as in a real cluster once the probe is
 * done: their pods are Running, carry the Job controller's `batch.kubernetes.io/job-tracking`
 * finalizer and have logged no result yet. The fake "kubelet" reacts to a pod getting a
 * deletionTimestamp as the runner does to SIGTERM: it appends the node's result frames to the
 * log, marks the log ended (the container exited 0), and the fake "Job controller" counts the
 * pod and removes the finalizer, so the pod goes. A node in `silentNodes` never reports (its log
 * never ends); its finalizer goes only with its Job, as the Job controller does for a deleted Job.
 */
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, FaultRule, KubeObject, RequestLog } from '../../../../lab/fake-kube-api/index.js';
import { createKubeClient } from '../../../../lambdas/kube/index.js';
import type { KubeApis } from '../../../../lambdas/kube/index.js';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { encodeResultFrames, signRunnerResult } from '../../../../lambdas/core/runner-results/index.js';
import { RUNNER_RESULT_FORMAT } from '../../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../../lambdas/core/schema/index.js';
import { recordingClock } from '../../../support/recording-clock.js';

export const NS = 'fleet-dns';
export const KEY = 'per-scan-key-0123456789abcdef';
export const SCAN = 'scan-7';
export const CLUSTER = '111122223333:eu-west-1:prod-a';
export const NODE_A = 'ip-10-0-1-5.eu-west-1.compute.internal';
export const NODE_B = 'ip-10-0-2-9.eu-west-1.compute.internal';
export const SETTINGS = { image: 'example.invalid/fleet-dns-runner:1.0.0', namespace: NS };

export const CORE_DNS_PODS = [
  {
    name: 'coredns-a',
    nodeName: NODE_A,
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
  },
  {
    name: 'coredns-b',
    nodeName: NODE_B,
    tolerations: [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'dedicated', operator: 'Equal', value: 'dns', effect: 'NoSchedule' },
    ],
  },
  // a second CoreDNS pod on node A: still one node agent there
  { name: 'coredns-c', nodeName: NODE_A, tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] },
  // not scheduled yet: no node agent
  { name: 'coredns-d' },
];

/** CORE_DNS_PODS as the API serves them: kube-dns pods in kube-system (for `readCoreDnsPlacement`). */
export const corednsPodObjects = (): KubeObject[] =>
  CORE_DNS_PODS.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
      ...(p.tolerations ? { tolerations: p.tolerations } : {}),
      containers: [{ name: 'coredns', image: 'coredns:1.11' }],
    },
    status: { phase: p.nodeName ? 'Running' : 'Pending' },
  }));

/** A probe's result document, unsigned (tests that sign with another key, or not at all, start here). */
export const probeDocument = (over: Partial<RunnerResult> = {}): RunnerResult => ({
  format: RUNNER_RESULT_FORMAT,
  role: 'probe',
  scanId: SCAN,
  clusterId: CLUSTER,
  startedAt: '2026-03-01T10:00:00.000Z',
  finishedAt: '2026-03-01T10:00:40.000Z',
  checks: [makeResult('DNS-INTERNAL', { status: 'PASS', evidence: { answers: ['10.100.0.1'] } })],
  observations: { queries: [] },
  ...over,
});
/** A node agent's result document, unsigned. */
export const nodeDocument = (node: string, over: Partial<RunnerResult> = {}): RunnerResult =>
  probeDocument({
    role: 'node',
    nodeName: node,
    checks: [makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } })],
    observations: { capture: { where: node, packets: [] } },
    ...over,
  });

export const probeResult = (over: Partial<RunnerResult> = {}): RunnerResult =>
  signRunnerResult(probeDocument(over), KEY);
export const nodeResult = (node: string, over: Partial<RunnerResult> = {}): RunnerResult =>
  signRunnerResult(nodeDocument(node, over), KEY);

/** A pod log as the runner writes it: its own lines, then the framed, signed result. */
export const podLog = (document: unknown): string =>
  ['fleet-dns runner starting', ...encodeResultFrames(document, { chunkChars: 64 }), ''].join('\n');

export interface RunnerCluster {
  readonly api: FakeKubeApi;
  readonly apis: KubeApis;
  readonly clock: ReturnType<typeof recordingClock>;
  /** pod logs by `probe` or node name, used when the Job's pod is made */
  readonly logs: Map<string, string>;
  /** the requests made since `mark()` */
  since(): RequestLog[];
  mark(): void;
  /** the scan-labelled objects of the namespace, as `Kind/name` */
  scanObjects(scanId?: string): string[];
  stop(): Promise<void>;
}

/** The finalizer the Job controller puts on the pods it tracks. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** What a capturing node agent has logged before it is stopped. */
export const CAPTURING_LOG = 'fleet-dns node agent: capturing port 53 until SIGTERM\n';

export interface RunnerClusterOptions {
  objects?: KubeObject[];
  faults?: FaultRule[];
  /** the Jobs complete (pods Succeeded) as soon as they are created; false: every pod stays Running @default true */
  complete?: boolean;
  /**
   * `succeeded`: node-agent pods as `complete` says; `capturing`: Running, with the job-tracking
   * finalizer, reporting when their pod is deleted (the probe still completes) @default 'succeeded'
   */
  nodeAgents?: 'succeeded' | 'capturing';
  /** capturing node agents that never report nor end their log */
  silentNodes?: readonly string[];
  /** the node-agent pods' terminationGracePeriodSeconds @default the Job template's */
  terminationGracePeriodSeconds?: number;
  /**
   * The pod log of a Job's pod, made when the Job is created (as a runner would: from the scan's
   * labels and its Secret) — for scans whose id and key the test does not choose. `role` is
   * `probe` or the node name. @default the `logs` map
   */
  logOf?: (role: string, job: KubeObject, api: FakeKubeApi) => string | undefined;
}

export async function startRunnerCluster(options: RunnerClusterOptions = {}): Promise<RunnerCluster> {
  const logs = new Map<string, string>();
  const capturing = options.nodeAgents === 'capturing';
  const api = await startFakeKubeApi({
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...(options.objects ?? [])],
    ...(options.faults ? { faults: options.faults } : {}),
    onJobCreated: (job, fake) => {
      const ns = job.metadata.namespace ?? '';
      const name = job.metadata.name ?? '';
      const template = (
        job.spec as {
          template: {
            metadata: { labels: Record<string, string> };
            spec: { nodeName?: string; containers: unknown[] };
          };
        }
      ).template;
      const node = template.spec.nodeName;
      const podName = `${name}-x7k2p`;
      const stopsOnSigterm = capturing && node !== undefined;
      fake.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: { ...template.metadata.labels, 'batch.kubernetes.io/job-name': name },
          ownerReferences: [
            { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid ?? '', controller: true },
          ],
          ...(stopsOnSigterm ? { finalizers: [JOB_TRACKING_FINALIZER] } : {}),
        },
        spec: {
          ...template.spec,
          nodeName: node ?? NODE_B,
          ...(stopsOnSigterm && options.terminationGracePeriodSeconds !== undefined
            ? { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }
            : {}),
        },
        status: { phase: options.complete === false || stopsOnSigterm ? 'Running' : 'Succeeded' },
      });
      const log = stopsOnSigterm
        ? CAPTURING_LOG
        : (options.logOf?.(node ?? 'probe', job, fake) ?? logs.get(node ?? 'probe'));
      if (log !== undefined) fake.setPodLog(`${ns}/${podName}`, log);
      if (options.complete !== false && !stopsOnSigterm) completeJob(fake, ns, name);
    },
  });
  if (capturing) playKubeletAndJobController(api, logs, new Set(options.silentNodes ?? []));
  const clock = recordingClock();
  const apis = createKubeClient({
    server: api.url,
    caData: Buffer.from(api.caPem, 'utf8').toString('base64'),
    token: api.token,
    retry: { clock },
  });
  let from = 0;
  return {
    api,
    apis,
    clock,
    logs,
    mark: () => void (from = api.requests.length),
    since: () => api.requests.slice(from),
    scanObjects: (scanId = SCAN) =>
      api.store
        .all()
        .filter((o) => o.metadata.namespace === NS && o.metadata.labels?.['fleet-dns.io/scan-id'] === scanId)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    stop: () => api.stop(),
  };
}

function completeJob(fake: FakeKubeApi, namespace: string, name: string): void {
  fake.updateStatus(
    { apiVersion: 'batch/v1', kind: 'Job', namespace, name },
    { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
  );
}

/**
 * The kubelet and Job controller for capturing node agents: a pod that gets a deletionTimestamp
 * is sent SIGTERM — its node's result is appended to its log, the log ends, the pod Succeeds, the
 * Job completes, and the job-tracking finalizer goes (so the pod goes). A deleted Job's pods lose
 * the finalizer too. `silentNodes` ignore SIGTERM.
 */
function playKubeletAndJobController(
  api: FakeKubeApi,
  logs: ReadonlyMap<string, string>,
  silentNodes: ReadonlySet<string>,
): void {
  api.store.subscribe((event) => {
    const obj = event.object;
    const namespace = obj.metadata.namespace ?? '';
    if (event.type === 'DELETED' && obj.kind === 'Job') {
      // After the delete request's own changes (the garbage collector marks the pods first).
      queueMicrotask(() => {
        for (const pod of api.store.list(api.store.resourceFor('v1', 'Pod'), { namespace }))
          if (
            pod.metadata.ownerReferences?.some((o) => o.uid === obj.metadata.uid) &&
            pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)
          )
            api.removeFinalizer(podRef(namespace, pod.metadata.name ?? ''), JOB_TRACKING_FINALIZER);
      });
      return;
    }
    const sigterm =
      event.type === 'MODIFIED' &&
      obj.kind === 'Pod' &&
      obj.metadata.deletionTimestamp !== undefined &&
      event.previous?.metadata.deletionTimestamp === undefined;
    if (!sigterm) return;
    const node = (obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    if (silentNodes.has(node)) return;
    // The container handles SIGTERM on its own time, after the delete was answered.
    setImmediate(() => {
      const name = obj.metadata.name ?? '';
      try {
        const report = logs.get(node);
        if (report !== undefined) api.appendPodLog(`${namespace}/${name}`, report);
        api.endPodLog(`${namespace}/${name}`);
        if (api.store.get(podRef(namespace, name)) === undefined) return;
        api.updateStatus(podRef(namespace, name), { phase: 'Succeeded' });
        const job = obj.metadata.ownerReferences?.find((o) => o.kind === 'Job')?.name;
        if (job !== undefined && api.store.get({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: job }))
          completeJob(api, namespace, job);
        api.removeFinalizer(podRef(namespace, name), JOB_TRACKING_FINALIZER);
      } catch (error) {
        api.hookErrors.push(error);
      }
    });
  });
}

const podRef = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', namespace, name });

/** Requests as `METHOD resource` counts, e.g. `{ 'POST jobs': 3 }`. */
export function requestCounts(requests: readonly RequestLog[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const m = /\/namespaces\/[^/]+\/([^/]+)(?:\/[^/]+)?(\/log)?$/.exec(r.path);
    const what = m ? `${m[1]}${m[2] ?? ''}` : r.path;
    const verb =
      r.method === 'DELETE' && /\/(jobs|secrets|pods)$/.test(r.path) ? 'DELETECOLLECTION' : r.method;
    const key = `${verb} ${what}${r.status >= 400 ? ` → ${r.status}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
