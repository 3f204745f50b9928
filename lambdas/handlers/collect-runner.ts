/**
 * Lambda: collect the in-cluster runner of one cluster for one scan (the state machine's
 * "Collect" step). Reads the scan's HMAC key back from the cluster's Secret, reads and verifies
 * the runner's signed results from its pods' logs with lambdas/kube `collectRunner` (which then
 * deletes the scan's objects), and answers the cluster's in-cluster check results —
 * `combineRunnerResults`, schema-valid CheckResults.
 *
 * A runner that gave no usable result is not an error of this function: its checks are ERROR
 * with the reason (checks.md, "Runner failures") — no probe frame in the log, a tampered frame,
 * the Secret already gone, RBAC refusing a read. Only an invalid payload (HandlerInputError),
 * a token that cannot be made, or a bug throws, so the state machine records it. Collecting
 * again after a successful collect finds the Secret gone and answers ERRORs saying so; the
 * results of the first collect are the ones the state machine keeps.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { z } from 'zod';
import { combineRunnerResults } from '../core/runner-results/index.js';
import type { RunnerFailures } from '../core/runner-results/index.js';
import type { CheckResult, Status } from '../core/schema/index.js';
import { collectScan } from '../kube/index.js';
import type { CollectedRunner } from '../kube/index.js';
import type { RunnerHandlerConfig } from './config.js';
import { connectToCluster } from './cluster-connection.js';
import type { ClusterConnectionDeps } from './cluster-connection.js';
import { withRunnerMiddleware } from './middleware.js';
import { lazyEntryPoint, realRunnerDeps } from './runner-entry-point.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import { scanClusterSchema } from './scan-payload.js';

/** The collect step's payload: the scan and the cluster. */
export const collectRunnerEventSchema = scanClusterSchema;
export type CollectRunnerEvent = z.infer<typeof collectRunnerEventSchema>;

/** What the collect step answers. */
export interface CollectRunnerOutput {
  readonly scanId: string;
  readonly clusterId: string;
  /** the cluster's in-cluster check results (ERROR for roles without a usable result) */
  readonly checks: CheckResult[];
  /** the roles that gave no usable result, and why */
  readonly failures: RunnerFailures;
  /** how many checks ended in each status */
  readonly statusCounts: Partial<Record<Status, number>>;
  /** where each runner Job stood when collected */
  readonly jobs: CollectedRunner['jobs'];
  /** deleting the scan's objects failed (the sweep will get them): why */
  readonly cleanupError?: string;
}

export interface CollectRunnerDeps extends Powertools, ClusterConnectionDeps {
  readonly config: RunnerHandlerConfig;
}

function countStatuses(checks: readonly CheckResult[]): Partial<Record<Status, number>> {
  const counts: Partial<Record<Status, number>> = {};
  for (const c of checks) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

/** The collect handler over `deps` (tests inject the client factory, token provider, logger). */
export function createCollectRunnerHandler(deps: CollectRunnerDeps): RunnerLambda<CollectRunnerOutput> {
  const { logger, metrics, config } = deps;
  return withRunnerMiddleware('collect-runner', collectRunnerEventSchema, deps, async (event) => {
    const apis = await connectToCluster(deps, event.clusterId, event.cluster, config.kubeRequestTimeoutMs);
    const collected = await collectScan({
      apis,
      scanId: event.scanId,
      clusterId: event.clusterId,
      namespace: config.runner.namespace,
      maxLogBytes: config.maxLogBytes,
    });
    const checks = combineRunnerResults(collected.probe, collected.nodes, collected.failures);
    const statusCounts = countStatuses(checks);
    metrics.addMetric('InClusterChecksError', MetricUnit.Count, statusCounts.ERROR ?? 0);
    metrics.addMetric('RunnerCleanupFailed', MetricUnit.Count, collected.cleanupError === undefined ? 0 : 1);
    const failed = collected.failures.probe !== undefined || (collected.failures.nodes ?? []).length > 0;
    (failed ? logger.warn.bind(logger) : logger.info.bind(logger))('runner collected', {
      statusCounts,
      failures: collected.failures,
      jobs: collected.jobs.map((j) => ({ job: j.job, phase: j.phase })),
      ...(collected.cleanupError !== undefined ? { cleanupError: collected.cleanupError } : {}),
    });
    return {
      scanId: event.scanId,
      clusterId: event.clusterId,
      checks,
      failures: collected.failures,
      statusCounts,
      jobs: collected.jobs,
      ...(collected.cleanupError !== undefined ? { cleanupError: collected.cleanupError } : {}),
    };
  });
}

/** The function's entry point, wired to the real adapters ({@link realRunnerDeps}). */
export const handler: RunnerLambda<CollectRunnerOutput> = lazyEntryPoint(() =>
  createCollectRunnerHandler(realRunnerDeps('fleet-dns-collect-runner')),
);
