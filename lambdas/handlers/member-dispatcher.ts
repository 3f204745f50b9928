/**
 * Lambda: the optional member-side runner dispatcher (design.md § Access to the cluster, "Private
 * endpoints"). Deployed in a member account by its stack (`fleet-dns:memberDispatcher`), in a VPC
 * that routes to the account's private-only cluster endpoints, and invoked cross-account by the
 * central state machine — only its role may (the function's resource policy). One function runs
 * the three runner steps for the clusters of its own account and region:
 *
 *   { operation: 'dispatch' | 'status' | 'collect', ...the central handler's payload }
 *
 * and answers exactly what the central dispatch-runner, runner-status and collect-runner answer:
 * it delegates to their handlers, built over this function's deps (its own role signs the EKS
 * tokens, so the cluster's access entry names this role).
 *
 * Two things it adds, both because it runs where the central side cannot see:
 * - The endpoint and CA come from its own DescribeCluster, never from the payload: the function
 *   sends a token valid for the account's clusters to that endpoint, so a payload from elsewhere
 *   must not be able to choose where it goes. A cluster of another account or region is refused.
 * - A dispatch without CoreDNS pods (collect-region could not reach the private endpoint to read
 *   them) reads their placement here, over the same connection values, before dispatching.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { z } from 'zod';
import { parseClusterId } from '../core/results/index.js';
import { readCoreDnsPlacement } from '../kube/index.js';
import { createCollectRunnerHandler, collectRunnerEventSchema } from './collect-runner.js';
import type { CollectRunnerOutput } from './collect-runner.js';
import { connectToCluster } from './cluster-connection.js';
import type { ClusterConnectionDeps } from './cluster-connection.js';
import type { RunnerHandlerConfig } from './config.js';
import { createDispatchRunnerHandler, dispatchRunnerEventSchema } from './dispatch-runner.js';
import type { DispatchRunnerOutput } from './dispatch-runner.js';
import { HandlerError, HandlerInputError } from './errors.js';
import type { Context, Powertools, RunnerLambda } from './middleware.js';
import { lazyEntryPoint, realRunnerDeps } from './runner-entry-point.js';
import { createRunnerStatusHandler, runnerStatusEventSchema } from './runner-status.js';
import type { RunnerStatusOutput } from './runner-status.js';
import type { ClusterApi } from './scan-payload.js';
import { fieldPath } from './scan-payload.js';

/** The three operations, each the central handler's payload plus `operation`. */
export const memberDispatcherEventSchema = z.discriminatedUnion(
  'operation',
  [
    dispatchRunnerEventSchema.extend({ operation: z.literal('dispatch') }),
    runnerStatusEventSchema.extend({ operation: z.literal('status') }),
    collectRunnerEventSchema.extend({ operation: z.literal('collect') }),
  ],
  { error: 'operation: must be dispatch, status or collect' },
);
export type MemberDispatcherEvent = z.infer<typeof memberDispatcherEventSchema>;
export type MemberDispatcherOperation = MemberDispatcherEvent['operation'];

/** What each operation answers: the central handler's output, unchanged. */
export type MemberDispatcherOutput = DispatchRunnerOutput | RunnerStatusOutput | CollectRunnerOutput;

/** A cluster's API as its own account describes it. */
export type ClusterDescriber = (target: { clusterName: string; region: string }) => Promise<ClusterApi>;

export interface MemberDispatcherDeps extends Powertools, ClusterConnectionDeps {
  readonly config: RunnerHandlerConfig;
  /** DescribeCluster with this function's role @default EKSClient per region */
  readonly describeCluster: ClusterDescriber;
  /** a new per-scan HMAC key (dispatch) @default 32 random bytes as hex */
  readonly newHmacKey?: () => string;
}

/** The function's account and region, from the ARN it was invoked by. */
function ownAccountRegion(context: Context): { accountId: string; region: string } {
  const [, , , region = '', accountId = ''] = context.invokedFunctionArn.split(':');
  return { accountId, region };
}

/** The member dispatcher over `deps`: the three central handlers, built once, behind one entry. */
export function createMemberDispatcherHandler(
  deps: MemberDispatcherDeps,
): RunnerLambda<MemberDispatcherOutput> {
  const { logger } = deps;
  const handlers = {
    dispatch: createDispatchRunnerHandler(deps),
    status: createRunnerStatusHandler(deps),
    collect: createCollectRunnerHandler(deps),
  } satisfies Record<MemberDispatcherOperation, RunnerLambda<MemberDispatcherOutput>>;

  return async (raw, context) => {
    const parsed = memberDispatcherEventSchema.safeParse(raw);
    if (!parsed.success) {
      const error = new HandlerInputError(
        'member-dispatcher',
        parsed.error.issues.map((i) => `${fieldPath(i.path) || '(event)'}: ${i.message}`),
      );
      logger.error('payload rejected', { problems: error.problems });
      throw error;
    }
    const { operation, ...payload } = parsed.data;
    const data = parsed.data;
    const own = ownAccountRegion(context);
    const { accountId, region, name } = parseClusterId(payload.clusterId);
    if (accountId !== own.accountId || region !== own.region)
      throw new HandlerError(
        `${payload.clusterId} is not a cluster of this dispatcher's account and region (${own.accountId}, ${own.region}): the state machine routed it to the wrong member function`,
      );
    // This account's own answer, not the payload's: the token goes only where EKS says the cluster is.
    const cluster = await deps.describeCluster({ clusterName: name, region });
    const event: Record<string, unknown> = { ...payload, cluster };
    if (data.operation === 'dispatch' && data.corednsPods.length === 0) {
      const apis = await connectToCluster(deps, payload.clusterId, cluster, deps.config.kubeRequestTimeoutMs);
      const corednsPods = await readCoreDnsPlacement({ apis });
      if (corednsPods.length === 0)
        throw new HandlerError(
          'no CoreDNS pods (k8s-app=kube-dns in kube-system): nothing to place the runner by',
        );
      event.corednsPods = corednsPods;
    }
    return handlers[operation](event, context);
  };
}

/** DescribeCluster's endpoint and CA with the function's role, one EKS client per region. */
export function eksClusterDescriber(): ClusterDescriber {
  const clients = new Map<string, EKSClient>();
  return async ({ clusterName, region }) => {
    let eks = clients.get(region);
    if (eks === undefined) clients.set(region, (eks = new EKSClient({ region })));
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
    const endpoint = cluster?.endpoint;
    const certificateAuthorityData = cluster?.certificateAuthority?.data;
    if (!endpoint || !certificateAuthorityData)
      throw new HandlerError(
        `DescribeCluster ${clusterName} returned no API endpoint or certificate authority (status ${cluster?.status ?? 'unknown'})`,
      );
    return { endpoint, certificateAuthorityData };
  };
}

/** The function's entry point, wired to the real adapters ({@link realRunnerDeps}, DescribeCluster). */
export const handler: RunnerLambda<MemberDispatcherOutput> = lazyEntryPoint(() =>
  createMemberDispatcherHandler({
    ...realRunnerDeps('fleet-dns-member-dispatcher'),
    describeCluster: eksClusterDescriber(),
  }),
);
