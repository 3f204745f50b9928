/**
 * The fleet API handler, invoked with API Gateway REST (v1) proxy events against an embedded
 * store in a temporary file: every endpoint, every documented 4xx, paging through every page,
 * and every response body checked against ../shared/result.schema.json (ajv) or the zod schemas
 * of lambdas/core/schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { fleetReportSchema, fleetSummarySchema } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { createApiHandler } from '../../../lambdas/handlers/api.js';
import type { ApiGatewayProxyEvent, ApiLambda, ScanStartRequest } from '../../../lambdas/handlers/api.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { dynamoTableDefinition, openDynamoStore } from '../../../lambdas/store/dynamodb/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { JAVA, startDynamoDbLocal } from '../../support/dynamodb-local.js';
import type { DynamoDbLocal } from '../../support/dynamodb-local.js';
import {
  expectValid,
  finishedResult,
  PROD_A,
  PROD_B,
  resultSchemaValidators,
  STAGE_A,
  storeApiFleet,
  UNKNOWN,
} from '../../support/api-fleet.js';
import type { ResultSchemaValidators } from '../../support/api-fleet.js';
import { prerequisites } from '../../support/prerequisites.js';
import { SHARED_DOCS } from '../../support/shared-docs.js';
import { ACCOUNT_A, ACCOUNT_B, clusterResult, fleetSummary } from '../store/contract.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';

const NOW = new Date('2025-06-10T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const result = finishedResult;

// ------------------------------------------------------------------------------------------
// Response shapes: result.schema.json for what it defines, zod for the rest.

const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    parameter: z.string().optional(),
  }),
});
const pageSchema = z.strictObject({ items: z.array(z.unknown()), nextCursor: z.string().min(1).nullable() });
const startedSchema = z.strictObject({
  scanId: z.string().min(1),
  scope: z.enum(['fleet', 'cluster']),
  clusterId: z.string().optional(),
});

let validators: ResultSchemaValidators;
const valid = expectValid;

/** The response, its body parsed as JSON and checked against what the endpoint answers. */
interface JsonResponse {
  status: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------

function event(
  method: string,
  rawPath: string,
  query: Record<string, string | string[]> = {},
  body: string | null = null,
): ApiGatewayProxyEvent {
  const entries = Object.entries(query);
  return {
    resource: '/{proxy+}',
    path: rawPath,
    httpMethod: method,
    headers: { Host: 'api.example.com' },
    multiValueHeaders: { Host: ['api.example.com'] },
    queryStringParameters:
      entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k, [v].flat().at(-1)!])) : null,
    multiValueQueryStringParameters:
      entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k, [v].flat()])) : null,
    pathParameters: { proxy: rawPath.slice(1) },
    stageVariables: null,
    requestContext: { domainName: 'api.example.com', stage: 'prod', requestId: 'r-1' },
    body,
    isBase64Encoded: false,
  };
}

const cluster = (id: string, tail = '') => `/clusters/${encodeURIComponent(id)}${tail}`;

