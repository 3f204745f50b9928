/**
 * What the in-process runs of the fleet-scan state machine share (test/unit/handlers/pipeline.test.ts
 * over fake runner pods, test/lab/pipeline.test.ts over the lab's real runner): the results table
 * on DynamoDB Local behind the DynamoDB store (EventBridge and S3 from the SDK clients the test
 * mocks), one cluster's branch of the inline Map, and the Distributed Map's ResultWriter output
 * Summarize reads — each passing exactly the JSON the state machine passes (the payload contract).
 */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventBridgePublisher } from '../../lambdas/aws/eventbridge/index.js';
import { S3BlobStore, s3StagedObjects } from '../../lambdas/aws/s3/index.js';
import { createCollectRunnerHandler } from '../../lambdas/handlers/collect-runner.js';
import { createDispatchRunnerHandler } from '../../lambdas/handlers/dispatch-runner.js';
import type { DispatchRunnerDeps } from '../../lambdas/handlers/dispatch-runner.js';
import type { ClusterToScan } from '../../lambdas/handlers/pipeline-payload.js';
import { createRunnerStatusHandler } from '../../lambdas/handlers/runner-status.js';
import type { RunnerStatusOutput } from '../../lambdas/handlers/runner-status.js';
import { createStoreResultHandler } from '../../lambdas/handlers/store-result.js';
import type { StoreResultOutput } from '../../lambdas/handlers/store-result.js';
import { createPowertools } from '../../lambdas/handlers/middleware.js';
import { dynamoTableDefinition, openDynamoStore } from '../../lambdas/store/dynamodb/index.js';
import type { ResultStore } from '../../lambdas/store/index.js';
import type { MemoryS3 } from '../unit/aws/support/memory-s3.js';
import { fakeContext } from '../unit/handlers/support.js';
import type { DynamoDbLocal } from './dynamodb-local.js';

/** Options of {@link openPipelineStore}. */
export interface PipelineStoreOptions {
  readonly tableName: string;
  readonly region: string;
  /** the event bus regressions are published to */
  readonly busName: string;
  /** the bucket of large result blobs (the work bucket) */
  readonly bucket: string;
}

/**
 * Creates the results table on `ddb` (the stack's definition), waits until it is ACTIVE and
 * opens the DynamoDB store over it, publishing with EventBridge and keeping blobs in S3 — the
 * clients the test mocks.
 */
export async function openPipelineStore(ddb: DynamoDbLocal, o: PipelineStoreOptions): Promise<ResultStore> {
  await ddb.client.send(new CreateTableCommand(dynamoTableDefinition(o.tableName).createTable));
  for (let i = 0; i < 100; i++) {
    const { Table } = await ddb.client.send(new DescribeTableCommand({ TableName: o.tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return openDynamoStore({
    tableName: o.tableName,
    client: DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } }),
    publish: eventBridgePublisher({
      busName: o.busName,
      client: new EventBridgeClient({ region: o.region }),
    }),
    blobs: new S3BlobStore(new S3Client({ region: o.region }), o.bucket),
  });
}

/** Options of {@link scanClusterBranch}. */
export interface ClusterBranchOptions {
  /** the runner handlers' deps (dispatch, status and collect share them), per function name */
  readonly runnerDeps: (service: string) => DispatchRunnerDeps;
  readonly store: ResultStore;
  readonly s3: () => S3Client;
  /** the wait loop's bound (the state machine's max polls) @default 5 */
  readonly maxPolls?: number;
  /** WaitForRunner before each status read @default 0 */
  readonly waitMs?: number;
}

/** One cluster's branch: what StoreResult was given and answered, and the wait loop's readings. */
export interface ClusterBranch {
  readonly input: object;
  readonly output: StoreResultOutput;
  readonly statuses: RunnerStatusOutput[];
}

/** StoreResult over the branch's store and S3. */
export const storeResultHandler = (o: Pick<ClusterBranchOptions, 'store' | 's3'>) =>
  createStoreResultHandler({
    ...createPowertools('fleet-dns-store-result'),
    store: o.store,
    staging: s3StagedObjects(o.s3()),
  });

/**
 * The inline Map's branch of one cluster: Dispatchable? → Dispatch → (WaitForRunner →
 * RunnerStatus) until done or the bound → Collect → StoreResult; the Catch (States.ALL) on the
 * runner steps → StoreResult with `runnerError`. Step Functions hands the state on as JSON.
 */
export async function scanClusterBranch(
  state: ClusterToScan,
  o: ClusterBranchOptions,
): Promise<ClusterBranch> {
  const ctx = fakeContext;
  const base = {
    scanId: state.scanId,
    startedAt: state.startedAt,
    clusterId: state.clusterId,
    awsResult: state.awsResult,
  };
  const statuses: RunnerStatusOutput[] = [];
  let extra: object = {};
  if (state.cluster !== null) {
    const ids = { scanId: state.scanId, clusterId: state.clusterId, cluster: state.cluster };
    try {
      await createDispatchRunnerHandler(o.runnerDeps('fleet-dns-dispatch-runner'))(
        { ...ids, corednsPods: state.corednsPods },
        ctx('fleet-dns-dispatch-runner'),
      );
      const status = createRunnerStatusHandler(o.runnerDeps('fleet-dns-runner-status'));
      for (let polls = 0; polls < (o.maxPolls ?? 5); polls++) {
        if (o.waitMs) await new Promise((r) => setTimeout(r, o.waitMs));
        statuses.push(await status(ids, ctx('fleet-dns-runner-status')));
        if (statuses[statuses.length - 1]?.done) break;
      }
      const collected = await createCollectRunnerHandler(o.runnerDeps('fleet-dns-collect-runner'))(
        ids,
        ctx('fleet-dns-collect-runner'),
      );
      extra = { collected };
    } catch (err) {
      const e = err as Error;
      extra = {
        runnerError: { Error: e.name, Cause: JSON.stringify({ errorType: e.name, errorMessage: e.message }) },
      };
    }
  }
  const input = JSON.parse(JSON.stringify({ ...base, ...extra })) as object;
  return { input, output: await storeResultHandler(o)(input, ctx('fleet-dns-store-result')), statuses };
}

/** One Distributed Map child as the ResultWriter records it. */
export interface MapChild {
  readonly Input: string;
  readonly Output: string;
  readonly Status: 'SUCCEEDED' | 'FAILED';
}

/**
 * Writes what the Distributed Map's ResultWriter writes for `children` (SUCCEEDED_0.json and the
 * manifest under scans/<scanId>/map/run-1) and answers the Map's output, Summarize's `mapResult`.
 */
export function writeMapResult(
  s3: MemoryS3,
  o: { bucket: string; scanId: string; region: string; accountId: string; children: readonly MapChild[] },
): { ResultWriterDetails: { Bucket: string; Key: string } } {
  const prefix = `scans/${o.scanId}/map/run-1`;
  s3.putJson(o.bucket, `${prefix}/SUCCEEDED_0.json`, o.children);
  s3.putJson(o.bucket, `${prefix}/manifest.json`, {
    DestinationBucket: o.bucket,
    MapRunArn: `arn:aws:states:${o.region}:${o.accountId}:mapRun:fleet-scan/CollectRegions:run-1`,
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: 1 }] },
  });
  return { ResultWriterDetails: { Bucket: o.bucket, Key: `${prefix}/manifest.json` } };
}
