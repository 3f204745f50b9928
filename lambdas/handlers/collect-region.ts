/**
 * Lambda: one account×region of a fleet scan (the Distributed Map child's "CollectRegion").
 * lambdas/aws `collectWorkItem` assumes the item's role once, lists (or takes) the region's
 * clusters and collects each one's network snapshot under the account×region rate limiter,
 * every VPC described once. The Kubernetes facts come through the reader handed to it, which —
 * holding the cluster's endpoint, CA and a token already — also reads where CoreDNS runs for the
 * dispatch. Each cluster's AWS-side result (core's `auditNetworkCluster`) is staged in S3 for
 * StoreResult; the answer lists the clusters for the inline Map.
 *
 * A cluster that cannot be collected is a coverage gap; one whose runner cannot be dispatched
 * (API unreachable, no CoreDNS pods) goes with `cluster: null` and the reason in its staged
 * result. Neither throws: only S3 failing (retry helps) or a bug fails the item.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { collectWorkItem } from '../aws/collect/index.js';
import type { FleetOptions } from '../aws/collect/index.js';
import { scanSessionName } from '../aws/credentials/index.js';
import type { EksToken, EksTokenOptions } from '../aws/eks/index.js';
import type { StagedObjects } from '../aws/s3/index.js';
import { auditNetworkCluster } from '../core/results/index.js';
import { formatSchemaError } from '../core/schema/index.js';
import type { CoverageGap } from '../core/schema/index.js';
import type { ClusterApiAccess, KubernetesReader } from '../core/snapshot/index.js';
import { createKubeClient, kubernetesReader, readCoreDnsPlacement } from '../kube/index.js';
import type { KubeClientFactory } from '../kube/index.js';
import { withRunnerMiddleware } from './middleware.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import {
  clusterToScanSchema,
  stagedAwsResultKey,
  startedAtSchema,
  workItemSchema,
} from './pipeline-payload.js';
import type { ClusterToScan, StagedAwsResult } from './pipeline-payload.js';
import { scanIdSchema } from './scan-payload.js';

/** CollectRegion's payload (the Map's ItemSelector). */
export const collectRegionEventSchema = z.object({
  scanId: scanIdSchema,
  startedAt: startedAtSchema,
  item: workItemSchema,
});
export type CollectRegionEvent = z.infer<typeof collectRegionEventSchema>;

/** What CollectRegion answers (the inline Map iterates `clusters`). */
export interface CollectRegionOutput {
  readonly scanId: string;
  readonly startedAt: string;
  readonly accountId: string;
  readonly region: string;
  readonly clusters: ClusterToScan[];
  readonly gaps: CoverageGap[];
}

export interface CollectRegionDeps extends Powertools {
  /** where each cluster's AWS-side result is staged (S3 deployed, memory in process) */
  readonly staging: StagedObjects;
  readonly workBucket: string;
  /** the scanner's own region (STS for AssumeRole) */
  readonly homeRegion: string;
  /** the ExternalId the member roles require @default none */
  readonly externalId?: string;
  /** the AWS side's options (tests inject STS and the client factory) */
  readonly fleet?: Omit<FleetOptions, 'homeRegion' | 'kubernetes'>;
  /** the cluster API client @default createKubeClient */
  readonly kubeClientFactory?: KubeClientFactory;
  /** signs the EKS token the cluster API reads use @default createEksToken (with the assumed role) */
  readonly tokenFactory?: (options: EksTokenOptions) => Promise<EksToken>;
  /** each cluster API request @default 10_000 */
  readonly kubeRequestTimeoutMs?: number;
  /**
   * the accounts whose private-only clusters go to their member-side dispatcher ("all": every
   * account) @default none (every cluster is dispatched centrally)
   */
  readonly memberDispatchAccounts?: 'all' | readonly string[];
}

/**
 * A private-only cluster of an account configured for the member-side dispatcher: its runner is
 * dispatched from inside the account (whose VPC routes to the endpoint), not from here.
 */
export function viaMemberDispatcher(
  accounts: CollectRegionDeps['memberDispatchAccounts'],
  accountId: string,
  endpointAccess: string,
): boolean {
  if (accounts === undefined || endpointAccess !== 'private') return false;
  return accounts === 'all' || accounts.includes(accountId);
}