describe.runIf(prerequisites(SHARED_DOCS))('the fleet API handler', () => {
  let dir: string;
  let store: ResultStore;
  let output: OutputCapture;
  let started: ScanStartRequest[];
  let api: ApiLambda;
  let apiWithoutStarter: ApiLambda;

  beforeAll(async () => {
    validators = resultSchemaValidators();

    dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-api-'));
    store = openEmbeddedStore({ path: path.join(dir, 'results.db'), now: () => NOW });
    await storeApiFleet(store, hoursAgo);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    output = captureOutput();
    started = [];
    const tools = createPowertools('fleet-dns-api-test');
    api = createApiHandler({
      ...tools,
      store,
      now: () => NOW,
      startScan: async (request) => {
        started.push(request);
        return { scanId: `scan-started-${started.length}` };
      },
    });
    apiWithoutStarter = createApiHandler({
      ...createPowertools('fleet-dns-api-test'),
      store,
      now: () => NOW,
    });
  });

  afterEach(() => output.restore());

  async function call(e: ApiGatewayProxyEvent, handler: ApiLambda = api): Promise<JsonResponse> {
    const res = await handler(e, fakeContext('fleet-dns-api'));
    expect(res.headers?.['content-type']).toBe('application/json');
    const body = JSON.parse(res.body) as Record<string, unknown>;
    if (res.statusCode >= 400) expect(errorSchema.safeParse(body).error).toBeUndefined();
    return { status: res.statusCode, headers: res.headers ?? {}, body };
  }

  /** A 4xx answer: the status, the error code, and the parameter it names. */
  async function expectError(
    e: ApiGatewayProxyEvent,
    status: number,
    code: string,
    parameter?: string,
    handler?: ApiLambda,
  ): Promise<void> {
    const res = await call(e, handler);
    expect(res.status).toBe(status);
    const { error } = errorSchema.parse(res.body);
    expect(error.code).toBe(code);
    if (parameter !== undefined) {
      expect(error.parameter).toBe(parameter);
      expect(error.message.startsWith(`${parameter}:`)).toBe(true);
    }
  }

  function clusterPage(body: unknown): { items: ClusterResult[]; nextCursor: string | null } {
    const page = pageSchema.parse(body);
    for (const item of page.items) valid(validators.clusterResult, item);
    return page as { items: ClusterResult[]; nextCursor: string | null };
  }

  function findingPage(body: unknown) {
    const page = pageSchema.parse(body);
    for (const item of page.items) {
      valid(validators.checkResult, item);
      const { cluster: identity, scan } = item as { cluster: unknown; scan: unknown };
      valid(validators.clusterIdentity, identity);
      expect(scan).toMatchObject({ id: expect.any(String), startedAt: expect.any(String) });
    }
    return page as {
      items: Array<{ id: string; status: string; severity: string; muted: boolean; cluster: { id: string } }>;
      nextCursor: string | null;
    };
  }

  /** Every page of a list, following nextCursor with `limit`. */
  async function allPages<T>(
    rawPath: string,
    query: Record<string, string>,
    parse: (body: unknown) => { items: T[]; nextCursor: string | null },
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(event('GET', rawPath, cursor === null ? query : { ...query, cursor }));
      expect(res.status).toBe(200);
      const page = parse(res.body);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(50);
    } while (cursor !== null);
    return { items, pages };
  }

  describe('GET /summary and GET /scans/{scanId}', () => {
    it('answers the newest fleet scan run', async () => {
      const res = await call(event('GET', '/summary'));
      expect(res.status).toBe(200);
      const summary = fleetSummarySchema.parse(res.body);
      expect(summary.scan.id).toBe('scan-2');
      expect(summary.clusters).toBe(3);
    });

    it('answers one scan run, 404 for an unknown one, 400 for a malformed id', async () => {
      const res = await call(event('GET', '/scans/scan-1'));
      expect(res.status).toBe(200);
      expect(fleetSummarySchema.parse(res.body).scan.id).toBe('scan-1');
      await expectError(event('GET', '/scans/no-such-scan'), 404, 'unknown-scan');
      await expectError(
        event('GET', `/scans/${encodeURIComponent('a b')}`),
        400,
        'invalid-parameter',
        'scanId',
      );
    });

    it('refuses parameters an endpoint does not take, naming them', async () => {
      await expectError(event('GET', '/summary', { verbose: '1' }), 400, 'unknown-parameter', 'verbose');
    });
  });

  describe('GET /clusters', () => {
    it('lists the latest result of every cluster by id, and pages through all of them', async () => {
      const first = await call(event('GET', '/clusters'));
      expect(first.status).toBe(200);
      const page = clusterPage(first.body);
      expect(page.items.map((c) => c.cluster.id)).toEqual([STAGE_A, PROD_A, PROD_B].sort());
      expect(page.nextCursor).toBeNull();
      expect(page.items.find((c) => c.cluster.id === PROD_A)?.scan?.id).toBe('scan-2');

      const paged = await allPages('/clusters', { limit: '1' }, clusterPage);
      expect(paged.pages).toBe(3);
      expect(paged.items.map((c) => c.cluster.id)).toEqual(page.items.map((c) => c.cluster.id));
    });

    it('filters by account, region and status (unmuted checks only), ANDed', async () => {
      const ids = async (query: Record<string, string>) =>
        clusterPage((await call(event('GET', '/clusters', query))).body).items.map((c) => c.cluster.id);
      expect(await ids({ account: ACCOUNT_A })).toEqual([STAGE_A, PROD_A].sort());
      expect(await ids({ region: 'us-east-1' })).toEqual([PROD_B]);
      // stage-a's FAIL is muted: only prod-a has an unmuted FAIL.
      expect(await ids({ status: 'FAIL' })).toEqual([PROD_A]);
      expect(await ids({ status: 'ERROR', account: ACCOUNT_A })).toEqual([STAGE_A]);
      expect(await ids({ status: 'FAIL', account: ACCOUNT_B })).toEqual([]);
    });

    it.each([
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ limit: '1.5' }, 'limit'],
      [{ limit: ['1', '2'] }, 'limit'],
      [{ account: '1234' }, 'account'],
      [{ region: 'EU_WEST' }, 'region'],
      [{ status: 'BROKEN' }, 'status'],
      [{ cursor: '' }, 'cursor'],
    ])('400 for %j, naming %s', async (query, parameter) => {
      await expectError(event('GET', '/clusters', query), 400, 'invalid-parameter', parameter);
    });

    it('400 for a tampered cursor, and for a cursor of other filters', async () => {
      const first = clusterPage((await call(event('GET', '/clusters', { limit: '1' }))).body);
      const cursor = first.nextCursor!;
      // A character in the middle: base64url's last character may carry unused bits, so changing
      // it can leave the decoded bytes (and the cursor) the same.
      const middle = Math.floor(cursor.length / 2);
      const swapped = cursor[middle] === 'A' ? 'B' : 'A';
      const tampered = `${cursor.slice(0, middle)}${swapped}${cursor.slice(middle + 1)}`;
      await expectError(
        event('GET', '/clusters', { limit: '1', cursor: tampered }),
        400,
        'invalid-cursor',
        'cursor',
      );
      await expectError(
        event('GET', '/clusters', { limit: '1', cursor: 'garbage' }),
        400,
        'invalid-cursor',
        'cursor',
      );
      await expectError(
        event('GET', '/clusters', { limit: '1', cursor, account: ACCOUNT_A }),
        400,
        'invalid-cursor',
        'cursor',
      );
    });
  });

  describe('GET /clusters/{id} and /clusters/{id}/scans', () => {
    it('answers a cluster result for a URL-encoded id (and a raw one)', async () => {
      for (const rawPath of [cluster(PROD_A), `/clusters/${PROD_A}`]) {
        const res = await call(event('GET', rawPath));
        expect(res.status).toBe(200);
        valid(validators.clusterResult, res.body);
        expect((res.body as unknown as ClusterResult).cluster.id).toBe(PROD_A);
      }
    });

    it('404 for a well-formed unknown id, 400 for a malformed one', async () => {
      await expectError(event('GET', cluster(UNKNOWN)), 404, 'unknown-cluster');
      await expectError(event('GET', cluster('prod-a')), 400, 'invalid-cluster-id', 'id');
      await expectError(
        event('GET', cluster(`${ACCOUNT_A}:eu-west-1:bad name`)),
        400,
        'invalid-cluster-id',
        'id',
      );
      await expectError(event('GET', '/clusters/%E0%A4%A'), 400, 'malformed-path');
    });

    it('lists the history newest first, paged', async () => {
      const paged = await allPages(cluster(PROD_A, '/scans'), { limit: '1' }, clusterPage);
      expect(paged.pages).toBe(2);
      expect(paged.items.map((c) => c.scan?.id)).toEqual(['scan-2', 'scan-1']);
      const whole = clusterPage((await call(event('GET', cluster(PROD_A, '/scans')))).body);
      expect(whole.items).toHaveLength(2);
      expect(whole.nextCursor).toBeNull();
    });

    it('404 for the history of an unknown cluster; 400 for a bad limit or cursor', async () => {
      await expectError(event('GET', cluster(UNKNOWN, '/scans')), 404, 'unknown-cluster');
      await expectError(
        event('GET', cluster(PROD_A, '/scans'), { limit: '500' }),
        400,
        'invalid-parameter',
        'limit',
      );
      const first = clusterPage((await call(event('GET', cluster(PROD_A, '/scans'), { limit: '1' }))).body);
      // A cursor of another cluster's history is not accepted either.
      await expectError(
        event('GET', cluster(STAGE_A, '/scans'), { limit: '1', cursor: first.nextCursor! }),
        400,
        'invalid-cursor',
        'cursor',
      );
    });
  });

  describe('GET /findings', () => {
    it('lists every check of every latest result with the cluster beside it, paged', async () => {
      const whole = findingPage((await call(event('GET', '/findings'))).body);
      expect(whole.items).toHaveLength(7);
      expect(whole.nextCursor).toBeNull();
      const paged = await allPages('/findings', { limit: '2' }, findingPage);
      expect(paged.pages).toBe(4);
      expect(paged.items.map((f) => `${f.cluster.id} ${f.id}`)).toEqual(
        whole.items.map((f) => `${f.cluster.id} ${f.id}`),
      );
    });

    it('ANDs check, status, severity, account, region and muted', async () => {
      const keys = async (query: Record<string, string>) =>
        findingPage((await call(event('GET', '/findings', query))).body).items.map(
          (f) => `${f.cluster.id} ${f.id}`,
        );
      expect(await keys({ check: 'DNS-INTERNAL', status: 'FAIL' })).toEqual(
        [`${STAGE_A} DNS-INTERNAL`, `${PROD_A} DNS-INTERNAL`].sort(),
      );
      expect(await keys({ check: 'DNS-INTERNAL', status: 'FAIL', muted: 'false' })).toEqual([
        `${PROD_A} DNS-INTERNAL`,
      ]);
      expect(await keys({ muted: 'true' })).toEqual([`${STAGE_A} DNS-INTERNAL`]);
      expect(await keys({ status: 'PASS', region: 'us-east-1', account: ACCOUNT_B })).toEqual([
        `${PROD_B} DNS-INTERNAL`,
        `${PROD_B} NET-SG-DNS-UDP`,
      ]);
      const critical = findingPage(
        (await call(event('GET', '/findings', { severity: 'critical' }))).body,
      ).items;
      expect(critical.every((f) => f.severity === 'critical')).toBe(true);
      expect(await keys({ status: 'WARN', account: ACCOUNT_B })).toEqual([]);
    });

    it.each([
      [{ check: 'dns-internal' }, 'check'],
      [{ status: 'fail' }, 'status'],
      [{ severity: 'urgent' }, 'severity'],
      [{ muted: 'yes' }, 'muted'],
      [{ account: 'ABCDEFGHIJKL' }, 'account'],
      [{ limit: '-1' }, 'limit'],
    ])('400 for %j, naming %s', async (query, parameter) => {
      await expectError(event('GET', '/findings', query), 400, 'invalid-parameter', parameter);
    });

    it('400 for a tampered cursor', async () => {
      const first = findingPage((await call(event('GET', '/findings', { limit: '2' }))).body);
      const [body, signature] = first.nextCursor!.split('.') as [string, string];
      const tampered = `${body.slice(0, -2)}${body.at(-2) === 'x' ? 'y' : 'x'}${body.at(-1)}.${signature}`;
      await expectError(
        event('GET', '/findings', { limit: '2', cursor: tampered }),
        400,
        'invalid-cursor',
        'cursor',
      );
    });
  });

  describe('GET /clusters/{id}/gate', () => {
    it('fails a cluster whose newest scan has an unmuted critical FAIL', async () => {
      const res = await call(event('GET', cluster(PROD_A, '/gate'), { targetVersion: '1.33' }));
      expect(res.status).toBe(200);
      valid(validators.gateDecision, res.body);
      expect(res.body.decision).toBe('fail');
      expect(res.body.reasons).toContainEqual(
        expect.objectContaining({ code: 'check-failed', checkId: 'DNS-INTERNAL' }),
      );
      expect(res.body.scan).toMatchObject({ id: 'scan-2' });
    });

    it('is 200 unknown/no-scan for a well-formed id never scanned', async () => {
      const res = await call(event('GET', cluster(UNKNOWN, '/gate')));
      expect(res.status).toBe(200);
      valid(validators.gateDecision, res.body);
      expect(res.body).toMatchObject({ decision: 'unknown', scan: null });
      expect((res.body.reasons as Array<{ code: string }>)[0]?.code).toBe('no-scan');
    });

    it('is unknown (check-error) for a cluster with an unmuted ERROR and only a muted FAIL', async () => {
      const res = await call(event('GET', cluster(STAGE_A, '/gate')));
      valid(validators.gateDecision, res.body);
      expect(res.body.decision).toBe('unknown');
      expect((res.body.reasons as Array<{ code: string }>).map((r) => r.code)).toContain('check-error');
    });

    it('400 for a malformed id or targetVersion', async () => {
      await expectError(event('GET', cluster('not-an-id', '/gate')), 400, 'invalid-cluster-id', 'id');
      for (const targetVersion of ['1.33.0', 'latest', ''])
        await expectError(
          event('GET', cluster(PROD_A, '/gate'), { targetVersion }),
          400,
          'invalid-parameter',
          'targetVersion',
        );
    });
  });

  describe('POST /scans', () => {
    it('starts a fleet scan or one cluster through the starter: 202 with the scan id', async () => {
      const fleet = await call(event('POST', '/scans', {}, null));
      expect(fleet.status).toBe(202);
      expect(startedSchema.parse(fleet.body)).toEqual({ scanId: 'scan-started-1', scope: 'fleet' });
      const one = await call(event('POST', '/scans', {}, JSON.stringify({ clusterId: PROD_B })));
      expect(one.status).toBe(202);
      expect(startedSchema.parse(one.body)).toEqual({
        scanId: 'scan-started-2',
        scope: 'cluster',
        clusterId: PROD_B,
      });
      expect(started).toEqual([{}, { clusterId: PROD_B }]);
    });

    it('400 for a bad body, starting nothing', async () => {
      await expectError(event('POST', '/scans', {}, '{not json'), 400, 'invalid-body', 'body');
      await expectError(
        event('POST', '/scans', {}, JSON.stringify({ clusterId: 'x' })),
        400,
        'invalid-cluster-id',
        'id',
      );
      await expectError(
        event('POST', '/scans', {}, JSON.stringify({ cluster: PROD_A })),
        400,
        'invalid-body',
        'body.cluster',
      );
      await expectError(
        event('POST', '/scans', {}, JSON.stringify({ clusterId: 7 })),
        400,
        'invalid-body',
        'body.clusterId',
      );
      expect(started).toEqual([]);
    });

    it('503 scan-starter-unavailable when no starter is configured', async () => {
      await expectError(
        event('POST', '/scans', {}, '{}'),
        503,
        'scan-starter-unavailable',
        undefined,
        apiWithoutStarter,
      );
    });
  });

  describe('GET /reports/compliance', () => {
    it('serves the fleet report as JSON, CSV and HTML with their media types', async () => {
      const asJson = await api(event('GET', '/reports/compliance', { format: 'json' }), fakeContext('api'));
      expect(asJson.statusCode).toBe(200);
      expect(asJson.headers?.['content-type']).toBe('application/json');
      const report = fleetReportSchema.parse(JSON.parse(asJson.body));
      expect(report.scan.id).toBe('scan-2');
      expect(report.clusters.map((c) => c.cluster.id)).toEqual([STAGE_A, PROD_A, PROD_B].sort());
      for (const c of report.clusters) valid(validators.clusterResult, c);

      const byDefault = await api(event('GET', '/reports/compliance'), fakeContext('api'));
      expect(byDefault.headers?.['content-type']).toBe('application/json');

      const csv = await api(event('GET', '/reports/compliance', { format: 'csv' }), fakeContext('api'));
      expect(csv.statusCode).toBe(200);
      expect(String(csv.headers?.['content-type'])).toMatch(/^text\/csv/);
      const rows = csv.body.trim().split(/\r\n/);
      expect(rows[0]).toMatch(/^account_id,region,cluster_name,/);
      expect(rows).toHaveLength(1 + 7);

      const html = await api(event('GET', '/reports/compliance', { format: 'html' }), fakeContext('api'));
      expect(html.statusCode).toBe(200);
      expect(html.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(html.body).toMatch(/^<!doctype html>/i);
      expect(html.body).toContain('prod-a');
    });

    it('400 for a format it does not serve', async () => {
      for (const format of ['pdf', 'sarif', ''])
        await expectError(
          event('GET', '/reports/compliance', { format }),
          400,
          'invalid-parameter',
          'format',
        );
    });
  });

  describe('anything else', () => {
    it('404 JSON for an unknown route or method', async () => {
      await expectError(event('GET', '/nope'), 404, 'not-found');
      await expectError(event('DELETE', '/clusters'), 404, 'not-found');
      await expectError(event('GET', '/clusters/a/b/c'), 404, 'not-found');
    });

    it('answers requests in flight together each with its own body, no internal header showing', async () => {
      // The routes set their bodies aside per request (api.ts `bodiesSetAside`): requests
      // resolved concurrently must not see each other's.
      const events = [
        event('GET', '/summary'),
        event('GET', cluster(PROD_A)),
        event('GET', cluster(PROD_B)),
        event('GET', '/clusters', { status: 'FAIL' }),
        event('GET', '/nope'),
        event('GET', '/clusters', { limit: '0' }),
        event('GET', cluster(UNKNOWN)),
      ];
      const alone = [];
      for (const e of events) alone.push(await api(e, fakeContext('api')));
      const together = await Promise.all(events.map((e) => api(e, fakeContext('api'))));
      expect(together.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 404, 400, 404]);
      expect(together.map((r) => r.body)).toEqual(alone.map((r) => r.body));
      expect((JSON.parse(together[1]!.body) as ClusterResult).cluster.id).toBe(PROD_A);
      expect((JSON.parse(together[2]!.body) as ClusterResult).cluster.id).toBe(PROD_B);
      for (const r of together) {
        const names = [...Object.keys(r.headers ?? {}), ...Object.keys(r.multiValueHeaders ?? {})];
        expect(names.filter((n) => n.toLowerCase().startsWith('x-fleet-dns'))).toEqual([]);
        expect(r.headers?.['x-content-type-options']).toBe('nosniff');
      }
    });

    it('answers 500 internal, not a body set aside, when the store fails', async () => {
      const failing = createApiHandler({
        ...createPowertools('fleet-dns-api-test'),
        store: {
          ...store,
          getSummary: async () => {
            throw new Error('the table is gone');
          },
        } as ResultStore,
      });
      await expectError(event('GET', '/summary'), 500, 'internal', undefined, failing);
      const ok = await call(event('GET', cluster(PROD_A)));
      expect(ok.status).toBe(200);
    });

    it('logs each request with the cluster id of its path', async () => {
      await call(event('GET', cluster(PROD_A)));
      const line = output.logs().find((l) => l.message === 'request');
      expect(line).toMatchObject({ clusterId: PROD_A, status: 200, method: 'GET' });
    });
  });
});

