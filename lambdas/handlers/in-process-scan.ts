/**
 * The fleet-scan state machine run in process: `fleet-dns scan` and the demo. The same handlers
 * the deployed state machine invokes, each through its middy wrapper with exactly the JSON Step
 * Functions would pass it (the payload contract), in the state machine's order:
 *
 *   Discover → Distributed Map over account×region items (CollectRegion → inline Map over its
 *   clusters: Dispatch → RunnerStatus loop → Collect → StoreResult) → Summarize.
 *
 * What the state machine adds is played here, once: the Map's concurrency, the wait loop's
 * bound, the Catch that turns a runner step's failure into StoreResult's `runnerError`, and the
 * ResultWriter's manifest Summarize reads. Hand-offs go through memory instead of S3
 * ({@link memoryStagedObjects}); Powertools logs and metrics are silent (the CLI's stdout is its
 * results; progress goes through {@link InProcessScanOptions.onProgress}).
 *
 * Stopping (`signal`): no new account×region or cluster is started, a runner being waited for
 * is collected at once (what it has so far) and its objects deleted, and everything collected
 * is stored and summarized — so a Ctrl-C loses nothing already measured and leaves no runner
 * objects behind.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import pLimit from 'p-limit';
import { memoryStagedObjects } from '../aws/s3/index.js';
import type { StagedObjects } from '../aws/s3/index.js';
import type { FleetOptions } from '../aws/collect/index.js';
import type { EksToken, EksTokenOptions } from '../aws/eks/index.js';
import { parseClusterId } from '../core/results/index.js';
import { createKubeClient } from '../kube/index.js';
import type { KubeClientFactory } from '../kube/index.js';
import type { ResultStore } from '../store/index.js';
import type { ClusterTokenProvider } from './cluster-connection.js';
import { createCollectRegionHandler } from './collect-region.js';
import type { CollectRegionOutput } from './collect-region.js';
import { createCollectRunnerHandler } from './collect-runner.js';
import type { RunnerHandlerConfig } from './config.js';
import { createDiscoverHandler } from './discover.js';
import { createDispatchRunnerHandler } from './dispatch-runner.js';
import type { Context, Powertools } from './middleware.js';
import type { ClusterToScan, WorkItem } from './pipeline-payload.js';
import { workItemSchema } from './pipeline-payload.js';
import type { ScanScopeConfig } from './pipeline-config.js';
import { createRunnerStatusHandler } from './runner-status.js';
import type { RunnerStatusOutput } from './runner-status.js';
import { createStoreResultHandler } from './store-result.js';
import type { StoreResultOutput } from './store-result.js';
import { createSummarizeHandler } from './summarize.js';
import type { SummarizeOutput } from './summarize.js';

/** The bucket name the in-process hand-offs use (nothing is written to S3). */
export const IN_PROCESS_BUCKET = 'fleet-dns-in-process';

/** How the in-cluster phase reaches clusters; absent: no runner (`--no-in-cluster`). */
export interface InProcessRunnerOptions {
  /** the runner Jobs' settings and request bounds (parseRunnerHandlerConfig) */
  readonly config: RunnerHandlerConfig;
  /** a bearer token for each cluster's API (EKS token, or a kubeconfig context's) */
  readonly tokenProvider: ClusterTokenProvider;
  /** @default createKubeClient */
  readonly kubeClientFactory?: KubeClientFactory;
  /** a new per-scan HMAC key @default 32 random bytes */
  readonly newHmacKey?: () => string;
  /** the wait between status reads (the state machine's WaitForRunner) @default 5000 */
  readonly pollIntervalMs?: number;
  /**
   * status reads before the runner is collected whatever it reports (the loop's bound)
   * @default enough polls to cover the Jobs' activeDeadlineSeconds plus a minute
   */
  readonly maxPolls?: number;
}

/** What the scan reports as it goes (the CLI's live task list). */
export type ScanProgressEvent =
  | { readonly kind: 'discovered'; readonly scanId: string; readonly items: readonly WorkItem[] }
  /** an item's CollectRegion began (its Map slot is taken) */
  | { readonly kind: 'region-started'; readonly accountId: string; readonly region: string }
  | {
      readonly kind: 'region-collected';
      readonly accountId: string;
      readonly region: string;
      readonly clusters: readonly string[];
      readonly gaps: number;
    }
  | {
      readonly kind: 'region-failed';
      readonly accountId: string;
      readonly region: string;
      readonly error: string;
    }
  | { readonly kind: 'runner-dispatched'; readonly clusterId: string }
  | { readonly kind: 'runner-collected'; readonly clusterId: string; readonly error?: string }
  | { readonly kind: 'cluster-stored'; readonly clusterId: string; readonly stored: StoreResultOutput };

