/**
 * The fleet API as users reach it without AWS: `fleet-dns serve --table` (the real CLI process)
 * over real HTTP on loopback, with DynamoDB Local behind it (AWS_ENDPOINT_URL_DYNAMODB). Every
 * endpoint of conventions.md § API and every documented 4xx; every JSON body checked against
 * result.schema.json (cluster results, check results, gate decisions) or the zod schema of what
 * the schema does not define (the fleet summary, list pages, errors).
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fleetReportSchema, fleetSummarySchema } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { dynamoTableDefinition, openDynamoStore } from '../../../lambdas/store/dynamodb/index.js';
import {
  expectValid as valid,
  PROD_A,
  PROD_B,
  resultSchemaValidators,
  STAGE_A,
  startServe,
  storeApiFleet,
  UNKNOWN,
} from '../../support/api-fleet.js';
import type { ResultSchemaValidators, ServeProcess } from '../../support/api-fleet.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import { prerequisites } from '../../support/prerequisites.js';
import { SHARED_DOCS } from '../../support/shared-docs.js';
import { ACCOUNT_A } from '../../unit/store/contract.js';

const TABLE = 'fleet-dns-serve-test';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    parameter: z.string().optional(),
  }),
});
const pageSchema = z.strictObject({ items: z.array(z.unknown()), nextCursor: z.string().min(1).nullable() });

describe.runIf(prerequisites(JAVA, SHARED_DOCS))(
  'fleet-dns serve --table over HTTP, DynamoDB Local behind it',
  () => {
    let ddb: DynamoDbLocal;
    let serve: ServeProcess;
    let base = '';
    let schemaOf: ResultSchemaValidators;

    /** A request; JSON bodies parsed, error bodies checked against the error shape. */
    async function http(method: string, path: string, body?: string) {
      const res = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      const json = type.startsWith('application/json')
        ? (JSON.parse(text) as Record<string, unknown>)
        : undefined;
      if (res.status >= 400) expect(errorSchema.safeParse(json).error, `${method} ${path}`).toBeUndefined();
      return { status: res.status, type, text, json: json ?? {} };
    }
    const get = (path: string) => http('GET', path);
    const clusterPath = (id: string, tail = '') => `/clusters/${encodeURIComponent(id)}${tail}`;
    const errorCode = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string }).code;

    beforeAll(async () => {
      schemaOf = resultSchemaValidators();
      ddb = await startDynamoDbLocal();
      await ddb.client.send(new CreateTableCommand(dynamoTableDefinition(TABLE).createTable));
      const store = openDynamoStore({ tableName: TABLE, client: DynamoDBDocumentClient.from(ddb.client) });
      await storeApiFleet(store, hoursAgo);
      await store.close();
      serve = await startServe(['--table', TABLE], {
        AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
        // every other AWS call (a scan POST /scans starts) goes to a closed loopback port
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'servetest', // DynamoDB Local takes letters and digits only
        AWS_SECRET_ACCESS_KEY: 'servetest',
      });
      base = serve.base;
    }, 180_000);

    afterAll(async () => {
      const { child } = serve ?? {};
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ddb?.stop();
    });

    it('GET /summary: the newest fleet scan run', async () => {
      const r = await get('/summary');
      expect(r.status).toBe(200);
      expect(fleetSummarySchema.parse(r.json)).toMatchObject({ scan: { id: 'scan-2' }, clusters: 3 });
      expect(errorCode(await get('/summary?x=1'))).toBe('unknown-parameter');
    });

    it('GET /clusters: filters, every page once, and its 4xx', async () => {
      const all = await get('/clusters');
      expect(all.status).toBe(200);
      const page = pageSchema.parse(all.json);
      page.items.forEach((c) => valid(schemaOf.clusterResult, c));
      expect(page.items.map((c) => (c as ClusterResult).cluster.id)).toEqual(
        [PROD_A, STAGE_A, PROD_B].sort(),
      );

      const ids = async (q: string) =>
        (pageSchema.parse((await get(`/clusters?${q}`)).json).items as ClusterResult[]).map(
          (c) => c.cluster.id,
        );
      expect(await ids('status=FAIL')).toEqual([PROD_A]); // stage-a's FAIL is muted
      expect(await ids('status=ERROR')).toEqual([STAGE_A]);
      expect(await ids(`account=${ACCOUNT_A}`)).toEqual([PROD_A, STAGE_A]);
      expect(await ids('region=us-east-1')).toEqual([PROD_B]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await get(`/clusters?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const p = pageSchema.parse(r.json);
        expect(p.items).toHaveLength(1);
        seen.push((p.items[0] as ClusterResult).cluster.id);
        cursor = p.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual([PROD_A, STAGE_A, PROD_B].sort());

      const first = pageSchema.parse((await get('/clusters?limit=1')).json).nextCursor!;
      const i = Math.floor(first.length / 2);
      const tampered = `${first.slice(0, i)}${first[i] === 'A' ? 'B' : 'A'}${first.slice(i + 1)}`;
      for (const [q, code] of [
        [`limit=1&cursor=${encodeURIComponent(tampered)}`, 'invalid-cursor'],
        ['limit=0', 'invalid-parameter'],
        ['limit=101', 'invalid-parameter'],
        ['status=BROKEN', 'invalid-parameter'],
        ['account=12', 'invalid-parameter'],
        ['colour=red', 'unknown-parameter'],
      ] as const) {
        const r = await get(`/clusters?${q}`);
        expect([r.status, errorCode(r)], q).toEqual([400, code]);
      }
    });

    it('GET /clusters/{id} and /clusters/{id}/scans: latest, history newest first, 404 and 400', async () => {
      const latest = await get(clusterPath(PROD_A));
      expect(latest.status).toBe(200);
      valid(schemaOf.clusterResult, latest.json);
      expect(latest.json).toMatchObject({ cluster: { id: PROD_A }, scan: { id: 'scan-2' } });

      const history = await get(clusterPath(PROD_A, '/scans'));
      const items = pageSchema.parse(history.json).items as ClusterResult[];
      items.forEach((c) => valid(schemaOf.clusterResult, c));
      expect(items.map((c) => c.scan?.id)).toEqual(['scan-2', 'scan-1']);
      const internal = items[0]!.checks.find((c) => c.id === 'DNS-INTERNAL')!;
      expect(internal).toMatchObject({ status: 'FAIL', firstSeenAt: items[0]!.scan!.startedAt });

      for (const path of [clusterPath(UNKNOWN), clusterPath(UNKNOWN, '/scans')]) {
        const r = await get(path);
        expect([r.status, errorCode(r)], path).toEqual([404, 'unknown-cluster']);
      }
      const bad = await get('/clusters/not-a-cluster-id');
      expect([bad.status, errorCode(bad)]).toEqual([400, 'invalid-cluster-id']);
      expect((await get(`${clusterPath(PROD_A, '/scans')}?limit=500`)).status).toBe(400);
    });

    it('GET /scans/{scanId}: a stored run, 404 for another', async () => {
      const r = await get('/scans/scan-1');
      expect(r.status).toBe(200);
      expect(fleetSummarySchema.parse(r.json).scan.id).toBe('scan-1');
      const missing = await get('/scans/scan-404');
      expect([missing.status, errorCode(missing)]).toEqual([404, 'unknown-scan']);
    });

    it('GET /findings: ANDed filters, check results with the cluster beside them, and its 4xx', async () => {
      const r = await get('/findings?check=DNS-INTERNAL&status=FAIL');
      const items = pageSchema.parse(r.json).items as (Record<string, unknown> & {
        cluster: { id: string };
      })[];
      for (const f of items) {
        const { cluster, scan, ...check } = f;
        valid(schemaOf.checkResult, check);
        valid(schemaOf.clusterIdentity, cluster);
        expect(scan).toMatchObject({ id: 'scan-2' });
      }
      expect(items.map((f) => [f.cluster.id, f.muted])).toEqual([
        [PROD_A, false],
        [STAGE_A, true],
      ]);
      const unmuted = pageSchema.parse(
        (await get('/findings?check=DNS-INTERNAL&status=FAIL&muted=false')).json,
      );
      expect((unmuted.items as { cluster: { id: string } }[]).map((f) => f.cluster.id)).toEqual([PROD_A]);
      for (const q of ['severity=urgent', 'muted=maybe', 'check=NOT-A-CHECK', 'limit=x']) {
        const bad = await get(`/findings?${q}`);
        expect([bad.status, errorCode(bad)], q).toEqual([400, 'invalid-parameter']);
      }
    });

    it('GET /clusters/{id}/gate: fail, pass, unknown for a cluster never scanned; 400 for a bad target', async () => {
      const gate = async (id: string, q = '') => {
        const r = await get(clusterPath(id, `/gate${q}`));
        expect(r.status).toBe(200);
        valid(schemaOf.gateDecision, r.json);
        return r.json;
      };
      expect(await gate(PROD_A)).toMatchObject({
        decision: 'fail',
        reasons: [expect.objectContaining({ code: 'check-failed', checkId: 'DNS-INTERNAL' })],
      });
      expect(await gate(PROD_B, '?targetVersion=1.33')).toMatchObject({ decision: 'pass' });
      expect(await gate(UNKNOWN)).toMatchObject({ decision: 'unknown', reasons: [{ code: 'no-scan' }] });
      const bad = await get(clusterPath(PROD_A, '/gate?targetVersion=one.two'));
      expect([bad.status, errorCode(bad)]).toEqual([400, 'invalid-parameter']);
      const badId = await get('/clusters/nope/gate');
      expect([badId.status, errorCode(badId)]).toEqual([400, 'invalid-cluster-id']);
    });

    it('POST /scans: its body checked first, then the scan is started in the serve process (202)', async () => {
      const bad = await http('POST', '/scans', JSON.stringify({ cluster: PROD_A }));
      expect([bad.status, errorCode(bad)]).toEqual([400, 'invalid-body']);
      const notJson = await http('POST', '/scans', '{');
      expect([notJson.status, errorCode(notJson)]).toEqual([400, 'invalid-body']);
      const r = await http('POST', '/scans', JSON.stringify({ clusterId: PROD_A }));
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ scope: 'cluster', clusterId: PROD_A });
    });

    it('GET /reports/compliance: json, csv and html with their media types; 400 for another format', async () => {
      const json = await get('/reports/compliance?format=json');
      expect(json.type).toBe('application/json');
      const report = fleetReportSchema.parse(json.json);
      expect(report.clusters.map((c) => c.cluster.id)).toEqual([PROD_A, STAGE_A, PROD_B].sort());
      report.clusters.forEach((c) => valid(schemaOf.clusterResult, c));
      const csv = await get('/reports/compliance?format=csv');
      expect(csv.type).toMatch(/^text\/csv/);
      expect(csv.text.split('\n')[0]).toMatch(/check/i);
      expect(csv.text).toContain(`${ACCOUNT_A},eu-west-1,prod-a`);
      const html = await get('/reports/compliance?format=html');
      expect(html.type).toBe('text/html; charset=utf-8');
      expect(html.text).toMatch(/^<!doctype html>/i);
      const pdf = await get('/reports/compliance?format=pdf');
      expect([pdf.status, errorCode(pdf)]).toEqual([400, 'invalid-parameter']);
    });

    it('anything else: 404 for an unknown path or a method no route takes, in the error shape', async () => {
      const missing = await get('/nothing-here');
      expect([missing.status, errorCode(missing)]).toEqual([404, 'not-found']);
      // the router has no route for DELETE at all (behind API Gateway, undeclared methods never arrive)
      const wrong = await http('DELETE', '/summary');
      expect([wrong.status, errorCode(wrong)]).toEqual([404, 'not-found']);
    });
  },
);
