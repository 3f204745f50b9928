/**
 * Lambda: where the in-cluster runner of one cluster stands (the state machine's wait-loop
 * step, between "Dispatch" and "Collect"). Reads the scan's Jobs, pods and events with
 * lambdas/kube `runnerStatus` and answers `done` once the probe Job ended (the node agents
 * capture until the collector stops them), with the probe's and each node agent's phase and
 * reason — Kubernetes' words for what holds a pod up.
 *
 * A 401/403 is not a crash: the cluster will not let the scanner read its runner, so waiting
 * longer changes nothing. The answer is `done: true` with the probe `failed` and the access
 * reason (with the fix), and the state machine moves on to collect, which reports the ERRORs.
 * Other failures to reach the cluster (timeouts, 5xx after the retries) are thrown, so the state
 * machine's Retry/Catch decides. Reads only: calling it again is always safe.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { z } from 'zod';
import { parseClusterId } from '../core/results/index.js';
import { describeAccessFailure, KubeAccessError, runnerStatus } from '../kube/index.js';
import type { RunnerJobStatus, RunnerScanStatus } from '../kube/index.js';
import type { RunnerHandlerConfig } from './config.js';
import { connectToCluster } from './cluster-connection.js';
import type { ClusterConnectionDeps } from './cluster-connection.js';
import { withRunnerMiddleware } from './middleware.js';
import { lazyEntryPoint, realRunnerDeps } from './runner-entry-point.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import { scanClusterSchema } from './scan-payload.js';

/** The wait-loop step's payload: the scan and the cluster (extra fields of the state are ignored). */
export const runnerStatusEventSchema = scanClusterSchema;
export type RunnerStatusEvent = z.infer<typeof runnerStatusEventSchema>;

/** What the wait-loop step answers. */
export interface RunnerStatusOutput {
  readonly scanId: string;
  readonly clusterId: string;
  /** the probe Job ended (or the runner cannot be read at all): collect now */
  readonly done: boolean;
  /** running, succeeded, failed or timed-out, with why */
  readonly probe: RunnerJobStatus;
  /** each node agent's phase, reason and node */
  readonly nodeAgents: readonly RunnerJobStatus[];
}

export interface RunnerStatusDeps extends Powertools, ClusterConnectionDeps {
  readonly config: RunnerHandlerConfig;
  /** the time of the reading (runnerJobStatus's not-Ready bound) @default now */
  readonly now?: () => Date;
}

/** The runner's status, or — on a 401/403 — the status that sends the state machine on to collect. */
async function readStatus(
  deps: RunnerStatusDeps,
  event: RunnerStatusEvent,
): Promise<RunnerScanStatus & { readonly denied?: boolean }> {
  const apis = await connectToCluster(deps, event.clusterId, event.cluster, deps.config.kubeRequestTimeoutMs);
  try {
    return await runnerStatus({
      apis,
      scanId: event.scanId,
      namespace: deps.config.runner.namespace,
      ...(deps.now ? { now: deps.now() } : {}),
    });
  } catch (err) {
    if (!(err instanceof KubeAccessError) || (err.failure !== 'unauthorized' && err.failure !== 'forbidden'))
      throw err;
    const reason = describeAccessFailure(err, { clusterName: parseClusterId(event.clusterId).name });
    return { done: true, probe: { phase: 'failed', reason }, nodeAgents: [], denied: true };
  }
}

/** The status handler over `deps` (tests inject the client factory, token provider, logger). */
export function createRunnerStatusHandler(deps: RunnerStatusDeps): RunnerLambda<RunnerStatusOutput> {
  const { logger, metrics } = deps;
  return withRunnerMiddleware('runner-status', runnerStatusEventSchema, deps, async (event) => {
    const { denied, ...status } = await readStatus(deps, event);
    metrics.addMetric('RunnerStatusDenied', MetricUnit.Count, denied ? 1 : 0);
    (denied ? logger.warn.bind(logger) : logger.info.bind(logger))('runner status', {
      done: status.done,
      probe: status.probe,
      nodeAgents: status.nodeAgents.map((n) => ({ node: n.node, phase: n.phase })),
    });
    return {
      scanId: event.scanId,
      clusterId: event.clusterId,
      done: status.done,
      probe: status.probe,
      nodeAgents: status.nodeAgents,
    };
  });
}

/** The function's entry point, wired to the real adapters ({@link realRunnerDeps}). */
export const handler: RunnerLambda<RunnerStatusOutput> = lazyEntryPoint(() =>
  createRunnerStatusHandler(realRunnerDeps('fleet-dns-runner-status')),
);
