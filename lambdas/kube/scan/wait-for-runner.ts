/**
 * The wait loop of the laptop and lab path (the state machine has its own: a Wait state and the
 * runner-status Lambda): read where the scan's runner stands until the probe Job ended, the
 * deadline passed, or the API refused to say.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { RunnerApis } from '../client/runner-apis.js';
import { runnerStatus } from '../collect/collect-runner.js';
import type { RunnerScanStatus } from '../dispatch/runner-job-status.js';
import { KubeAccessError } from '../errors.js';

export interface WaitForRunnerInput {
  readonly apis: RunnerApis | KubeConfig;
  readonly scanId: string;
  readonly namespace: string;
  /** give up waiting after this long (the collect deadline) */
  readonly timeoutMs: number;
  /** @default 1000 */
  readonly pollMs?: number;
  /** stops the wait early (the caller collects what there is) */
  readonly signal?: AbortSignal;
  /**
   * Stop waiting once the probe pod has been stuck this long in a state only a person can fix —
   * Pending on an image pull error, unschedulable, or its container config refused — rather than
   * until the Job's deadline. @default undefined: wait for the deadline (a cluster autoscaler
   * may still make room; a registry may come back)
   */
  readonly stuckAfterMs?: number;
}

export interface RunnerWait {
  /** the last status read (undefined when none could be read) */
  readonly status?: RunnerScanStatus;
  /** why the wait ended before the probe Job did: the deadline, an abort, or the API's refusal */
  readonly stoppedBecause?: string;
  readonly polls: number;
}

/** A probe that will not start without someone's help (runnerJobStatus's reason for it). */
const STUCK =
  /pod Pending: (ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|Unschedulable|CreateContainerConfigError)\b/;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Polls `runnerStatus` until `done`. Never throws for an API answer: a 401/403/unreachable API
 * ends the wait with `stoppedBecause` (collecting then reports what it can, as ERRORs).
 */
export async function waitForRunner(input: WaitForRunnerInput): Promise<RunnerWait> {
  const deadline = Date.now() + input.timeoutMs;
  const pollMs = input.pollMs ?? 1000;
  let status: RunnerScanStatus | undefined;
  let polls = 0;
  let stuckSince: { reason: string; atMs: number } | undefined;
  for (;;) {
    try {
      polls += 1;
      status = await runnerStatus({ apis: input.apis, scanId: input.scanId, namespace: input.namespace });
    } catch (err) {
      if (!(err instanceof KubeAccessError)) throw err;
      return {
        ...(status ? { status } : {}),
        stoppedBecause: `reading the runner's status failed: ${err.message}`,
        polls,
      };
    }
    if (status.done) return { status, polls };
    const stuck = status.probe.reason !== undefined && STUCK.test(status.probe.reason);
    stuckSince = stuck ? (stuckSince ?? { reason: status.probe.reason ?? '', atMs: Date.now() }) : undefined;
    if (stuckSince && input.stuckAfterMs !== undefined && Date.now() - stuckSince.atMs >= input.stuckAfterMs)
      return {
        status,
        stoppedBecause: `the probe could not start for ${Math.round((Date.now() - stuckSince.atMs) / 1000)} s: ${status.probe.reason ?? ''}`,
        polls,
      };
    if (input.signal?.aborted) return { status, stoppedBecause: 'the wait was cancelled', polls };
    if (Date.now() + pollMs > deadline)
      return {
        status,
        stoppedBecause: `the probe Job had not ended after ${Math.round(input.timeoutMs / 1000)} s`,
        polls,
      };
    await sleep(pollMs, input.signal);
  }
}
