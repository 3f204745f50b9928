/**
 * Lambda: the fleet roll-up of one scan (the state machine's "Summarize" step, after the
 * Distributed Map). Reads the Map's ResultWriter manifest and result files, takes each stored
 * cluster result back from the store, counts statuses, severities, checks, causes and the
 * regressions against each cluster's previous scan, records coverage — the gaps collect-region
 * reported, every FAILED (or never run) child as a region gap with its error, and the accounts
 * discover could not enter — and stores the FleetSummary (`putScanRun`).
 *
 * Rerunning it replaces the scan's summary with the same one (putScanRun replaces).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { StagedObjects } from '../aws/s3/index.js';
import { buildFleetSummary, regressionsBetween } from '../core/results/index.js';
import type { FleetRegression } from '../core/results/index.js';
import { formatSchemaError } from '../core/schema/index.js';
import type { ClusterResult, CoverageGap, Status } from '../core/schema/index.js';
import type { ResultStore } from '../store/index.js';
import { HandlerError } from './errors.js';
import { withRunnerMiddleware } from './middleware.js';
import type { Powertools, RunnerLambda } from './middleware.js';
import {
  coverageGapsSchema,
  discoveryGapsKey,
  startedAtSchema,
  stepErrorText,
  workItemSchema,
} from './pipeline-payload.js';
import { scanIdSchema } from './scan-payload.js';

/** Summarize's payload: the scan and the Distributed Map's output (`ResultPath: $.mapResult`). */
export const summarizeEventSchema = z.object({
  scanId: scanIdSchema,
  startedAt: startedAtSchema,
  mapResult: z.object({
    ResultWriterDetails: z.object({
      Bucket: z.string({ error: 'must be the ResultWriter bucket' }).min(1),
      Key: z.string({ error: 'must be the ResultWriter manifest key' }).min(1),
    }),
  }),
});
export type SummarizeEvent = z.infer<typeof summarizeEventSchema>;

/** What Summarize answers (the execution's output). */
export interface SummarizeOutput {
  readonly scanId: string;
  /** cluster results rolled up */
  readonly clusters: number;
  /** unmuted check results by status, across the fleet */
  readonly statusCounts: Partial<Record<Status, number>>;
  /** checks that regressed since each cluster's previous scan */
  readonly regressions: number;
  /** accounts, regions and clusters that could not be scanned */
  readonly gaps: number;
}

export interface SummarizeDeps extends Powertools {
  readonly store: ResultStore;
  /** where the Map's results and discover's gaps are read (S3 deployed, memory in process) */
  readonly staging: StagedObjects;
  /** where discover staged its coverage gaps (WORK_BUCKET) */
  readonly workBucket: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** cluster results read from the store at once @default 8 */
  readonly readConcurrency?: number;
}

/** The ResultWriter manifest (`manifest.json`), as Step Functions writes it. */
const manifestSchema = z.looseObject({
  DestinationBucket: z.string().optional(),
  ResultFiles: z.looseObject({
    SUCCEEDED: z.array(z.looseObject({ Key: z.string(), Size: z.number().optional() })).default([]),
    FAILED: z.array(z.looseObject({ Key: z.string(), Size: z.number().optional() })).default([]),
    PENDING: z.array(z.looseObject({ Key: z.string(), Size: z.number().optional() })).default([]),
  }),
});

/** One child execution in a result file: Input and Output are JSON text. */
const childSchema = z.looseObject({
  Input: z.string().optional(),
  Output: z.string().optional(),
  Status: z.string().optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});
type Child = z.infer<typeof childSchema>;

/** What the summary reads of a child's input (the ItemSelector's `{ scanId, startedAt, item }`). */
const childInputSchema = z.looseObject({ item: workItemSchema });

/** What the summary reads of a SUCCEEDED child's output (collect-region's, with `stored`). */
const childOutputSchema = z.looseObject({
  accountId: z.string(),
  region: z.string(),
  gaps: coverageGapsSchema.default([]),
  stored: z
    .array(z.looseObject({ clusterId: z.string(), latest: z.boolean(), outcome: z.string() }))
    .default([]),
});

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A child that did not succeed: the region it had is a gap, with its error. */
function failedChildGap(child: Child, status: string): CoverageGap | undefined {
  const input = childInputSchema.safeParse(parseJson(child.Input));
  if (!input.success) return undefined;
  const { accountId, region } = input.data.item;
  const reason =
    status === 'PENDING'
      ? 'the account×region was never collected (the Map run ended first)'
      : `collecting the account×region failed: ${stepErrorText({ Error: child.Error ?? status, ...(child.Cause !== undefined ? { Cause: child.Cause } : {}) })}`;
  return { scope: 'region', accountId, region, reason };
}