describe('without a store', () => {
  it('the deployed entry point names TABLE_NAME when it cannot be wired', async () => {
    const saved = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME;
    try {
      const { handler } = await import('../../../lambdas/handlers/api.js');
      await expect(handler(event('GET', '/summary'), fakeContext('api'))).rejects.toThrow(/TABLE_NAME/);
    } finally {
      if (saved !== undefined) process.env.TABLE_NAME = saved;
    }
  });
});

describe('a mutelist stored after the scan', () => {
  let dir: string;
  let store: ResultStore;
  let api: ApiLambda;
  let output: OutputCapture;
  const call = async (e: ApiGatewayProxyEvent) => {
    const res = await api(e, fakeContext('fleet-dns-api'));
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-api-mute-'));
    store = openEmbeddedStore({ path: path.join(dir, 'results.db'), now: () => NOW });
    await store.putClusterResult(
      result(PROD_A, 'scan-2', hoursAgo(2), { 'DNS-INTERNAL': 'FAIL', 'NET-SG-DNS-UDP': 'PASS' }),
    );
    await store.putClusterResult(
      result(PROD_B, 'scan-2', hoursAgo(2), { 'DNS-INTERNAL': 'FAIL', 'NET-SG-DNS-UDP': 'PASS' }),
    );
    await store.putScanRun({ ...fleetSummary('scan-2', hoursAgo(2)), clusters: 2 });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    output = captureOutput();
    api = createApiHandler({ ...createPowertools('fleet-dns-api-test'), store, now: () => NOW });
  });
  afterEach(() => output.restore());

  it('counts at once for the gate, the cluster, its history and the compliance report; lists keep the stored flags', async () => {
    const gate = () => call(event('GET', cluster(PROD_A, '/gate')));
    expect((await gate()).body).toMatchObject({ decision: 'fail' });
    await store.putMutelist({
      Mutelist: {
        Accounts: {
          [ACCOUNT_A]: {
            Checks: {
              'DNS-INTERNAL': {
                Regions: ['eu-west-1'],
                Resources: ['prod-a'],
                Reason: 'CHG-1234: resolver migration',
              },
            },
          },
        },
      },
    });
    expect((await gate()).body).toMatchObject({ decision: 'pass' });
    const internal = (r: unknown) => (r as ClusterResult).checks.find((c) => c.id === 'DNS-INTERNAL');
    const latest = await call(event('GET', cluster(PROD_A)));
    expect(internal(latest.body)).toMatchObject({
      status: 'FAIL', // muted keeps its real status
      muted: true,
      mutedReason: 'CHG-1234: resolver migration',
    });
    const history = await call(event('GET', cluster(PROD_A, '/scans')));
    expect(internal((history.body.items as unknown[])[0])).toMatchObject({ muted: true });
    // the other account's cluster is not matched
    expect((await call(event('GET', cluster(PROD_B, '/gate')))).body).toMatchObject({ decision: 'fail' });
    const report = JSON.parse(
      (await api(event('GET', '/reports/compliance', { format: 'json' }), fakeContext('api'))).body,
    ) as { clusters: ClusterResult[] };
    expect(report.clusters.map((c) => [c.cluster.id, internal(c)?.muted])).toEqual([
      [PROD_A, true],
      [PROD_B, false],
    ]);
    // list filters select by the flags stored with the scan
    const failing = await call(event('GET', '/clusters', { status: 'FAIL' }));
    expect((failing.body.items as ClusterResult[]).map((c) => c.cluster.id)).toEqual([PROD_A, PROD_B]);
  });
});

