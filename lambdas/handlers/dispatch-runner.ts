/**
 * Lambda: dispatch the in-cluster runner of one cluster for one scan (the state machine's
 * "Dispatch" step). Creates the scan's Secret, a node agent per CoreDNS node and the probe Job
 * with lambdas/kube `dispatchRunner`, and answers what the wait and collect steps need.
 *
 * The HMAC key the runner signs its results with is made here, per scan (32 random bytes), and
 * kept only in the cluster's Secret: the collect step reads it back from there, so no secret
 * travels in (or is logged with) the Step Functions state. A retried dispatch reuses the key the
 * Secret already holds, so the objects it would create again are identical and the call is
 * idempotent (dispatchRunner's 409 read-back compare finds them the same).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { dispatchScan, RESULT_KEY_SECRET_KEY, scanSecretName } from '../kube/index.js';
import type { RunnerHandlerConfig } from './config.js';
import { connectToCluster } from './cluster-connection.js';
import type { ClusterConnectionDeps } from './cluster-connection.js';
import { withRunnerMiddleware } from './middleware.js';
import { lazyEntryPoint, realRunnerDeps } from './runner-entry-point.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import { scanClusterSchema } from './scan-payload.js';

const tolerationSchema = z.object({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal'], { error: 'must be Exists or Equal' }).optional(),
  value: z.string().optional(),
  effect: z
    .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], {
      error: 'must be NoSchedule, PreferNoSchedule or NoExecute',
    })
    .optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** The dispatch step's payload: the scan, the cluster, and where its CoreDNS pods run. */
export const dispatchRunnerEventSchema = scanClusterSchema.extend({
  corednsPods: z.array(
    z.object({
      name: z.string({ error: 'must be the pod name (a string)' }).min(1, { error: 'must not be empty' }),
      nodeName: z
        .string()
        .min(1, { error: 'must not be empty (leave it out for an unscheduled pod)' })
        .optional(),
      tolerations: z.array(tolerationSchema).optional(),
    }),
    { error: 'must be a list of CoreDNS pods' },
  ),
});
export type DispatchRunnerEvent = z.infer<typeof dispatchRunnerEventSchema>;

/** Where the scan's HMAC key is (never the key itself). */
export interface HmacKeyRef {
  readonly namespace: string;
  readonly secretName: string;
  readonly key: string;
}

/** What the dispatch step answers (the wait and collect steps' input). */
export interface DispatchRunnerOutput {
  readonly scanId: string;
  readonly clusterId: string;
  readonly namespace: string;
  /** the label selector of every object of the scan */
  readonly selector: string;
  readonly probeJobName: string;
  readonly nodeAgentJobs: readonly { readonly node: string; readonly jobName: string }[];
  /** `Kind/name` created by this invocation */
  readonly created: readonly string[];
  /** `Kind/name` already there, identical (a retried dispatch) */
  readonly existing: readonly string[];
  readonly hmacKeyRef: HmacKeyRef;
}

export interface DispatchRunnerDeps extends Powertools, ClusterConnectionDeps {
  readonly config: RunnerHandlerConfig;
  /** a new per-scan HMAC key @default 32 random bytes as hex */
  readonly newHmacKey?: () => string;
}

/** The dispatch handler over `deps` (tests inject the client factory, token provider, logger). */
export function createDispatchRunnerHandler(deps: DispatchRunnerDeps): RunnerLambda<DispatchRunnerOutput> {
  const { logger, metrics, config } = deps;
  return withRunnerMiddleware('dispatch-runner', dispatchRunnerEventSchema, deps, async (event) => {
    const apis = await connectToCluster(deps, event.clusterId, event.cluster, config.kubeRequestTimeoutMs);
    const { namespace } = config.runner;
    const dispatched = await dispatchScan({
      apis,
      scanId: event.scanId,
      clusterId: event.clusterId,
      corednsPods: event.corednsPods,
      settings: config.runner,
      ...(deps.newHmacKey ? { newHmacKey: deps.newHmacKey } : {}),
    });
    metrics.addMetric('RunnerObjectsCreated', MetricUnit.Count, dispatched.created.length);
    metrics.addMetric('RunnerNodeAgents', MetricUnit.Count, dispatched.nodeAgentJobs.length);
    logger.info('runner dispatched', {
      created: dispatched.created,
      existing: dispatched.existing,
      keyReused: dispatched.keyReused,
    });
    return {
      scanId: event.scanId,
      clusterId: event.clusterId,
      namespace: dispatched.namespace,
      selector: dispatched.labelSelector,
      probeJobName: dispatched.probeJobName,
      nodeAgentJobs: dispatched.nodeAgentJobs,
      created: dispatched.created,
      existing: dispatched.existing,
      hmacKeyRef: { namespace, secretName: scanSecretName(event.scanId), key: RESULT_KEY_SECRET_KEY },
    };
  });
}

/** The function's entry point, wired to the real adapters ({@link realRunnerDeps}). */
export const handler: RunnerLambda<DispatchRunnerOutput> = lazyEntryPoint(() =>
  createDispatchRunnerHandler(realRunnerDeps('fleet-dns-dispatch-runner')),
);
