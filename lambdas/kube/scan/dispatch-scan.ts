/**
 * Dispatching one scan's runner, as the state machine's Dispatch step and the laptop/lab path do
 * it: the per-scan HMAC key (a new random one, or the one the scan's Secret already holds when
 * the dispatch is retried — so the objects it would create again are identical and
 * `dispatchRunner`'s 409 compare finds them the same), then the Secret and the Jobs.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RunnerApis } from '../client/runner-apis.js';
import { runnerApis } from '../client/runner-apis.js';
import { dispatchRunner } from '../dispatch/dispatch-runner.js';
import type { CoreDnsPodPlacement, DispatchedRunner } from '../dispatch/dispatch-runner.js';
import { readScanResultKey } from '../dispatch/read-scan-result-key.js';
import { parseRunnerJobSettings } from '../manifests/settings.js';
import type { RunnerJobSettingsInput } from '../manifests/settings.js';

export interface DispatchScanInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  /** `<accountId>:<region>:<clusterName>` */
  readonly clusterId: string;
  /** where CoreDNS runs (`readCoreDnsPlacement`, or the state machine's facts) */
  readonly corednsPods: readonly CoreDnsPodPlacement[];
  readonly settings: RunnerJobSettingsInput;
  /** a new per-scan HMAC key @default 32 random bytes as hex */
  readonly newHmacKey?: () => string;
}

export interface DispatchedScan extends DispatchedRunner {
  /** the key came from the scan's existing Secret (a retried dispatch) */
  readonly keyReused: boolean;
}

const randomHmacKey = (): string => randomBytes(32).toString('hex');

/**
 * Creates the scan's Secret and Jobs, reusing the key of an earlier dispatch of the same scan.
 * Throws what `dispatchRunner` throws (KubeAccessError, RunnerDispatchError, ManifestError).
 */
export async function dispatchScan(input: DispatchScanInput): Promise<DispatchedScan> {
  const apis = runnerApis(input.apis);
  const { namespace } = parseRunnerJobSettings(input.settings);
  const existingKey = await readScanResultKey({ apis, scanId: input.scanId, namespace });
  const hmacKey = existingKey ?? (input.newHmacKey ?? randomHmacKey)();
  const dispatched = await dispatchRunner({
    apis,
    scanId: input.scanId,
    clusterId: input.clusterId,
    corednsPods: input.corednsPods,
    settings: input.settings,
    hmacKey,
  });
  return { ...dispatched, keyReused: existingKey !== undefined };
}