describe.runIf(prerequisites(JAVA))('the deployed entry point with TABLE_NAME and STATE_MACHINE_ARN', () => {
  const sfn = mockClient(SFNClient);
  let ddb: DynamoDbLocal;
  let saved: Record<string, string | undefined>;
  const ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:fleet-scan';

  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
    const env = {
      TABLE_NAME: 'fleet-dns-results',
      STATE_MACHINE_ARN: ARN,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    await ddb.client.send(new CreateTableCommand(dynamoTableDefinition('fleet-dns-results').createTable));
  }, 120_000); // a JVM start on a busy machine
  afterAll(async () => {
    sfn.restore();
    for (const [k, v] of Object.entries(saved ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await ddb?.stop();
  });

  it('serves from the DynamoDB store of that table and starts scans on that state machine', async () => {
    const store = openDynamoStore({
      tableName: 'fleet-dns-results',
      client: DynamoDBDocumentClient.from(ddb.client),
    });
    await store.putClusterResult(
      clusterResult({
        account: ACCOUNT_A,
        region: 'eu-west-1',
        name: 'prod-a',
        scanId: 's-1',
        startedAt: new Date().toISOString(),
        checks: { 'DNS-INTERNAL': 'PASS' },
      }),
    );
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x`, startDate: new Date() });
    vi.resetModules();
    const { handler } = await import('../../../lambdas/handlers/api.js');
    const res = await handler(event('GET', `/clusters/${encodeURIComponent(PROD_A)}`), fakeContext('api'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ cluster: { id: PROD_A } });
    const unknown = await handler(
      event('GET', `/clusters/${encodeURIComponent(UNKNOWN)}/gate`),
      fakeContext('api'),
    );
    expect(JSON.parse(unknown.body)).toMatchObject({ decision: 'unknown', reasons: [{ code: 'no-scan' }] });

    const started = await handler(
      event('POST', '/scans', {}, JSON.stringify({ clusterId: PROD_A })),
      fakeContext('api'),
    );
    expect(started.statusCode).toBe(202);
    const { scanId } = JSON.parse(started.body) as { scanId: string };
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: ARN, name: scanId, input: JSON.stringify({ scanId, clusterId: PROD_A }) },
    ]);
  });

  it('refuses a STATE_MACHINE_ARN that is not one, naming it', async () => {
    process.env.STATE_MACHINE_ARN = 'fleet-scan';
    try {
      vi.resetModules();
      const { handler } = await import('../../../lambdas/handlers/api.js');
      await expect(handler(event('GET', '/summary'), fakeContext('api'))).rejects.toThrow(
        /STATE_MACHINE_ARN/,
      );
    } finally {
      process.env.STATE_MACHINE_ARN = ARN;
    }
  });
});