/** The Summarize handler over `deps` (tests inject the store, S3 and the clock). */
export function createSummarizeHandler(deps: SummarizeDeps): RunnerLambda<SummarizeOutput> {
  const { logger, metrics, store, staging } = deps;
  const now = deps.now ?? (() => new Date());
  return withRunnerMiddleware('summarize', summarizeEventSchema, deps, async (event) => {
    const { Bucket, Key } = event.mapResult.ResultWriterDetails;
    const manifest = manifestSchema.safeParse(await staging.getJson({ bucket: Bucket, key: Key }));
    if (!manifest.success)
      throw new HandlerError(
        `s3://${Bucket}/${Key} is not a Map run manifest: ${formatSchemaError(manifest.error)}`,
      );
    const filesBucket = manifest.data.DestinationBucket ?? Bucket;
    const gaps: CoverageGap[] = [];
    const stored: { clusterId: string; latest: boolean }[] = [];
    const accounts = new Set<string>();
    const regions = new Set<string>();
    let failedChildren = 0;

    for (const [status, files] of Object.entries(manifest.data.ResultFiles) as [
      string,
      { Key: string }[],
    ][]) {
      if (!Array.isArray(files)) continue;
      for (const file of files) {
        const children = z
          .array(childSchema)
          .safeParse(await staging.getJson({ bucket: filesBucket, key: file.Key }));
        if (!children.success)
          throw new HandlerError(
            `s3://${filesBucket}/${file.Key} is not a Map result file: ${formatSchemaError(children.error)}`,
          );
        for (const child of children.data) {
          const output = childOutputSchema.safeParse(parseJson(child.Output));
          if ((child.Status ?? status) === 'SUCCEEDED' && output.success) {
            accounts.add(output.data.accountId);
            regions.add(`${output.data.accountId} ${output.data.region}`);
            gaps.push(...output.data.gaps);
            stored.push(...output.data.stored.map((s) => ({ clusterId: s.clusterId, latest: s.latest })));
            continue;
          }
          failedChildren += 1;
          const gap = failedChildGap(child, child.Status ?? status);
          if (gap) gaps.push(gap);
          else logger.warn('a Map child without a readable input', { file: file.Key, status: child.Status });
        }
      }
    }

    // Accounts discover could not enter never became Map items: it staged them.
    const discovered = await staging.getBytes({
      bucket: deps.workBucket,
      key: discoveryGapsKey(event.scanId),
    });
    if (discovered !== null) {
      const parsed = coverageGapsSchema.safeParse(parseJson(Buffer.from(discovered).toString('utf8')));
      if (parsed.success) gaps.unshift(...parsed.data);
      else logger.warn('discovery gaps unreadable', { problem: formatSchemaError(parsed.error) });
    }

    const slots = pLimit(deps.readConcurrency ?? 8);
    const read = await Promise.all(
      stored.map(({ clusterId, latest }) => slots(() => clusterScan(store, clusterId, event.scanId, latest))),
    );
    const clusters: ClusterResult[] = [];
    const regressions: FleetRegression[] = [];
    read.forEach((r, i) => {
      if (r.current === null) {
        const { clusterId } = stored[i]!;
        const [accountId = '', region] = clusterId.split(':');
        gaps.push({
          scope: 'cluster',
          accountId,
          ...(region !== undefined ? { region } : {}),
          clusterId,
          reason: 'its stored result was not found (expired or removed before the summary)',
        });
        return;
      }
      clusters.push(r.current);
      regressions.push(...regressionsBetween(r.previous, r.current));
    });

    const summary = buildFleetSummary({
      scan: { id: event.scanId, startedAt: event.startedAt, finishedAt: now().toISOString() },
      clusters,
      regressions,
      accounts: accounts.size,
      regions: regions.size,
      gaps,
    });
    await store.putScanRun(summary);
    metrics.addMetric('FleetClusters', MetricUnit.Count, summary.clusters);
    metrics.addMetric('FleetRegressions', MetricUnit.Count, summary.regressions.length);
    metrics.addMetric('FleetCoverageGaps', MetricUnit.Count, gaps.length);
    metrics.addMetric('FleetFailedItems', MetricUnit.Count, failedChildren);
    const statusCounts = Object.fromEntries(
      Object.entries(summary.byStatus).filter(([, n]) => n > 0),
    ) as Partial<Record<Status, number>>;
    logger.info('fleet scan summarized', {
      clusters: summary.clusters,
      statusCounts,
      regressions: summary.regressions.length,
      gaps: gaps.length,
      failedItems: failedChildren,
    });
    return {
      scanId: event.scanId,
      clusters: summary.clusters,
      statusCounts,
      regressions: summary.regressions.length,
      gaps: gaps.length,
    };
  });
}

/**
 * A cluster's result of the scan and the scan before it. A result that became latest is the
 * newest of the cluster's history: one list read of two gives both. Otherwise (a late scan)
 * only the result counts, its regressions were not news (the store published none either).
 */
async function clusterScan(
  store: ResultStore,
  clusterId: string,
  scanId: string,
  latest: boolean,
): Promise<{ current: ClusterResult | null; previous: ClusterResult | null }> {
  if (latest) {
    const { items } = await store.listClusterScans(clusterId, { limit: 2 });
    if (items[0]?.scan?.id === scanId) return { current: items[0], previous: items[1] ?? null };
  }
  return { current: await store.getClusterScan(clusterId, scanId), previous: null };
}

/** The deployed dependencies: the DynamoDB store (TABLE_NAME), S3 (WORK_BUCKET). */
async function deployedHandler(): Promise<RunnerLambda<SummarizeOutput>> {
  const { PIPELINE_REQUIRED_VARIABLES, parsePipelineConfig } = await import('./pipeline-config.js');
  const config = parsePipelineConfig(process.env, PIPELINE_REQUIRED_VARIABLES.summarize);
  const { openPipelineStore } = await import('./pipeline-store.js');
  const { createS3Client, s3StagedObjects } = await import('../aws/s3/index.js');
  const { createPowertools } = await import('./middleware.js');
  const s3 = createS3Client();
  return createSummarizeHandler({
    ...createPowertools('fleet-dns-summarize'),
    staging: s3StagedObjects(s3),
    store: openPipelineStore(config, s3),
    workBucket: config.workBucket,
  });
}

let deployed: Promise<RunnerLambda<SummarizeOutput>> | undefined;

/** The function's entry point: built on the first invocation (a failed build is retried on the next). */
export const handler: RunnerLambda<SummarizeOutput> = async (event, context) => {
  deployed ??= deployedHandler().catch((err: unknown) => {
    deployed = undefined;
    throw err;
  });
  return (await deployed)(event, context);
};
