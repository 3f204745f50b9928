/**
 * Lambda: store one cluster's result of one scan (the state machine's "StoreResult" step, the
 * end of each cluster's branch). Reads the AWS-side result collect-region staged in S3, adds the
 * in-cluster checks the runner gave (`collected`) — or, when the runner steps failed
 * (`runnerError`, the Catch) or were never taken (`runnerNotDispatched` in the staged doc), makes
 * the in-cluster checks ERROR with the reason (checks.md § Runner failures) — draws the
 * diagnosis, applies the stored mutelist and puts the result in the store, which publishes the
 * regression events.
 *
 * Idempotent: the store keys a result by (cluster, scan), so a retried step is a `duplicate`
 * that changes nothing and publishes only events a failed first attempt left pending.
 *
 * With the Security Hub export on (SECURITY_HUB_EXPORT=true), a result that is the cluster's
 * latest (stored now, or found stored by a retry: the first attempt may have died before its
 * export) is rendered as ASFF findings against the cluster's previous scan, as the stored
 * transitions record it (FAIL/WARN active, a check that passes again RESOLVED), and imported into
 * the function's account and region. The
 * export is a copy: a failed import is logged with the `SecurityHubImportFailed` metric and never
 * fails the step, whose result is already stored.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { z } from 'zod';
import type { StagedObjects } from '../aws/s3/index.js';
import { importFindings } from '../aws/securityhub/index.js';
import type { ImportFindingsOutcome } from '../aws/securityhub/index.js';
import { validateMutelist, applyMutelist } from '../core/mutelist/index.js';
import { asffFindings, reportModel } from '../core/report/index.js';
import type { AsffImporter } from '../core/report/index.js';
import { buildClusterResult, worstStatus } from '../core/results/index.js';
import { combineRunnerResults } from '../core/runner-results/index.js';
import { formatSchemaError } from '../core/schema/index.js';
import type { CheckResult, ClusterResult, Status } from '../core/schema/index.js';
import type { CheckTransition, ResultStore } from '../store/index.js';
import type { CollectRunnerOutput } from './collect-runner.js';
import { HandlerError } from './errors.js';
import { withRunnerMiddleware } from './middleware.js';
import type { Context, Powertools, RunnerLambda } from './middleware.js';
import {
  s3LocationSchema,
  stagedAwsResultSchema,
  startedAtSchema,
  stepErrorText,
} from './pipeline-payload.js';
import { clusterIdSchema, scanIdSchema } from './scan-payload.js';

/**
 * The collect step's output as StoreResult reads it: the in-cluster checks (validated by the
 * store with the result schema); the rest is carried, not read.
 */
const collectedSchema = z.looseObject({
  scanId: z.string(),
  clusterId: z.string(),
  checks: z.array(z.looseObject({ id: z.string(), status: z.string() }), {
    error: 'must be the collect step output (checks: a list of check results)',
  }),
});

/** The Catch's error output (`ResultPath: $.runnerError`). */
const runnerErrorSchema = z.object({
  Error: z.string({ error: 'must be the error name (Step Functions Catch output)' }),
  Cause: z.string({ error: 'must be the error cause (Step Functions Catch output)' }),
});

/** StoreResult's payload. */
export const storeResultEventSchema = z.object({
  scanId: scanIdSchema,
  startedAt: startedAtSchema,
  clusterId: clusterIdSchema,
  awsResult: s3LocationSchema,
  collected: collectedSchema.optional(),
  runnerError: runnerErrorSchema.optional(),
  /**
   * The in-cluster phase was deliberately not run (an in-process scan with `--no-in-cluster`):
   * its checks are SKIPPED with this reason, not ERROR — nothing failed.
   */
  inClusterSkipped: z.string().min(1).max(500).optional(),
});
export type StoreResultEvent = z.infer<typeof storeResultEventSchema>;

/** What StoreResult answers (one item of the inline Map's `stored`). */
export interface StoreResultOutput {
  readonly scanId: string;
  readonly clusterId: string;
  readonly outcome: 'stored' | 'duplicate';
  /** the result is the cluster's latest now */
  readonly latest: boolean;
  /** the worst status among the stored result's unmuted checks */
  readonly worstStatus: Status;
  /** regression events this invocation published */
  readonly published: number;
  /** what the Security Hub export imported; absent when the export is off, skipped or its call failed */
  readonly securityHub?: ImportFindingsOutcome;
}

export interface StoreResultDeps extends Powertools {
  readonly store: ResultStore;
  /** reads the staged AWS-side result */
  /** where collect-region staged the AWS-side result (S3 deployed, memory in process) */
  readonly staging: StagedObjects;
  /** when the cluster's result is finished (`scan.finishedAt`); @default () => new Date() */
  readonly now?: () => Date;
  /** imports each latest result's ASFF findings (SECURITY_HUB_EXPORT=true); @default none: no export */
  readonly securityHub?: SecurityHubClient;
}

