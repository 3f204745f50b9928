/**
 * The DynamoDB store against DynamoDB Local (AWS's own jar, in memory, on loopback: design.md
 * "DynamoDB in tests is real"), one fresh table per store. Every request passes a recorder that
 * fails a Scan, so "no Scan on any request path" is checked by the whole contract suite.
 */
import { gunzipSync } from 'node:zlib';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBase64,
  dynamoTableDefinition,
  openDynamoStore,
  STORE_CLIENT_CONFIG,
  TTL_ATTRIBUTE,
} from '../../../lambdas/store/dynamodb/index.js';
import { MemoryBlobStore } from '../../../lambdas/store/index.js';
import type { RegressionEvent } from '../../../lambdas/store/index.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { clusterResult, describeStoreContract } from './contract.js';

let ddb: DynamoDbLocal | undefined;
let endpoint = '';
let tables = 0;
/** Every command name sent by any store of this file. */
const sent: string[] = [];

const java = prerequisites(JAVA);
beforeAll(async () => {
  if (!java) return;
  ddb = await startDynamoDbLocal();
  endpoint = ddb.endpoint;
}, 120_000); // a JVM start on a busy 2-core machine
afterAll(async () => {
  await ddb?.stop();
});

function baseClient(): DynamoDBClient {
  const client = new DynamoDBClient({
    ...STORE_CLIENT_CONFIG,
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      if (context.commandName === 'ScanCommand') throw new Error('a Scan on a request path');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return client;
}

/** A new empty table, ACTIVE, and a document client on it. */
async function freshTable(): Promise<{ tableName: string; client: DynamoDBDocumentClient }> {
  const tableName = `fleet-dns-results-${++tables}`;
  const base = baseClient();
  await base.send(new CreateTableCommand(dynamoTableDefinition(tableName).createTable));
  for (let i = 0; i < 100; i++) {
    const { Table } = await base.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    tableName,
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
  };
}

describe.runIf(java)('on DynamoDB Local', () => {
  describeStoreContract('DynamoDB (DynamoDB Local)', async (options) => {
    const { tableName, client } = await freshTable();
    const store = openDynamoStore({ tableName, client, ...options });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      client.destroy();
    };
    return store;
  });

  describe('DynamoDB store', () => {
    it('sent no Scan, and the recorder does see the requests (GetItem, Query, PutItem)', async () => {
      const { tableName, client } = await freshTable();
      const store = openDynamoStore({ tableName, client, blobs: new MemoryBlobStore() });
      sent.length = 0;
      await store.putClusterResult(
        clusterResult({
          scanId: 's0',
          startedAt: '2025-06-01T00:00:00Z',
          checks: { 'DNS-INTERNAL': 'PASS' },
        }),
      );
      await store.listClusters({ status: 'PASS' });
      await store.listFindings({});
      await store.listClusterScans('111122223333:eu-west-1:prod-a');
      await store.close();
      client.destroy();
      expect(new Set(sent)).toEqual(
        new Set(['GetItemCommand', 'PutItemCommand', 'QueryCommand', 'UpdateItemCommand']),
      );
    });

    it('defines the README table: PK/SK, four GSIs with projection ALL, TTL on expiresAt', () => {
      const { createTable, timeToLive } = dynamoTableDefinition('t');
      expect(createTable.KeySchema).toEqual([
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ]);
      expect(createTable.BillingMode).toBe('PAY_PER_REQUEST');
      expect(
        createTable.GlobalSecondaryIndexes?.map((g) => [
          g.IndexName,
          g.KeySchema?.map((k) => k.AttributeName),
          g.Projection?.ProjectionType,
        ]),
      ).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4'].map((n) => [n, [`${n}PK`, `${n}SK`], 'ALL']));
      expect(timeToLive).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(TTL_ATTRIBUTE).toBe('expiresAt');
    });

    it('puts the TTL attribute on history items, startedAt + ttlDays in epoch seconds', async () => {
      const { tableName, client } = await freshTable();
      const store = openDynamoStore({
        tableName,
        client,
        ttlDays: 10,
        blobs: new MemoryBlobStore(),
        now: () => new Date('2025-06-02T00:00:00Z'),
      });
      await store.putClusterResult(
        clusterResult({
          scanId: 's0',
          startedAt: '2025-06-01T00:00:00Z',
          checks: { 'DNS-INTERNAL': 'PASS' },
        }),
      );
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: {
            PK: { S: 'CLUSTER#111122223333:eu-west-1:prod-a' },
            SK: { S: 'SCAN#2025-06-01T00:00:00.000Z#s0' },
          },
        }),
      );
      expect(Item?.[TTL_ATTRIBUTE]).toEqual({ N: String(Date.parse('2025-06-11T00:00:00Z') / 1000) });
      await store.close();
      client.destroy();
    });

    it("stores LATEST, history and STATUS# documents gzip'd as binary, and still reads items written before", async () => {
      const { tableName, client } = await freshTable();
      const store = openDynamoStore({
        tableName,
        client,
        blobs: new MemoryBlobStore(),
        now: () => new Date('2025-06-02T00:00:00Z'),
      });
      const result = clusterResult({
        scanId: 's0',
        startedAt: '2025-06-01T00:00:00Z',
        checks: { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': 'FAIL' },
      });
      await store.putClusterResult(result);
      const id = '111122223333:eu-west-1:prod-a';
      const key = (sk: string) => ({ PK: { S: `CLUSTER#${id}` }, SK: { S: sk } });
      for (const sk of ['LATEST', 'SCAN#2025-06-01T00:00:00.000Z#s0']) {
        const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key(sk) }));
        expect(Item?.doc?.B, sk).toBeInstanceOf(Uint8Array);
        expect(Item?.transitions?.B, sk).toBeInstanceOf(Uint8Array);
        const text = gunzipSync(Item!.doc!.B!).toString('utf8');
        expect(JSON.parse(text).cluster.id, sk).toBe(id);
        expect(Item!.doc!.B!.byteLength, sk).toBeLessThan(Buffer.byteLength(text));
      }
      const stored = await store.getLatest(id);
      // an item from before packing: the same document as JSON text in the same attributes
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: `CLUSTER#${id}`,
            SK: 'LATEST',
            GSI4PK: 'LATEST',
            GSI4SK: id,
            scanId: 's0',
            scanOrderKey: '2025-06-01T00:00:00.000Z#s0',
            region: 'eu-west-1',
            doc: JSON.stringify(stored),
            transitions: '[]',
          },
        }),
      );
      expect(await store.getLatest(id)).toEqual(stored);
      // The STATUS# item carries the document too: the list by status is one Query.
      const { Item: failing } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key('STATUS#FAIL') }),
      );
      expect(JSON.parse(gunzipSync(failing!.doc!.B!).toString('utf8'))).toEqual(stored);
      expect((await store.listClusters({ status: 'FAIL' })).items).toEqual([stored]);
      expect((await store.listClustersJson({ status: 'FAIL' })).items).toEqual([JSON.stringify(stored)]);
      // A STATUS# item from before it carried one is answered from LATEST (here, the JSON text).
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: `CLUSTER#${id}`,
            SK: 'STATUS#FAIL',
            scanOrderKey: '2025-06-01T00:00:00.000Z#s0',
            GSI2PK: 'CSTATUS#FAIL',
            GSI2SK: id,
            region: 'eu-west-1',
          },
        }),
      );
      sent.length = 0;
      expect((await store.listClusters({ status: 'FAIL' })).items).toEqual([stored]);
      expect(sent).toEqual(['QueryCommand', 'BatchGetItemCommand']);
      expect((await store.listClustersJson({ status: 'FAIL' })).items).toEqual([JSON.stringify(stored)]);
      // a LATEST text that is not JSON is an error, never a broken answer
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: `CLUSTER#${id}`, SK: 'LATEST' },
          UpdateExpression: 'SET doc = :cut',
          ExpressionAttributeValues: { ':cut': JSON.stringify(stored).slice(0, 100) },
        }),
      );
      await expect(store.listClustersJson({ status: 'FAIL' })).rejects.toThrow(SyntaxError);
      await expect(store.listClusters({ status: 'FAIL' })).rejects.toThrow(SyntaxError);
      await store.close();
      client.destroy();
    });

    it("reads binary attributes through the client's base64Decoder (the SDK hook STORE_CLIENT_CONFIG sets)", async () => {
      const { tableName } = await freshTable();
      const decoded: string[] = [];
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        base64Decoder: (text: string) => {
          decoded.push(text);
          return decodeBase64(text);
        },
      });
      const store = openDynamoStore({
        tableName,
        client: DynamoDBDocumentClient.from(client),
        now: () => new Date('2025-06-02T00:00:00Z'),
      });
      const result = clusterResult({
        scanId: 's0',
        startedAt: '2025-06-01T00:00:00Z',
        checks: { 'NET-SG-DNS-UDP': 'FAIL' },
      });
      await store.putClusterResult(result);
      decoded.length = 0;
      const [listed] = (await store.listClusters({ status: 'FAIL' })).items;
      expect(listed?.cluster.id).toBe(result.cluster.id);
      // the STATUS# item's gzip'd document came through the hook
      expect(decoded).toHaveLength(1);
      expect(gunzipSync(Buffer.from(decoded[0]!, 'base64')).toString('utf8')).toBe(JSON.stringify(listed));
      await store.close();
      client.destroy();
    });

    it('the recorder fails a Scan', async () => {
      const { tableName, client } = await freshTable();
      await expect(client.send(new ScanCommand({ TableName: tableName }))).rejects.toThrow(/Scan/);
      client.destroy();
    });

    it('a put that died between its writes (no transactions) is completed by its retry', async () => {
      const { tableName, client } = await freshTable();
      let crashes = 1;
      // the process "dies" at the LATEST write: history, guard and first sightings are written
      const flaky = Object.create(client) as DynamoDBDocumentClient;
      flaky.send = (async (command: unknown) => {
        if (command instanceof PutCommand && command.input.Item?.SK === 'LATEST' && crashes-- > 0)
          throw new Error('crashed (test)');
        return client.send(command as PutCommand);
      }) as DynamoDBDocumentClient['send'];
      const events: RegressionEvent[] = [];
      const store = openDynamoStore({
        tableName,
        client: flaky,
        blobs: new MemoryBlobStore(),
        now: () => new Date('2025-06-05T00:00:00Z'),
        publish: async (e) => {
          events.push(e);
        },
      });
      const put = (n: number, status: 'PASS' | 'FAIL') =>
        clusterResult({
          scanId: `s${n}`,
          startedAt: `2025-06-0${n + 1}T00:00:00Z`,
          checks: { 'NET-SG-DNS-UDP': status },
        });
      crashes = 0;
      await store.putClusterResult(put(0, 'PASS'));
      crashes = 1;
      await expect(store.putClusterResult(put(1, 'FAIL'))).rejects.toThrow(/crashed/);
      const id = '111122223333:eu-west-1:prod-a';
      expect((await store.getLatest(id))?.scan?.id).toBe('s0');
      expect(events).toEqual([]);
      const retry = await store.putClusterResult(put(1, 'FAIL'));
      expect(retry).toMatchObject({ outcome: 'duplicate', latest: true, published: 2 });
      expect((await store.getLatest(id))?.scan?.id).toBe('s1');
      expect((await store.listFindings({ status: 'FAIL' })).items.map((f) => f.scan.id)).toEqual(['s1']);
      expect(events.map((e) => e.id).sort()).toEqual([`${id}/s1/NET-SG-DNS-UDP`, `${id}/s1/gate`]);
      await store.close();
      client.destroy();
    });
  });
});
