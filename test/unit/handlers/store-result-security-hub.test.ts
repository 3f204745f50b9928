/**
 * store-result with the Security Hub export on, through its real middy wrapper, over DynamoDB
 * Local (the deployed store) and Security Hub behind aws-sdk-client-mock: each result that
 * becomes a cluster's latest is imported once as ASFF findings filed under the function's account
 * and region, a check that passes again is sent RESOLVED, a retry of the latest scan sends the same
 * findings again (so a first attempt that died before its export loses nothing), a late older
 * scan sends nothing, and a refused or failed import is logged and counted without failing the step.
 */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  BatchImportFindingsCommand,
  InternalException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding, BatchImportFindingsCommandInput } from '@aws-sdk/client-securityhub';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../../lambdas/aws/s3/index.js';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { asffFindingId } from '../../../lambdas/core/report/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { combineRunnerResults } from '../../../lambdas/core/runner-results/index.js';
import type { CheckResult, Status } from '../../../lambdas/core/schema/index.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { stagedAwsResultKey } from '../../../lambdas/handlers/pipeline-payload.js';
import { createStoreResultHandler } from '../../../lambdas/handlers/store-result.js';
import { dynamoTableDefinition, openDynamoStore } from '../../../lambdas/store/dynamodb/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import type { MemoryS3 } from '../aws/support/memory-s3.js';
import { probeResult } from '../kube/support/runner-cluster.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';