/** The account and region of the invoked function (`arn:<partition>:lambda:<region>:<account>:function:…`). */
export function functionAccountAndRegion(invokedFunctionArn: string): AsffImporter | undefined {
  const m = /^arn:[a-z-]+:lambda:([a-z0-9-]+):([0-9]{12}):function:/.exec(invokedFunctionArn);
  return m ? { region: m[1]!, accountId: m[2]! } : undefined;
}

/**
 * Why the runner gave nothing, from the Catch's `{ Error, Cause }` ({@link stepErrorText}).
 */
export function runnerErrorReason(error: { Error: string; Cause: string }): string {
  return `the runner steps failed: ${stepErrorText(error)}`;
}

/** The in-cluster checks: the runner's, or ERRORs with why there are none (checks.md § Runner failures). */
function inClusterChecks(event: StoreResultEvent, notDispatched: string | undefined): CheckResult[] {
  if (event.collected !== undefined && event.runnerError === undefined)
    return event.collected.checks as unknown as CollectRunnerOutput['checks'];
  if (
    event.inClusterSkipped !== undefined &&
    event.runnerError === undefined &&
    event.collected === undefined
  )
    return combineRunnerResults(undefined, [], { probe: event.inClusterSkipped }).map((c) => ({
      ...c,
      status: 'SKIPPED' as const,
      evidence: { reason: event.inClusterSkipped },
    }));
  const reason =
    event.runnerError !== undefined
      ? runnerErrorReason(event.runnerError)
      : (notDispatched ?? 'no runner result reached the store step (the collect step gave no output)');
  return combineRunnerResults(undefined, [], { probe: reason });
}

