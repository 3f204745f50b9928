import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import { checkResultSchema } from '../../../lambdas/core/schema/index.js';

/** A pk/sk table on demand: the harness's own, not the store's design. */
const harnessTable = (TableName: string) =>
  new CreateTableCommand({
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  });

describe.runIf(prerequisites(JAVA))('DynamoDB Local harness', () => {
  let ddb: DynamoDbLocal;
  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await ddb?.stop();
  });

  it('writes and reads back a check result item in a real table', async () => {
    await ddb.client.send(harnessTable('harness'));
    const doc = DynamoDBDocumentClient.from(ddb.client, { marshallOptions: { removeUndefinedValues: true } });
    const result = makeResult('NET-SG-DNS-UDP', {
      status: 'FAIL',
      evidence: { blockedPairs: [{ from: 'eni-1', to: 'coredns-a' }] },
    });
    await doc.send(
      new PutCommand({
        TableName: 'harness',
        Item: { pk: 'CLUSTER#111122223333:eu-west-1:prod-a', sk: 'CHECK#NET-SG-DNS-UDP', result },
      }),
    );

    const read = await doc.send(
      new GetCommand({
        TableName: 'harness',
        Key: { pk: 'CLUSTER#111122223333:eu-west-1:prod-a', sk: 'CHECK#NET-SG-DNS-UDP' },
      }),
    );
    expect(checkResultSchema.parse(read.Item?.result)).toEqual(result);

    const missing = await doc.send(
      new GetCommand({ TableName: 'harness', Key: { pk: 'CLUSTER#nope', sk: 'CHECK#NET-SG-DNS-UDP' } }),
    );
    expect(missing.Item).toBeUndefined();
  });
});

describe.runIf(prerequisites(JAVA))('DynamoDB Local harness with a database file (dbPath)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-dns-ddb-file-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the table in a file in that directory: a second emulator on it reads the item back', async () => {
    const key = { pk: 'CLUSTER#111122223333:eu-west-1:prod-a', sk: 'LATEST' };
    const first = await startDynamoDbLocal({ dbPath: dir });
    try {
      await first.client.send(harnessTable('harness-file'));
      await DynamoDBDocumentClient.from(first.client).send(
        new PutCommand({ TableName: 'harness-file', Item: { ...key, status: 'FAIL' } }),
      );
    } finally {
      await first.stop();
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.db'))).toHaveLength(1);

    // in memory (the default) the table would be gone with the first process
    const second = await startDynamoDbLocal({ dbPath: dir });
    try {
      const read = await DynamoDBDocumentClient.from(second.client).send(
        new GetCommand({ TableName: 'harness-file', Key: key }),
      );
      expect(read.Item).toEqual({ ...key, status: 'FAIL' });
    } finally {
      await second.stop();
    }
  }, 120_000);
});
