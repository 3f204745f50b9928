/**
 * A scanner namespace on the fake Kubernetes API (TLS, real REST paths) whose Job controller is
 * the `onJobCreated` hook: each Job created gets one pod (the template's labels, owned by the
 * Job, on the Job's node), the pod log the test chose for its role/node, and — unless the test
 * holds it — the Job's `Complete` condition.
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

export async function startRunnerCluster(
  options: { objects?: KubeObject[]; faults?: FaultRule[]; complete?: boolean } = {},
): Promise<RunnerCluster> {
  const logs = new Map<string, string>();
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
        },
        spec: { ...template.spec, nodeName: node ?? NODE_B },
        status: { phase: options.complete === false ? 'Running' : 'Succeeded' },
      });
      const log = logs.get(node ?? 'probe');
      if (log !== undefined) fake.setPodLog(`${ns}/${podName}`, log);
      if (options.complete !== false)
        fake.updateStatus(
          { apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name },
          { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
        );
    },
  });
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
