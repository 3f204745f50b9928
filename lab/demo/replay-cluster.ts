/**
 * A demo cluster whose runner is a replay: the fake Kubernetes API (lab/fake-kube-api) serving
 * a recorded lab cluster's objects, with a Job controller that, for each runner Job the dispatch
 * step creates, makes its pod and logs the recorded result of that role — re-stamped with the
 * Job's scan id and the cluster's id and signed with the key of the scan's Secret, exactly as the
 * runner would sign it — then completes the Job. Dispatch, status, collect (HMAC, scan and
 * cluster checks, correlation) and deletion all run for real; only the DNS probing is recorded.
 */
import { encodeResultFrames, signRunnerResult } from '../../lambdas/core/runner-results/index.js';
import type { RunnerResult } from '../../lambdas/core/schema/index.js';
import { RESULT_KEY_SECRET_KEY, scanSecretName } from '../../lambdas/kube/index.js';
import { startFakeKubeApi } from '../fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../fake-kube-api/index.js';
import type { RecordedRun } from './recorded-runs.js';

/** The labels the dispatch puts on runner objects (lambdas/kube/manifests). */
const SCAN_ID_LABEL = 'fleet-dns.io/scan-id';

/** A replayed cluster: its API (URL, CA, the scanner's token) and a stop. */
export interface ReplayCluster {
  readonly api: FakeKubeApi;
  stop(): Promise<void>;
}

interface JobTemplate {
  template: { metadata: { labels?: Record<string, string> }; spec: { nodeName?: string } };
}

/** The key of the scan's Secret, as the runner reads it from its environment. */
function scanKey(api: FakeKubeApi, namespace: string, scanId: string): string | undefined {
  const secret = api.store
    .all()
    .find(
      (o) =>
        o.kind === 'Secret' &&
        o.metadata.namespace === namespace &&
        o.metadata.name === scanSecretName(scanId),
    ) as (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
  const encoded = secret?.data?.[RESULT_KEY_SECRET_KEY];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8');
  return secret?.stringData?.[RESULT_KEY_SECRET_KEY];
}

/**
 * Starts the replayed cluster `clusterId` from `run`, with the scanner's namespace `namespace`.
 * A Job whose role has no recording (a node without a recorded agent) gets a pod that fails, as
 * a runner that could not report would.
 */
export async function startReplayCluster(
  run: RecordedRun,
  clusterId: string,
  namespace = 'fleet-dns',
): Promise<ReplayCluster> {
  const hasNamespace = run.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  const api = await startFakeKubeApi({
    objects: [
      ...(hasNamespace ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]),
      ...run.objects,
    ],
    onJobCreated: (job, fake) => {
      const ns = job.metadata.namespace ?? '';
      const name = job.metadata.name ?? '';
      const { template } = job.spec as JobTemplate;
      const scanId = job.metadata.labels?.[SCAN_ID_LABEL] ?? template.metadata.labels?.[SCAN_ID_LABEL] ?? '';
      const node = template.spec.nodeName;
      const recorded =
        node === undefined
          ? run.probe
          : run.nodes.find((n) => (n as { nodeName?: string }).nodeName === node);
      const key = scanKey(fake, ns, scanId);
      const podName = `${name}-r3pl4`;
      const ok = recorded !== undefined && key !== undefined;
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
        spec: {
          ...template.spec,
          nodeName: node ?? run.pods.find((p) => p.name.includes('probe'))?.node ?? '',
        },
        status: { phase: ok ? 'Succeeded' : 'Failed' },
      });
      if (ok) {
        const document = signRunnerResult({ ...(recorded as RunnerResult), scanId, clusterId }, key);
        fake.setPodLog(
          `${ns}/${podName}`,
          ['fleet-dns runner (replayed from a recorded lab run)', ...encodeResultFrames(document), ''].join(
            '\n',
          ),
        );
      }
      fake.updateStatus(
        { apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name },
        ok
          ? { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
          : { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
      );
    },
  });
  return { api, stop: () => api.stop() };
}
