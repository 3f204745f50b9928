/**
 * One scan's in-cluster runner from start to end, in one process (the laptop's `scan` and the
 * lab): where CoreDNS runs → dispatch (Secret + Jobs) → wait until the probe Job ended → collect
 * the signed results from the pod logs (and delete the scan's objects). The state machine runs
 * the same three steps as separate Lambdas (lambdas/handlers).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { runnerApis } from '../client/runner-apis.js';
import type { RunnerApis } from '../client/runner-apis.js';
import type { CoreDnsPodPlacement } from '../dispatch/dispatch-runner.js';
import { parseRunnerJobSettings } from '../manifests/settings.js';
import type { RunnerJobSettingsInput } from '../manifests/settings.js';
import { collectScan } from './collect-scan.js';
import type { CollectedScan } from './collect-scan.js';
import { readCoreDnsPlacement } from './coredns-placement.js';
import { dispatchScan } from './dispatch-scan.js';
import type { DispatchedScan } from './dispatch-scan.js';
import { waitForRunner } from './wait-for-runner.js';
import type { RunnerWait } from './wait-for-runner.js';

export interface RunRunnerScanInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  readonly clusterId: string;
  readonly settings: RunnerJobSettingsInput;
  /** @default read from the cluster (`readCoreDnsPlacement`) */
  readonly corednsPods?: readonly CoreDnsPodPlacement[];
  /** status polls while waiting @default 1000 */
  readonly pollMs?: number;
  /** @default collectRunner's */
  readonly maxLogBytes?: number;
  /** see `waitForRunner` @default wait for the Job's deadline */
  readonly stuckAfterMs?: number;
  readonly signal?: AbortSignal;
  /** a new per-scan HMAC key @default 32 random bytes */
  readonly newHmacKey?: () => string;
}

export interface RunnerScan extends CollectedScan {
  readonly dispatched: DispatchedScan;
  readonly wait: RunnerWait;
  /** milliseconds from the first dispatch request to the probe Job's end, and to collected */
  readonly timings: { readonly dispatchedMs: number; readonly doneMs: number; readonly collectedMs: number };
}

/**
 * Dispatches, waits (up to the settings' `collectDeadlineSeconds`) and collects. Dispatch
 * failures are thrown (nothing ran: the caller reports the cluster as not scanned); once the Jobs
 * exist, everything becomes the collected results or their failure reasons, and the scan's
 * objects are deleted.
 */
export async function runRunnerScan(input: RunRunnerScanInput): Promise<RunnerScan> {
  const apis = runnerApis(input.apis);
  const settings = parseRunnerJobSettings(input.settings);
  const started = Date.now();
  const corednsPods = input.corednsPods ?? (await readCoreDnsPlacement({ apis }));
  const dispatched = await dispatchScan({
    apis,
    scanId: input.scanId,
    clusterId: input.clusterId,
    corednsPods,
    settings: input.settings,
    ...(input.newHmacKey ? { newHmacKey: input.newHmacKey } : {}),
  });
  const dispatchedMs = Date.now() - started;
  const wait = await waitForRunner({
    apis,
    scanId: input.scanId,
    namespace: settings.namespace,
    timeoutMs: settings.collectDeadlineSeconds * 1000,
    ...(input.pollMs !== undefined ? { pollMs: input.pollMs } : {}),
    ...(input.stuckAfterMs !== undefined ? { stuckAfterMs: input.stuckAfterMs } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const doneMs = Date.now() - started;
  const collected = await collectScan({
    apis,
    scanId: input.scanId,
    clusterId: input.clusterId,
    namespace: settings.namespace,
    ...(input.maxLogBytes !== undefined ? { maxLogBytes: input.maxLogBytes } : {}),
  });
  return {
    ...collected,
    dispatched,
    wait,
    timings: { dispatchedMs, doneMs, collectedMs: Date.now() - started },
  };
}