export interface InProcessScanOptions {
  readonly store: ResultStore;
  /** accounts, regions, role name, ExternalId, home region */
  readonly scope: ScanScopeConfig;
  /**
   * only these clusters: `<accountId>:<region>:<name>` ids, or bare names (looked for in every
   * account×region of the scope) @default every cluster of the scope
   */
  readonly clusters?: readonly string[];
  /** the scan id @default a new one (newScanId) */
  readonly scanId?: string;
  /** the AWS side's clients and limits (tests inject STS and the client factory) */
  readonly fleet?: Omit<FleetOptions, 'homeRegion' | 'kubernetes'>;
  /** signs the EKS tokens the AWS-side Kubernetes reads use @default createEksToken */
  readonly tokenFactory?: (options: EksTokenOptions) => Promise<EksToken>;
  /** the cluster API client of the AWS-side reads @default createKubeClient */
  readonly kubeClientFactory?: KubeClientFactory;
  /** the in-cluster phase; absent: not run (its checks SKIPPED, saying so) */
  readonly runner?: InProcessRunnerOptions;
  /** why the in-cluster phase is not run (SKIPPED's reason) @default 'in-cluster checks not requested (--no-in-cluster)' */
  readonly runnerSkippedReason?: string;
  /** account×region items at once (the Distributed Map's maxConcurrency) @default 4 */
  readonly regionConcurrency?: number;
  /** clusters of one account×region at once (the inline Map's) @default 4 */
  readonly clusterConcurrency?: number;
  /** stops the scan cleanly (Ctrl-C) */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ScanProgressEvent) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Powertools per function @default silent ones */
  readonly powertools?: (serviceName: string) => Powertools;
}

/** What an in-process scan did. */
export interface InProcessScan {
  readonly scanId: string;
  readonly startedAt: string;
  readonly summary: SummarizeOutput;
  /** every cluster stored, in the order they were stored */
  readonly stored: readonly StoreResultOutput[];
  /** account×region items and the failures of those that failed */
  readonly items: readonly WorkItem[];
  /** the scan was stopped before it finished (what it had is stored) */
  readonly interrupted: boolean;
}

/** Metrics counted but never printed: in a CLI, stdout is the results. */
class SilentMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }
  override captureColdStartMetric(): void {
    // nothing: there is no cold start in process
  }
}

/** Powertools that print nothing (the default of an in-process scan). */
export function silentPowertools(serviceName: string): Powertools {
  return {
    logger: new Logger({ serviceName, logLevel: 'SILENT' }),
    metrics: new SilentMetrics({ serviceName, namespace: 'fleet-dns' }),
    tracer: new Tracer({ serviceName, enabled: false }),
  };
}

