/**
 * Collecting one scan's runner, as the state machine's Collect step and the laptop/lab path do
 * it: read the scan's HMAC key back from its Secret, then `collectRunner` (verify the framed
 * results from the pod logs, then delete the scan's objects). Whatever the cluster answers
 * becomes a reason (checks.md "Runner failures"), never an exception: no key (never
 * dispatched, already collected), RBAC refusing a read, the API unreachable. Only what is not a
 * cluster answer (a bug) is thrown.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import { collectRunner, deleteRunnerObjects } from '../collect/collect-runner.js';
import type { CollectedRunner } from '../collect/collect-runner.js';
import { readScanResultKey } from '../dispatch/read-scan-result-key.js';
import { KubeAccessError } from '../errors.js';
import { scanSecretName } from '../manifests/names.js';

export interface CollectScanInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  readonly clusterId: string;
  /** the scanner's namespace (the runner Job settings' `namespace`) */
  readonly namespace: string;
  /** the largest log read per pod @default collectRunner's 16 MiB */
  readonly maxLogBytes?: number;
}

/** What collecting produced, before the results are combined (`combineRunnerResults`). */
export type CollectedScan = Pick<CollectedRunner, 'probe' | 'nodes' | 'failures' | 'jobs' | 'cleanupError'>;

const nothingCollected = (reason: string, cleanupError?: string): CollectedScan => ({
  nodes: [],
  failures: { probe: reason, nodes: [] },
  jobs: [],
  ...(cleanupError !== undefined ? { cleanupError } : {}),
});

/** Deletes the scan's objects; a failure is returned as the reason (the sweep gets them). */
async function cleanUp(apis: RunnerApis, scanId: string, namespace: string): Promise<string | undefined> {
  try {
    await deleteRunnerObjects({ apis, scanId, namespace });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The runner's verified results, or the reasons there are none; the scan's objects are deleted. */
export async function collectScan(input: CollectScanInput): Promise<CollectedScan> {
  const apis = runnerApis(input.apis);
  const { scanId, clusterId, namespace } = input;
  let hmacKey: string | undefined;
  try {
    hmacKey = await readScanResultKey({ apis, scanId, namespace });
  } catch (err) {
    if (!(err instanceof KubeAccessError)) throw err;
    return nothingCollected(
      `the scan's result key could not be read: ${err.message}`,
      await cleanUp(apis, scanId, namespace),
    );
  }
  if (hmacKey === undefined)
    return nothingCollected(
      `the scan's Secret ${namespace}/${scanSecretName(scanId)} holds no result key (never dispatched, or already collected): the runner's results cannot be verified`,
      await cleanUp(apis, scanId, namespace),
    );
  try {
    return await collectRunner({
      apis,
      scanId,
      clusterId,
      hmacKey,
      namespace,
      ...(input.maxLogBytes !== undefined ? { maxLogBytes: input.maxLogBytes } : {}),
    });
  } catch (err) {
    // collectRunner has already tried to delete the scan's objects (its message says if that failed).
    if (!(err instanceof KubeAccessError)) throw err;
    return nothingCollected(`collecting the runner failed: ${err.message}`);
  }
}
