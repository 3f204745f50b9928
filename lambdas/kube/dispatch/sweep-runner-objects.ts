/**
 * The sweep: Jobs and Secrets a scan left behind (a collect that never ran, a failed dispatch)
 * are deleted once older than a bound. Only objects labelled
 * `app.kubernetes.io/managed-by=fleet-dns` are listed, so nothing else in the namespace is ever
 * touched; Jobs go with their pods (propagationPolicy Background).
 */
import type { KubeConfig, V1ObjectMeta } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import { toKubeAccessError } from '../errors.js';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../manifests/names.js';

export interface SweepRunnerObjectsInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly namespace: string;
  /** objects created longer ago than this are deleted (e.g. the Jobs' ttlSecondsAfterFinished) */
  readonly olderThanSeconds: number;
  readonly now: Date;
}

export interface SweptRunnerObjects {
  readonly jobs: readonly string[];
  readonly secrets: readonly string[];
}

const isNotFound = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;

function access(what: string, err: unknown): unknown {
  return toKubeAccessError(what, err) ?? err;
}

/** Deletes fleet-dns's Jobs and Secrets in `namespace` older than the bound; returns their names. */
export async function sweepRunnerObjects(input: SweepRunnerObjectsInput): Promise<SweptRunnerObjects> {
  const apis = runnerApis(input.apis);
  const { namespace } = input;
  const labelSelector = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
  const cutoff = input.now.getTime() - input.olderThanSeconds * 1000;
  const stale = (m: V1ObjectMeta | undefined): boolean => {
    const t = m?.creationTimestamp;
    // Defensive: the selector already holds; an object without a creation time is left alone.
    return m?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY && t !== undefined && new Date(t).getTime() < cutoff;
  };

  const jobs = await apis.batch
    .listNamespacedJob({ namespace, labelSelector })
    .catch((err: unknown) => Promise.reject(access(`list jobs in namespace ${namespace}`, err)));
  const secrets = await apis.core
    .listNamespacedSecret({ namespace, labelSelector })
    .catch((err: unknown) => Promise.reject(access(`list secrets in namespace ${namespace}`, err)));

  const sweptJobs: string[] = [];
  for (const job of jobs.items.filter((j) => stale(j.metadata))) {
    const name = job.metadata?.name ?? '';
    try {
      await apis.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
      sweptJobs.push(name);
    } catch (err) {
      if (!isNotFound(err)) throw access(`delete jobs ${namespace}/${name}`, err);
    }
  }
  const sweptSecrets: string[] = [];
  for (const secret of secrets.items.filter((s) => stale(s.metadata))) {
    const name = secret.metadata?.name ?? '';
    try {
      await apis.core.deleteNamespacedSecret({ name, namespace });
      sweptSecrets.push(name);
    } catch (err) {
      if (!isNotFound(err)) throw access(`delete secrets ${namespace}/${name}`, err);
    }
  }
  return { jobs: sweptJobs, secrets: sweptSecrets };
}