/** A Lambda context for a handler run in process. */
export function inProcessContext(functionName: string, region: string, requestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    // no account: the Security Hub export (off in process) is the only reader of it
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/fleet-dns/in-process/${functionName}`,
    logStreamName: 'in-process',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 900_000,
  };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What a Catch (States.ALL) hands on: the Lambda error as `{ Error, Cause }`. */
function caught(err: unknown): { Error: string; Cause: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { Error: e.name, Cause: JSON.stringify({ errorType: e.name, errorMessage: e.message }) };
}

/** An abortable wait: resolves early when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The work items' `clusterNames` for the requested clusters: ids go to their own item, bare names to every item. */
function narrowItems(items: readonly WorkItem[], clusters: readonly string[] | undefined): WorkItem[] {
  if (clusters === undefined || clusters.length === 0) return [...items];
  const bare = clusters.filter((c) => !c.includes(':'));
  const ids = clusters.filter((c) => c.includes(':')).map((c) => parseClusterId(c));
  return items
    .map((item) => {
      const names = [
        ...new Set([
          ...ids
            .filter((id) => id.accountId === item.accountId && id.region === item.region)
            .map((id) => id.name),
          ...bare,
        ]),
      ];
      return { ...item, clusterNames: names };
    })
    .filter((item) => item.clusterNames.length > 0);
}

/** The scope narrowed to the accounts and regions the requested cluster ids name (bare names keep the scope). */
function scopeOf(scope: ScanScopeConfig, clusters: readonly string[] | undefined): ScanScopeConfig {
  if (clusters === undefined || clusters.length === 0 || clusters.some((c) => !c.includes(':'))) return scope;
  const ids = clusters.map((c) => parseClusterId(c));
  return {
    ...scope,
    accounts: { mode: 'list', accounts: [...new Set(ids.map((i) => i.accountId))] },
    regions: { mode: 'list', regions: [...new Set(ids.map((i) => i.region))] },
  };
}

/** Runs one fleet scan in process; see the module comment. */
export async function runInProcessScan(o: InProcessScanOptions): Promise<InProcessScan> {
  const tools = o.powertools ?? silentPowertools;
  const staging: StagedObjects = memoryStagedObjects();
  const region = o.scope.homeRegion;
  let requests = 0;
  const ctx = (fn: string) =>
    inProcessContext(fn, region, `00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}`);
  const emit = (e: ScanProgressEvent) => o.onProgress?.(e);
  const stopped = () => o.signal?.aborted === true;

  // 1. Discover (the scope narrowed to what --cluster names)
  // A scan of named clusters collects only those: its items are not sized (largest first orders nothing).
  const fleet =
    o.clusters !== undefined && o.clusters.length > 0 ? { ...o.fleet, sizeItems: false } : o.fleet;
  const discovered = await createDiscoverHandler({
    ...tools('fleet-dns-discover'),
    staging,
    workBucket: IN_PROCESS_BUCKET,
    scope: scopeOf(o.scope, o.clusters),
    ...(fleet ? { fleet } : {}),
    ...(o.now ? { now: o.now } : {}),
  })(o.scanId !== undefined ? { scanId: o.scanId } : {}, ctx('fleet-dns-discover'));
  const { scanId, startedAt } = discovered;
  const items = narrowItems(
    workItemSchema.array().parse(await staging.getJson(discovered.workItems)),
    o.clusters,
  );
  emit({ kind: 'discovered', scanId, items });

  const collectRegion = createCollectRegionHandler({
    ...tools('fleet-dns-collect-region'),
    staging,
    workBucket: IN_PROCESS_BUCKET,
    homeRegion: region,
    ...(o.scope.externalId !== undefined ? { externalId: o.scope.externalId } : {}),
    ...(o.fleet ? { fleet: o.fleet } : {}),
    ...(o.kubeClientFactory ? { kubeClientFactory: o.kubeClientFactory } : {}),
    ...(o.tokenFactory ? { tokenFactory: o.tokenFactory } : {}),
  });
  const storeResult = createStoreResultHandler({
    ...tools('fleet-dns-store-result'),
    store: o.store,
    staging,
    ...(o.now ? { now: o.now } : {}),
  });
  const stored: StoreResultOutput[] = [];

  /** One cluster's branch of the inline Map. */
  const scanCluster = async (state: ClusterToScan): Promise<StoreResultOutput> => {
    const base = {
      scanId: state.scanId,
      startedAt: state.startedAt,
      clusterId: state.clusterId,
      awsResult: state.awsResult,
    };
    let extra: object = {};
    if (o.runner === undefined) {
      extra = {
        inClusterSkipped: o.runnerSkippedReason ?? 'in-cluster checks not requested (--no-in-cluster)',
      };
    } else if (state.cluster !== null && stopped()) {
      extra = {
        runnerError: caught(new Error('the scan was stopped (interrupted) before its runner was dispatched')),
      };
    } else if (state.cluster !== null) {
      extra = await runRunner(o.runner, { ...state, cluster: state.cluster });
    }
    const input = JSON.parse(JSON.stringify({ ...base, ...extra })) as object;
    const out = await storeResult(input, ctx('fleet-dns-store-result'));
    stored.push(out);
    emit({ kind: 'cluster-stored', clusterId: state.clusterId, stored: out });
    return out;
  };

  /** Dispatch → status loop → collect; a failure is the Catch's `runnerError`. */
  const runRunner = async (
    r: InProcessRunnerOptions,
    state: ClusterToScan & { cluster: NonNullable<ClusterToScan['cluster']> },
  ): Promise<object> => {
    const deps = (service: string) => ({
      ...tools(service),
      config: r.config,
      tokenProvider: r.tokenProvider,
      kubeClientFactory: r.kubeClientFactory ?? createKubeClient,
      ...(r.newHmacKey ? { newHmacKey: r.newHmacKey } : {}),
    });
    const ids = { scanId: state.scanId, clusterId: state.clusterId, cluster: state.cluster };
    const interval = r.pollIntervalMs ?? 5000;
    const maxPolls =
      r.maxPolls ??
      Math.ceil((((r.config.runner.activeDeadlineSeconds ?? 300) + 60) * 1000) / Math.max(interval, 1));
    try {
      await createDispatchRunnerHandler(deps('fleet-dns-dispatch-runner'))(
        { ...ids, corednsPods: state.corednsPods },
        ctx('fleet-dns-dispatch-runner'),
      );
      emit({ kind: 'runner-dispatched', clusterId: state.clusterId });
      const status = createRunnerStatusHandler(deps('fleet-dns-runner-status'));
      let last: RunnerStatusOutput | undefined;
      for (let polls = 0; polls < maxPolls && !stopped() && last?.done !== true; polls++) {
        await pause(polls === 0 ? Math.min(interval, 1000) : interval, o.signal);
        if (stopped()) break;
        last = await status(ids, ctx('fleet-dns-runner-status'));
      }
      // Collect reads what there is (a stopped runner's logs so far) and deletes the scan's objects.
      const collected = await createCollectRunnerHandler(deps('fleet-dns-collect-runner'))(
        ids,
        ctx('fleet-dns-collect-runner'),
      );
      emit({ kind: 'runner-collected', clusterId: state.clusterId });
      return stopped() && last?.done !== true
        ? { runnerError: caught(new Error('the scan was stopped (interrupted) while its runner ran')) }
        : { collected };
    } catch (err) {
      emit({ kind: 'runner-collected', clusterId: state.clusterId, error: errorText(err) });
      return { runnerError: caught(err) };
    }
  };

  // 2. The Distributed Map: one child per item; a failed child is recorded, never fatal.
  const children: { Input: string; Output?: string; Status: string; Error?: string; Cause?: string }[] = [];
  const regionLimit = pLimit(Math.max(1, o.regionConcurrency ?? 4));
  await Promise.all(
    items.map((item) =>
      regionLimit(async () => {
        const input = { scanId, startedAt, item };
        if (stopped()) {
          children.push({ Input: JSON.stringify(input), Status: 'PENDING' });
          return;
        }
        emit({ kind: 'region-started', accountId: item.accountId, region: item.region });
        try {
          const collected: CollectRegionOutput = await collectRegion(input, ctx('fleet-dns-collect-region'));
          emit({
            kind: 'region-collected',
            accountId: item.accountId,
            region: item.region,
            clusters: collected.clusters.map((c) => c.clusterId),
            gaps: collected.gaps.length,
          });
          const clusterLimit = pLimit(Math.max(1, o.clusterConcurrency ?? 4));
          const states = JSON.parse(JSON.stringify(collected.clusters)) as ClusterToScan[];
          const outs = await Promise.all(states.map((s) => clusterLimit(() => scanCluster(s))));
          children.push({
            Input: JSON.stringify(input),
            Output: JSON.stringify({ ...collected, stored: outs }),
            Status: 'SUCCEEDED',
          });
        } catch (err) {
          emit({
            kind: 'region-failed',
            accountId: item.accountId,
            region: item.region,
            error: errorText(err),
          });
          children.push({ Input: JSON.stringify(input), Status: 'FAILED', ...caught(err) });
        }
      }),
    ),
  );

  // 3. The ResultWriter's files, then Summarize.
  const prefix = `scans/${scanId}/map/in-process`;
  const byStatus = (s: string) => children.filter((c) => c.Status === s);
  const files: Record<string, { Key: string; Size: number }[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  for (const status of Object.keys(files)) {
    const list = byStatus(status);
    if (list.length === 0) continue;
    const key = `${prefix}/${status}_0.json`;
    await staging.putJson({ bucket: IN_PROCESS_BUCKET, key }, list);
    files[status]!.push({ Key: key, Size: JSON.stringify(list).length });
  }
  const manifest = { bucket: IN_PROCESS_BUCKET, key: `${prefix}/manifest.json` };
  await staging.putJson(manifest, { DestinationBucket: IN_PROCESS_BUCKET, ResultFiles: files });
  const summary = await createSummarizeHandler({
    ...tools('fleet-dns-summarize'),
    store: o.store,
    staging,
    workBucket: IN_PROCESS_BUCKET,
    ...(o.now ? { now: o.now } : {}),
  })(
    { scanId, startedAt, mapResult: { ResultWriterDetails: { Bucket: manifest.bucket, Key: manifest.key } } },
    ctx('fleet-dns-summarize'),
  );
  return { scanId, startedAt, summary, stored, items, interrupted: stopped() };
}