/** What the reader learnt of one cluster besides its facts. */
interface ClusterApiSeen {
  readonly access: ClusterApiAccess;
  readonly placement: ClusterToScan['corednsPods'] | { readonly unavailable: string };
}

const corednsPodsSchema = clusterToScanSchema.shape.corednsPods;

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The CollectRegion handler over `deps`. */
export function createCollectRegionHandler(deps: CollectRegionDeps): RunnerLambda<CollectRegionOutput> {
  const { logger, metrics, staging } = deps;
  const clientFactory = deps.kubeClientFactory ?? createKubeClient;
  const timeoutMs = deps.kubeRequestTimeoutMs ?? 10_000;
  return withRunnerMiddleware('collect-region', collectRegionEventSchema, deps, async (event) => {
    const { item, scanId, startedAt } = event;
    logger.appendKeys({ accountId: item.accountId, region: item.region });
    const seen = new Map<string, ClusterApiSeen>();
    const readFacts = kubernetesReader({ clientFactory, timeoutMs });
    // One connection's worth of values per cluster: the facts for the snapshot, and CoreDNS's
    // placement for the dispatch, read with the same endpoint, CA and token.
    const read: KubernetesReader = async (access) => {
      let placement: ClusterApiSeen['placement'];
      try {
        const apis = clientFactory({
          server: access.endpoint,
          caData: access.caData,
          token: access.token,
          timeoutMs,
        });
        // In the dispatch step's terms (its schema), so the inline Map's payload is what it takes.
        const pods = corednsPodsSchema.safeParse(await readCoreDnsPlacement({ apis }));
        placement = pods.success
          ? pods.data
          : { unavailable: `CoreDNS pods the dispatch cannot place: ${formatSchemaError(pods.error)}` };
      } catch (err) {
        placement = { unavailable: `reading the CoreDNS pods failed: ${describe(err)}` };
      }
      seen.set(access.clusterName, { access, placement });
      return readFacts(access);
    };
    const region = await collectWorkItem(
      {
        accountId: item.accountId,
        region: item.region,
        ...(item.roleArn !== undefined
          ? {
              roleArn: item.roleArn,
              sessionName: scanSessionName(scanId),
              ...(deps.externalId !== undefined ? { externalId: deps.externalId } : {}),
            }
          : {}),
        ...(item.clusterNames !== undefined ? { clusterNames: item.clusterNames } : {}),
      },
      {
        ...deps.fleet,
        homeRegion: deps.homeRegion,
        kubernetes: { read, ...(deps.tokenFactory ? { tokenFactory: deps.tokenFactory } : {}) },
      },
    );
    const gaps = [...region.gaps];
    const clusters: ClusterToScan[] = [];
    for (const { record, snapshot } of region.clusters) {
      let staged: StagedAwsResult;
      try {
        staged = auditNetworkCluster(snapshot, { scan: { id: scanId, startedAt } });
      } catch (err) {
        // Contained per cluster: its audit failing (a bug) must not cost the region's other clusters.
        gaps.push({
          scope: 'cluster',
          accountId: item.accountId,
          region: item.region,
          clusterId: record.id,
          reason: `the AWS-side audit failed: ${describe(err)}`,
        });
        continue;
      }
      const api = seen.get(record.name);
      const kube = snapshot.kubernetes as { access?: { reachable?: boolean; reason?: string } } | undefined;
      // From here a private-only endpoint is unreachable and CoreDNS's placement unread: the
      // member dispatcher reads it inside the account. Only an endpoint never handed over
      // (cluster not ACTIVE, no CA) or a placement read as empty still stops the dispatch.
      const member =
        api !== undefined &&
        viaMemberDispatcher(deps.memberDispatchAccounts, item.accountId, record.endpointAccess);
      let notDispatched: string | undefined;
      if (api === undefined)
        notDispatched = kube?.access?.reason ?? 'the cluster API could not be used (no endpoint handed over)';
      else if (member) {
        if (Array.isArray(api.placement) && api.placement.length === 0)
          notDispatched = 'no CoreDNS pods (k8s-app=kube-dns in kube-system): nothing to place the runner by';
      } else if (kube?.access?.reachable === false)
        notDispatched = kube.access.reason ?? 'the cluster API is unreachable';
      else if (!Array.isArray(api.placement)) notDispatched = api.placement.unavailable;
      else if (api.placement.length === 0)
        notDispatched = 'no CoreDNS pods (k8s-app=kube-dns in kube-system): nothing to place the runner by';
      if (notDispatched !== undefined) staged = { ...staged, runnerNotDispatched: notDispatched };
      const awsResult = { bucket: deps.workBucket, key: stagedAwsResultKey(scanId, record.id) };
      await staging.putJson(awsResult, staged);
      clusters.push({
        scanId,
        startedAt,
        clusterId: record.id,
        cluster:
          notDispatched === undefined && api !== undefined
            ? { endpoint: api.access.endpoint, certificateAuthorityData: api.access.caData }
            : null,
        corednsPods: api !== undefined && Array.isArray(api.placement) ? api.placement : [],
        awsResult,
        ...(member && notDispatched === undefined
          ? { memberDispatch: { accountId: item.accountId, region: item.region } }
          : {}),
      });
    }
    metrics.addMetric('ClustersCollected', MetricUnit.Count, clusters.length);
    metrics.addMetric(
      'ClustersNotDispatchable',
      MetricUnit.Count,
      clusters.filter((c) => c.cluster === null).length,
    );
    metrics.addMetric('CoverageGaps', MetricUnit.Count, gaps.length);
    (gaps.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger))('account×region collected', {
      clusters: clusters.map((c) => ({
        clusterId: c.clusterId,
        dispatch: c.cluster === null ? false : c.memberDispatch ? 'member' : 'central',
      })),
      gaps,
      calls: region.calls.total,
    });
    return { scanId, startedAt, accountId: item.accountId, region: item.region, clusters, gaps };
  });
}

