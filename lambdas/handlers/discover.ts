/**
 * Lambda: the first step of a fleet scan ("Discover"). Names the scan (unless the API did),
 * resolves the accounts (current, a list, or the Organization's) × their enabled regions (or the
 * configured ones) with lambdas/aws `discoverWorkItems` — entering each member account once to
 * list its regions — and writes one work item per account×region to S3 for the Distributed Map's
 * ItemReader, largest first (by each region's eks:ListClusters count: the Map starts items in
 * this order, and a large item started last sets the night's makespan). A `clusterId` narrows the scan to that cluster's account, region and name.
 *
 * Accounts that cannot be entered are coverage gaps, staged beside the work items for Summarize.
 */
import { randomBytes } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { discoverWorkItems } from '../aws/collect/index.js';
import type { FleetOptions, FleetScope } from '../aws/collect/index.js';
import type { StagedObjects } from '../aws/s3/index.js';
import { newScanId, parseClusterId } from '../core/results/index.js';
import { withRunnerMiddleware } from './middleware.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import type { ScanScopeConfig } from './pipeline-config.js';
import { discoveryGapsKey, workItemsKey } from './pipeline-payload.js';
import type { S3Location, WorkItem } from './pipeline-payload.js';
import { clusterIdSchema, scanIdSchema } from './scan-payload.js';

/** Discover's payload: the execution input (`{}` nightly, `{ scanId, clusterId? }` from the API). */
export const discoverEventSchema = z.object({
  scanId: scanIdSchema.optional(),
  clusterId: clusterIdSchema.optional(),
});
export type DiscoverEvent = z.infer<typeof discoverEventSchema>;

/** What Discover answers (the Map's ItemReader reads `workItems`). */
export interface DiscoverOutput {
  readonly scanId: string;
  readonly startedAt: string;
  readonly workItems: S3Location;
  readonly itemCount: number;
}

export interface DiscoverDeps extends Powertools {
  /** where the work items and gaps are written (S3 deployed, memory in process) */
  readonly staging: StagedObjects;
  readonly workBucket: string;
  readonly scope: ScanScopeConfig;
  /** the AWS side's options beyond the home region (tests inject STS/Organizations/clients) */
  readonly fleet?: Omit<FleetOptions, 'homeRegion'>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The Discover handler over `deps`. */
export function createDiscoverHandler(deps: DiscoverDeps): RunnerLambda<DiscoverOutput> {
  const { logger, metrics, staging, scope } = deps;
  const now = deps.now ?? (() => new Date());
  return withRunnerMiddleware('discover', discoverEventSchema, deps, async (event) => {
    const started = now();
    // the same ids as POST /scans makes (a Kubernetes label and an execution name as they are)
    const scanId = event.scanId ?? newScanId(started, () => randomBytes(3));
    logger.appendKeys({ scanId });
    const target = event.clusterId !== undefined ? parseClusterId(event.clusterId) : undefined;
    const fleetScope: FleetScope = {
      scanId,
      roleName: scope.roleName,
      ...(scope.externalId !== undefined ? { externalId: scope.externalId } : {}),
      // The own account's items then carry its member role's ARN, which collect-region assumes.
      ...(scope.assumeRoleInCurrentAccount ? { assumeRoleInCurrentAccount: true } : {}),
      ...(target
        ? {
            accounts: { mode: 'list', accounts: [target.accountId] },
            regions: { mode: 'list', regions: [target.region] },
          }
        : { accounts: scope.accounts, exclude: scope.exclude, regions: scope.regions }),
    };
    const discovery = await discoverWorkItems(fleetScope, { ...deps.fleet, homeRegion: scope.homeRegion });
    const items: WorkItem[] = discovery.items.map((item) => ({
      accountId: item.accountId,
      region: item.region,
      ...(item.roleArn !== undefined ? { roleArn: item.roleArn } : {}),
      ...(target ? { clusterNames: [target.name] } : {}),
      ...(item.clusterCount !== undefined ? { clusterCount: item.clusterCount } : {}),
    }));
    const workItems = { bucket: deps.workBucket, key: workItemsKey(scanId) };
    await staging.putJson(workItems, items);
    await staging.putJson({ bucket: deps.workBucket, key: discoveryGapsKey(scanId) }, discovery.gaps);
    metrics.addMetric('WorkItems', MetricUnit.Count, items.length);
    metrics.addMetric('AccountGaps', MetricUnit.Count, discovery.gaps.length);
    (discovery.gaps.length > 0 ? logger.warn.bind(logger) : logger.info.bind(logger))('work items written', {
      items: items.length,
      accounts: discovery.accounts.length,
      gaps: discovery.gaps,
      ...(event.clusterId !== undefined ? { clusterId: event.clusterId } : {}),
    });
    return { scanId, startedAt: started.toISOString(), workItems, itemCount: items.length };
  });
}

/** The deployed dependencies: WORK_BUCKET and the scan scope (SCAN_* variables, AWS_REGION). */
async function deployedHandler(): Promise<RunnerLambda<DiscoverOutput>> {
  const { PIPELINE_REQUIRED_VARIABLES, parsePipelineConfig, parseScanScopeConfig } =
    await import('./pipeline-config.js');
  const config = parsePipelineConfig(process.env, PIPELINE_REQUIRED_VARIABLES.discover);
  const { createS3Client, s3StagedObjects } = await import('../aws/s3/index.js');
  const { createPowertools } = await import('./middleware.js');
  return createDiscoverHandler({
    ...createPowertools('fleet-dns-discover'),
    staging: s3StagedObjects(createS3Client()),
    workBucket: config.workBucket,
    scope: parseScanScopeConfig(process.env),
  });
}

let deployed: Promise<RunnerLambda<DiscoverOutput>> | undefined;

/** The function's entry point: built on the first invocation (a failed build is retried on the next). */
export const handler: RunnerLambda<DiscoverOutput> = async (event, context) => {
  deployed ??= deployedHandler().catch((err: unknown) => {
    deployed = undefined;
    throw err;
  });
  return (await deployed)(event, context);
};
