/**
 * Dispatching the in-cluster runner (design.md § The in-cluster runner): the scan's Secret, one
 * node-agent Job per node that hosts CoreDNS, then the probe Job — in the scanner's namespace,
 * labelled with the scan (conventions.md § Kubernetes).
 *
 * Idempotent, so a Step Functions retry of the dispatch is harmless: on 409 Conflict the object
 * is read back and the parts that matter are compared (labels; the Secret's type and data; the
 * Job's pod template) — the same → counted as already there, different → a
 * {@link RunnerDispatchError} naming the object and the first difference. Fields the API server
 * fills in (defaults, status, uid) are ignored: what we sent must be contained in what is there.
 * A 401/403/timeout is a {@link KubeAccessError} naming the verb and resource
 * (`create jobs in namespace fleet-dns: HTTP 403: …`).
 */
import type { KubeConfig, V1Job, V1Secret, V1Toleration } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import { KubeAdapterError, toKubeAccessError } from '../errors.js';
import { firstDifference } from '../first-difference.js';
import { buildNodeAgentJob, buildProbeJob } from '../manifests/jobs.js';
import { scanLabels } from '../manifests/names.js';
import { buildScanSecret } from '../manifests/secret.js';
import { parseRunnerJobSettings } from '../manifests/settings.js';
import type { RunnerJobSettingsInput } from '../manifests/settings.js';

/** A CoreDNS pod as the facts read it: where it runs and what it tolerates. */
export interface CoreDnsPodPlacement {
  readonly name: string;
  /** unset for a pod not scheduled yet: it gets no node agent */
  readonly nodeName?: string;
  readonly tolerations?: readonly V1Toleration[];
}

export interface DispatchRunnerInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  /** `<accountId>:<region>:<clusterName>` */
  readonly clusterId: string;
  readonly corednsPods: readonly CoreDnsPodPlacement[];
  readonly settings: RunnerJobSettingsInput;
  /** the per-scan HMAC key (≥ 16 bytes) */
  readonly hmacKey: string;
}

export interface DispatchedRunner {
  readonly namespace: string;
  readonly secretName: string;
  readonly probeJobName: string;
  readonly nodeAgentJobs: readonly { readonly node: string; readonly jobName: string }[];
  /** selects every object of the scan (Secret, Jobs, pods) */
  readonly labelSelector: string;
  /** `Kind/name` of the objects this call created */
  readonly created: readonly string[];
  /** `Kind/name` of the objects that were already there, identical (an earlier dispatch) */
  readonly existing: readonly string[];
}

/** An object of the scan exists and is not the one this dispatch would create. */
export class RunnerDispatchError extends KubeAdapterError {
  override readonly name = 'RunnerDispatchError';
}

/** `k1=v1,k2=v2` */
export function labelSelectorOf(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The scan's label selector: every object of the scan. */
export function scanSelector(scanId: string): string {
  return labelSelectorOf(scanLabels(scanId));
}

const accessOrSelf = (what: string, err: unknown): unknown => toKubeAccessError(what, err) ?? err;

const isConflict = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 409;

interface Created {
  readonly created: boolean;
}

/** Creates, or on 409 reads back and compares; throws on a different object. */
async function createOrMatch<T>(
  kind: string,
  resource: string,
  namespace: string,
  name: string,
  create: () => Promise<unknown>,
  read: () => Promise<T>,
  matters: (o: T) => unknown,
  wanted: unknown,
): Promise<Created> {
  try {
    await create();
    return { created: true };
  } catch (err) {
    if (!isConflict(err)) throw accessOrSelf(`create ${resource} in namespace ${namespace}`, err);
  }
  let existing: T;
  try {
    existing = await read();
  } catch (err) {
    throw accessOrSelf(`get ${resource} ${namespace}/${name}`, err);
  }
  const diff = firstDifference(wanted, matters(existing));
  if (diff !== undefined)
    throw new RunnerDispatchError(
      `${kind} ${namespace}/${name} already exists and differs from this scan's (at ${diff}); ` +
        'an earlier scan with the same id left it, or someone changed it — delete it or use a new scan id',
    );
  return { created: false };
}

const secretParts = (s: V1Secret) => ({ labels: s.metadata?.labels, type: s.type, data: s.data });
const jobParts = (j: V1Job) => ({
  labels: j.metadata?.labels,
  template: { metadata: { labels: j.spec?.template.metadata?.labels }, spec: j.spec?.template.spec },
});

/** The nodes hosting CoreDNS, sorted, each with the union of its CoreDNS pods' tolerations. */
function coreDnsNodes(pods: readonly CoreDnsPodPlacement[]): Map<string, V1Toleration[]> {
  const nodes = new Map<string, V1Toleration[]>();
  for (const pod of [...pods].sort((a, b) => a.name.localeCompare(b.name))) {
    if (pod.nodeName === undefined || pod.nodeName === '') continue;
    const list = nodes.get(pod.nodeName) ?? [];
    for (const t of pod.tolerations ?? [])
      if (!list.some((u) => JSON.stringify(u) === JSON.stringify(t))) list.push(t);
    nodes.set(pod.nodeName, list);
  }
  return new Map([...nodes].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Creates the scan's Secret, a node-agent Job per node hosting CoreDNS, and the probe Job.
 * Manifests are built (and validated) before the first request. On a failure part-way, what
 * was created stays: `deleteRunnerObjects` or the sweep removes it.
 */
export async function dispatchRunner(input: DispatchRunnerInput): Promise<DispatchedRunner> {
  const apis = runnerApis(input.apis);
  const { namespace } = parseRunnerJobSettings(input.settings);
  const secret = buildScanSecret({ scanId: input.scanId, namespace, hmacKey: input.hmacKey });
  const nodeJobs = [...coreDnsNodes(input.corednsPods)].map(([node, tolerations]) => ({
    node,
    job: buildNodeAgentJob({
      scanId: input.scanId,
      clusterId: input.clusterId,
      settings: input.settings,
      nodeName: node,
      coreDnsTolerations: tolerations,
    }),
  }));
  const probe = buildProbeJob({ scanId: input.scanId, clusterId: input.clusterId, settings: input.settings });

  const created: string[] = [];
  const existing: string[] = [];
  const note = (id: string, r: Created) => (r.created ? created : existing).push(id);

  const secretName = secret.metadata?.name ?? '';
  note(
    `Secret/${secretName}`,
    await createOrMatch(
      'Secret',
      'secrets',
      namespace,
      secretName,
      () => apis.core.createNamespacedSecret({ namespace, body: secret }),
      () => apis.core.readNamespacedSecret({ name: secretName, namespace }),
      secretParts,
      secretParts(secret),
    ),
  );
  for (const job of [...nodeJobs.map((n) => n.job), probe]) {
    const name = job.metadata?.name ?? '';
    note(
      `Job/${name}`,
      await createOrMatch(
        'Job',
        'jobs',
        namespace,
        name,
        () => apis.batch.createNamespacedJob({ namespace, body: job }),
        () => apis.batch.readNamespacedJob({ name, namespace }),
        jobParts,
        jobParts(job),
      ),
    );
  }
  return {
    namespace,
    secretName,
    probeJobName: probe.metadata?.name ?? '',
    nodeAgentJobs: nodeJobs.map(({ node, job }) => ({ node, jobName: job.metadata?.name ?? '' })),
    labelSelector: scanSelector(input.scanId),
    created,
    existing,
  };
}