/**
 * MEMBER_DISPATCH_ACCOUNTS: "all" or account ids joined by commas (set by the CDK app when
 * `fleet-dns:memberDispatcher` is on); unset or empty: none.
 */
export function parseMemberDispatchAccounts(value: string | undefined): 'all' | string[] | undefined {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  if (text === 'all') return 'all';
  const accounts = text.split(',').map((a) => a.trim());
  const bad = accounts.filter((a) => !/^[0-9]{12}$/.test(a));
  if (bad.length > 0)
    throw new Error(`MEMBER_DISPATCH_ACCOUNTS: must be "all" or 12-digit account ids, got ${bad.join(', ')}`);
  return accounts;
}

/** The deployed dependencies: WORK_BUCKET, AWS_REGION, SCAN_EXTERNAL_ID, KUBE_REQUEST_TIMEOUT_MS, MEMBER_DISPATCH_ACCOUNTS. */
async function deployedHandler(): Promise<RunnerLambda<CollectRegionOutput>> {
  const { PIPELINE_REQUIRED_VARIABLES, parsePipelineConfig, parseScanScopeConfig } =
    await import('./pipeline-config.js');
  const config = parsePipelineConfig(process.env, PIPELINE_REQUIRED_VARIABLES['collect-region']);
  const scope = parseScanScopeConfig(process.env);
  const { createS3Client, s3StagedObjects } = await import('../aws/s3/index.js');
  const { createPowertools } = await import('./middleware.js');
  const timeout = Number(process.env.KUBE_REQUEST_TIMEOUT_MS ?? '');
  const memberDispatchAccounts = parseMemberDispatchAccounts(process.env.MEMBER_DISPATCH_ACCOUNTS);
  return createCollectRegionHandler({
    ...createPowertools('fleet-dns-collect-region'),
    staging: s3StagedObjects(createS3Client()),
    workBucket: config.workBucket,
    homeRegion: scope.homeRegion,
    ...(scope.externalId !== undefined ? { externalId: scope.externalId } : {}),
    ...(Number.isInteger(timeout) && timeout >= 1000 ? { kubeRequestTimeoutMs: timeout } : {}),
    ...(memberDispatchAccounts !== undefined ? { memberDispatchAccounts } : {}),
  });
}

let deployed: Promise<RunnerLambda<CollectRegionOutput>> | undefined;

/** The function's entry point: built on the first invocation (a failed build is retried on the next). */
export const handler: RunnerLambda<CollectRegionOutput> = async (event, context) => {
  deployed ??= deployedHandler().catch((err: unknown) => {
    deployed = undefined;
    throw err;
  });
  return (await deployed)(event, context);
};
