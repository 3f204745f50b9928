/**
 * Reading back the per-scan HMAC key from the scan's Secret (design.md § The in-cluster runner).
 * The key lives only in the cluster: the dispatch reuses it on a retry (so the Secret it creates
 * again is identical and the 409 compare holds), and the collector reads it to verify the
 * runner's signed results — nothing secret travels in the Step Functions state.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import { toKubeAccessError } from '../errors.js';
import { scanSecretName } from '../manifests/names.js';
import { RESULT_KEY_SECRET_KEY } from '../manifests/secret.js';

export interface ReadScanResultKeyInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  /** the scanner's namespace */
  readonly namespace: string;
}

const isNotFound = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;

/**
 * The scan's HMAC key (`data.result-key` of the Secret named `scanSecretName(scanId)`), or
 * undefined when the Secret or the key is not there (not dispatched yet, or already collected).
 * A 401/403/timeout is a `KubeAccessError` naming `get secrets <ns>/<name>`.
 */
export async function readScanResultKey(input: ReadScanResultKeyInput): Promise<string | undefined> {
  const apis = runnerApis(input.apis);
  const name = scanSecretName(input.scanId);
  try {
    const secret = await apis.core.readNamespacedSecret({ name, namespace: input.namespace });
    const data = secret.data?.[RESULT_KEY_SECRET_KEY];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toKubeAccessError(`get secrets ${input.namespace}/${name}`, err) ?? err;
  }
}
