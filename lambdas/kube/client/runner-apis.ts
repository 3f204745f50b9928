/**
 * The API groups the runner's dispatch, collect and sweep use: core (Secrets, pods, pod logs,
 * events) and batch (Jobs). From {@link createKubeClient} (retries, deadline) or, for the CLI and
 * tests, a kubeconfig (no retries beyond client-node's own).
 */
import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { KubeApis } from './create-kube-client.js';

export type RunnerApis = Pick<KubeApis, 'core' | 'batch'>;

/** The runner's API groups from a client or a loaded kubeconfig. */
export function runnerApis(source: RunnerApis | KubeConfig): RunnerApis {
  if (source instanceof KubeConfig)
    return { core: source.makeApiClient(CoreV1Api), batch: source.makeApiClient(BatchV1Api) };
  return source;
}