const REGION = 'eu-west-1';
const BUCKET = 'fleet-dns-work';
/** The central account the function runs in: not the clusters' (111122223333). */
const CENTRAL = '999988887777';
const ctx = {
  ...fakeContext('fleet-dns-store-result'),
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${CENTRAL}:function:fleet-dns-store-result`,
};
const SG = 'NET-SG-DNS-UDP';
const DHCP = 'NET-DHCP-OPTIONS';

describe.runIf(prerequisites(JAVA))('store-result with the Security Hub export', () => {
  let ddb: DynamoDbLocal;
  let store: ResultStore;
  let s3: MemoryS3;
  let output: OutputCapture;
  const hub = mockClient(SecurityHubClient);

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    ddb = await startDynamoDbLocal();
    const tableName = 'fleet-dns-security-hub';
    await ddb.client.send(new CreateTableCommand(dynamoTableDefinition(tableName).createTable));
    for (let i = 0; i < 100; i++) {
      const { Table } = await ddb.client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    s3 = installMemoryS3();
    store = openDynamoStore({
      tableName,
      client: DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } }),
      publish: async () => {},
      blobs: new S3BlobStore(new S3Client({ region: REGION }), BUCKET),
    });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    s3?.stub.restore();
    hub.restore();
    await ddb?.stop();
  }, 60_000);

  beforeEach(() => {
    hub.reset();
    // Security Hub imports what it is given (the real API's answer: SuccessCount, FailedCount, FailedFindings).
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => ({
      SuccessCount: input.Findings?.length ?? 0,
      FailedCount: 0,
      FailedFindings: [],
    }));
    output = captureOutput();
  });
  afterEach(() => output.restore());

  /** Each test its own cluster, so the tests share one table without sharing history. */
  const identity = (name: string) => ({ accountId: '111122223333', region: REGION, name });
  const clusterId = (name: string) => `111122223333:${REGION}:${name}`;
  const arn = (name: string) => `arn:aws:eks:${REGION}:111122223333:cluster/${name}`;

  /** The StoreResult payload of `scanId` for cluster `name`, its AWS-side result staged with the SG check `sg`. */
  function event(name: string, scanId: string, startedAt: string, sg: Status) {
    const checks: CheckResult[] = [
      makeResult(SG, { status: sg, evidence: { groups: ['sg-1'] } }),
      makeResult(DHCP, { status: 'WARN', evidence: { domainNameServers: ['10.0.0.2'] } }),
    ];
    const key = stagedAwsResultKey(scanId, clusterId(name));
    s3.putJson(BUCKET, key, buildClusterResult(identity(name), checks, { scan: { id: scanId, startedAt } }));
    return {
      scanId,
      startedAt,
      clusterId: clusterId(name),
      awsResult: { bucket: BUCKET, key },
      collected: {
        scanId,
        clusterId: clusterId(name),
        checks: combineRunnerResults(probeResult(), []),
        failures: {},
        statusCounts: {},
        jobs: [],
      },
    };
  }

  const handler = (securityHub: SecurityHubClient | null = new SecurityHubClient({ region: REGION })) =>
    createStoreResultHandler({
      ...createPowertools('fleet-dns-store-result'),
      store,
      staging: s3StagedObjects(new S3Client({ region: REGION })),
      ...(securityHub ? { securityHub } : {}),
    });

  /** Every call's findings, one list per BatchImportFindings call. */
  const calls = (): AwsSecurityFinding[][] =>
    hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings ?? []);
  const lastEmf = () =>
    output
      .lines()
      .filter((l) => '_aws' in l)
      .at(-1);

  it('imports each new latest result once; a check passing again is RESOLVED; a retry or a late older scan sends nothing', async () => {
    const name = 'prod-a';
    const first = await handler()(event(name, 'scan-1', '2026-12-01T02:00:00Z', 'FAIL'), ctx);
    expect(calls()).toHaveLength(1);
    const sent1 = calls()[0]!;
    expect(first).toMatchObject({ outcome: 'stored', latest: true });
    expect(first.securityHub).toEqual({ imported: sent1.length, failed: [] });
    const sg1 = sent1.find((f) => f.Id === asffFindingId(arn(name), SG));
    expect(sg1).toMatchObject({
      AwsAccountId: CENTRAL,
      ProductArn: `arn:aws:securityhub:${REGION}:${CENTRAL}:product/${CENTRAL}/default`,
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      Resources: [{ Id: arn(name) }],
    });
    expect(sent1.find((f) => f.Id === asffFindingId(arn(name), DHCP))?.Compliance?.Status).toBe('WARNING');
    // only FAIL and WARN go out: no PASS (DNS-INTERNAL), no ERROR (DNS-CAPTURE without queries)
    expect(sent1.every((f) => f.RecordState === 'ACTIVE')).toBe(true);
    expect(sent1.map((f) => f.Id)).not.toContain(asffFindingId(arn(name), 'DNS-INTERNAL'));

    // the Map retries the step: a duplicate that is latest is exported again, the very same
    // findings (the stored document and transitions), which Security Hub takes as an update
    const retry = await handler()(event(name, 'scan-1', '2026-12-01T02:00:00Z', 'FAIL'), ctx);
    expect(retry).toMatchObject({ outcome: 'duplicate', latest: true });
    expect(calls()).toHaveLength(2);
    expect(calls()[1]).toEqual(sent1);
    hub.resetHistory();

    // the next scan: the SG check passes again → sent RESOLVED with the same Id; the WARN stays active
    const second = await handler()(event(name, 'scan-2', '2026-12-02T02:00:00Z', 'PASS'), ctx);
    expect(calls()).toHaveLength(1);
    const sent2 = calls()[0]!;
    expect(second.securityHub).toEqual({ imported: sent2.length, failed: [] });
    expect(sent2.find((f) => f.Id === asffFindingId(arn(name), SG))).toMatchObject({
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
    });
    expect(sent2.find((f) => f.Id === asffFindingId(arn(name), DHCP))?.RecordState).toBe('ACTIVE');

    // an older scan arriving late goes into history, not latest: it must not reopen the finding
    const late = await handler()(event(name, 'scan-0', '2026-11-30T02:00:00Z', 'FAIL'), ctx);
    expect(late).toMatchObject({ outcome: 'stored', latest: false });
    expect(late).not.toHaveProperty('securityHub');
    expect(calls()).toHaveLength(1);
  });

  it('a step that stored the result but failed to publish its regression is retried, and the retry exports', async () => {
    const name = 'prod-publish';
    await handler()(event(name, 'scan-1', '2026-12-01T02:00:00Z', 'PASS'), ctx);
    hub.resetHistory();
    let failures = 1;
    const flaky = openDynamoStore({
      tableName: 'fleet-dns-security-hub',
      client: DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } }),
      publish: async () => {
        if (failures-- > 0) throw new Error('EventBridge unavailable (test)');
      },
      blobs: new S3BlobStore(new S3Client({ region: REGION }), BUCKET),
    });
    const flakyHandler = createStoreResultHandler({
      ...createPowertools('fleet-dns-store-result'),
      store: flaky,
      staging: s3StagedObjects(new S3Client({ region: REGION })),
      securityHub: new SecurityHubClient({ region: REGION }),
    });
    // the SG check regresses: the result is stored, its event's publish fails, the step fails
    await expect(flakyHandler(event(name, 'scan-2', '2026-12-02T02:00:00Z', 'FAIL'), ctx)).rejects.toThrow();
    expect(calls()).toHaveLength(0);
    // the Map's retry: a duplicate, the pending event published, and the findings exported
    const retry = await flakyHandler(event(name, 'scan-2', '2026-12-02T02:00:00Z', 'FAIL'), ctx);
    // two events: the SG check regressed, and the gate flipped to fail
    expect(retry).toMatchObject({ outcome: 'duplicate', latest: true, published: 2 });
    expect(calls()).toHaveLength(1);
    expect(calls()[0]!.find((f) => f.Id === asffFindingId(arn(name), SG))).toMatchObject({
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
    });
    await flaky.close();
  });

  it('the export off: nothing is sent and the output has no securityHub', async () => {
    const out = await handler(null)(event('prod-off', 'scan-1', '2026-12-01T02:00:00Z', 'FAIL'), ctx);
    expect(out).toMatchObject({ outcome: 'stored', latest: true });
    expect(out).not.toHaveProperty('securityHub');
    expect(calls()).toHaveLength(0);
  });

  it('findings Security Hub refuses are in the output, logged and counted', async () => {
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
      const all = input.Findings ?? [];
      return {
        SuccessCount: all.length - 1,
        FailedCount: 1,
        FailedFindings: [{ Id: all[0]!.Id, ErrorCode: 'AccessDeniedException', ErrorMessage: 'denied' }],
      };
    });
    const name = 'prod-refused';
    const out = await handler()(event(name, 'scan-1', '2026-12-01T02:00:00Z', 'FAIL'), ctx);
    const sent = calls()[0]!;
    expect(out.securityHub).toEqual({
      imported: sent.length - 1,
      failed: [{ id: sent[0]!.Id, code: 'AccessDeniedException', message: 'denied' }],
    });
    expect(output.logs().find((l) => l.message === 'Security Hub refused findings')).toMatchObject({
      level: 'ERROR',
      clusterId: clusterId(name),
    });
    expect(lastEmf()).toMatchObject({
      SecurityHubImportFailed: 1,
      SecurityHubFindingsImported: sent.length - 1,
    });
  });

  it('a failed import is logged and counted, not thrown: the result is stored and the step succeeds', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejects(
        new InternalException({ $metadata: { httpStatusCode: 500 }, message: 'Security Hub is down' }),
      );
    const name = 'prod-down';
    const out = await handler()(event(name, 'scan-1', '2026-12-01T02:00:00Z', 'FAIL'), ctx);
    expect(out).toMatchObject({ outcome: 'stored', latest: true });
    expect(out).not.toHaveProperty('securityHub');
    expect((await store.getLatest(clusterId(name)))?.scan?.id).toBe('scan-1');
    const sent = calls()[0]!;
    expect(
      output.logs().find((l) => l.message === 'Security Hub import failed; the result is stored'),
    ).toMatchObject({
      level: 'ERROR',
      findings: sent.length,
      error: expect.stringContaining('Security Hub is down'),
    });
    expect(lastEmf()).toMatchObject({ SecurityHubImportFailed: sent.length, ClusterResultsStored: 1 });
  });
});