/** The StoreResult handler over `deps` (tests inject the store, S3 and the clock). */
export function createStoreResultHandler(deps: StoreResultDeps): RunnerLambda<StoreResultOutput> {
  const { logger, metrics, store, staging } = deps;
  const now = deps.now ?? (() => new Date());
  return withRunnerMiddleware('store-result', storeResultEventSchema, deps, async (event, context) => {
    const staged = stagedAwsResultSchema.safeParse(await staging.getJson(event.awsResult));
    if (!staged.success)
      throw new HandlerError(
        `the staged AWS-side result s3://${event.awsResult.bucket}/${event.awsResult.key} is not a cluster result: ${formatSchemaError(staged.error)}`,
      );
    const aws = staged.data;
    if (aws.cluster.id !== event.clusterId)
      throw new HandlerError(
        `the staged AWS-side result is of ${aws.cluster.id}, not ${event.clusterId}: a wiring bug`,
      );
    const inCluster = inClusterChecks(event, aws.runnerNotDispatched);
    // In-cluster results win over an AWS-side one of the same id: measured from inside.
    const inClusterIds = new Set(inCluster.map((c) => c.id));
    const checks = [...aws.checks.filter((c) => !inClusterIds.has(c.id)), ...inCluster];
    const { cluster } = aws;
    const built = buildClusterResult(
      {
        accountId: cluster.accountId,
        region: cluster.region,
        name: cluster.name,
        ...(cluster.accountName !== undefined ? { accountName: cluster.accountName } : {}),
        ...(cluster.arn !== undefined ? { arn: cluster.arn } : {}),
        ...(cluster.version !== undefined ? { version: cluster.version } : {}),
      },
      checks,
      { scan: { id: event.scanId, startedAt: event.startedAt, finishedAt: now().toISOString() } },
    );
    // What else the identity carries (tags the mutelist matches) stays.
    const result: ClusterResult = { ...built, cluster: { ...cluster, ...built.cluster } };

    const muted = await mutelisted(result);
    const put = await store.putClusterResult(muted);
    const worst = worstStatus(put.result.checks);
    const regressions = put.transitions.filter((t) => t.regression).length;
    metrics.addMetric('ClusterResultsStored', MetricUnit.Count, put.outcome === 'stored' ? 1 : 0);
    metrics.addMetric('ClusterResultsDuplicate', MetricUnit.Count, put.outcome === 'duplicate' ? 1 : 0);
    metrics.addMetric('RegressionEventsPublished', MetricUnit.Count, put.published);
    logger.info('cluster result stored', {
      outcome: put.outcome,
      latest: put.latest,
      worstStatus: worst,
      regressions,
      published: put.published,
      runner: event.collected && !event.runnerError ? 'collected' : 'unavailable',
    });
    // Only the latest: an older scan arriving late must not reopen or close findings the newer
    // one set. A duplicate that is latest is exported again: the attempt that stored it may have
    // died before its export (a regression publish that failed, a timeout), and the stored
    // document and transitions make the same findings with the same Ids, which Security Hub
    // takes as an update of what it holds.
    const securityHub =
      deps.securityHub !== undefined && put.latest
        ? await exportToSecurityHub(
            deps.securityHub,
            put.result,
            previousStatuses(put.result, put.transitions),
            context,
          )
        : undefined;
    return {
      scanId: event.scanId,
      clusterId: event.clusterId,
      outcome: put.outcome,
      latest: put.latest,
      worstStatus: worst,
      published: put.published,
      ...(securityHub !== undefined ? { securityHub } : {}),
    };
  });

  /**
   * Imports the stored result's ASFF findings; never throws (the result is stored, Security Hub
   * holds a copy): a failure is logged and counted in `SecurityHubImportFailed` (findings).
   */
  async function exportToSecurityHub(
    client: SecurityHubClient,
    stored: ClusterResult,
    previous: ClusterResult | null,
    context: Context,
  ): Promise<ImportFindingsOutcome | undefined> {
    const importer = functionAccountAndRegion(context.invokedFunctionArn);
    if (importer === undefined) {
      logger.error('Security Hub export skipped: the function ARN names no account and region', {
        invokedFunctionArn: context.invokedFunctionArn,
      });
      metrics.addMetric('SecurityHubImportFailed', MetricUnit.Count, 1);
      return undefined;
    }
    // The store refuses a result without its scan, so a stored one always has it.
    const { scan } = stored;
    if (scan === undefined) return undefined;
    const model = reportModel(
      {
        scan,
        clusters: [stored],
        coverage: { accounts: 1, regions: 1, clustersScanned: 1, gaps: [] },
      },
      previous !== null ? [previous] : undefined,
    );
    const findings = asffFindings(model, { importer });
    try {
      // The renderer's AsffFinding is the subset of AwsSecurityFinding fleet-dns sets.
      const out = await importFindings(client, findings as AwsSecurityFinding[]);
      metrics.addMetric('SecurityHubFindingsImported', MetricUnit.Count, out.imported);
      metrics.addMetric('SecurityHubImportFailed', MetricUnit.Count, out.failed.length);
      if (out.failed.length > 0)
        logger.error('Security Hub refused findings', { imported: out.imported, failed: out.failed });
      else logger.info('findings imported into Security Hub', { imported: out.imported });
      return out;
    } catch (err) {
      logger.error('Security Hub import failed; the result is stored', {
        findings: findings.length,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      metrics.addMetric('SecurityHubImportFailed', MetricUnit.Count, findings.length);
      return undefined;
    }
  }

  /**
   * The result with the stored mutelist applied. A stored mutelist that no longer validates (the
   * API validates before it stores, so only a hand-edited item) is logged and left out: the
   * result is still stored, unmuted, rather than lost.
   */
  async function mutelisted(result: ClusterResult): Promise<ClusterResult> {
    const stored = await store.getMutelist();
    if (stored === null) return result;
    const parsed = validateMutelist(stored.mutelist);
    if (!parsed.ok) {
      logger.error('stored mutelist is invalid; storing the result unmuted', {
        version: stored.version,
        problems: parsed.problems,
      });
      metrics.addMetric('MutelistInvalid', MetricUnit.Count, 1);
      return result;
    }
    return applyMutelist(result, parsed.mutelist);
  }
}

/** The deployed dependencies: the DynamoDB store (TABLE_NAME) publishing to EVENT_BUS_NAME. */
async function deployedHandler(): Promise<RunnerLambda<StoreResultOutput>> {
  const { PIPELINE_REQUIRED_VARIABLES, parsePipelineConfig, parseSecurityHubExport } =
    await import('./pipeline-config.js');
  const config = parsePipelineConfig(process.env, PIPELINE_REQUIRED_VARIABLES['store-result']);
  const securityHubExport = parseSecurityHubExport(process.env);
  const { openPipelineStore } = await import('./pipeline-store.js');
  const { createS3Client, s3StagedObjects } = await import('../aws/s3/index.js');
  const { createPowertools } = await import('./middleware.js');
  const s3 = createS3Client();
  return createStoreResultHandler({
    ...createPowertools('fleet-dns-store-result'),
    staging: s3StagedObjects(s3),
    store: openPipelineStore(config, s3),
    // the function's own region (the default product's); the SDK's standard retries absorb throttling
    ...(securityHubExport ? { securityHub: new SecurityHubClient({}) } : {}),
  });
}

let deployed: Promise<RunnerLambda<StoreResultOutput>> | undefined;

/** The function's entry point: built on the first invocation (a failed build is retried on the next). */
export const handler: RunnerLambda<StoreResultOutput> = async (event, context) => {
  deployed ??= deployedHandler().catch((err: unknown) => {
    deployed = undefined;
    throw err;
  });
  return (await deployed)(event, context);
};

/**
 * The previous scan as the report model reads it (each check's status only), from the stored
 * transitions: a check with a transition had its `from` status (none when `from` is null), a
 * check without one had the status it has now. Null when no check was in a previous scan.
 */
export function previousStatuses(
  stored: ClusterResult,
  transitions: readonly CheckTransition[],
): ClusterResult | null {
  const changed = new Map(transitions.map((t) => [t.checkId, t.from]));
  const checks = stored.checks.flatMap((check) => {
    const from = changed.has(check.id) ? changed.get(check.id)! : check.status;
    return from === null ? [] : [{ ...check, status: from }];
  });
  return checks.length === 0 ? null : { ...stored, checks };
}
