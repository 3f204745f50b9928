/**
 * The fleet API (conventions.md § API) on the Powertools event-handler HTTP Router: summary,
 * clusters, history, scans, findings, starting a scan, the upgrade gate and the compliance
 * report, all read through the {@link ResultStore} interface. Wrapped in middy with Powertools
 * Tracer, Logger and Metrics like every handler. `fleet-dns serve` calls the same handler with
 * API Gateway REST (v1) proxy events built from local HTTP requests.
 *
 * Every answer to user input is a 2xx or a 4xx with `{ "error": { "code", "message" } }` (the
 * message names the parameter); lists answer `{ "items", "nextCursor" }`.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { HttpError, Router } from '@aws-lambda-powertools/event-handler/http';
import { z } from 'zod';
import { decideGate, GateInputError, validateGateRequest } from '../core/gate/index.js';
import { renderReport, REPORT_MEDIA_TYPES, reportModel } from '../core/report/index.js';
import { ClusterIdentityError, parseClusterId, regionProblem } from '../core/results/index.js';
import {
  ACCOUNT_ID_PATTERN,
  checkIdSchema,
  fleetReportSchema,
  formatSchemaError,
  SEVERITIES,
  STATUSES,
} from '../core/schema/index.js';
import type { ClusterResult, FleetReport } from '../core/schema/index.js';
import { InvalidCursorError, InvalidQueryError, readStoredMutelist, withMutelists } from '../store/index.js';
import type { Page, ResultStore } from '../store/index.js';
import { HandlerConfigError } from './errors.js';
import { createPowertools } from './middleware.js';
import type { Context, Powertools } from './middleware.js';

/** What `POST /scans` asks for: one cluster, or the whole fleet when `clusterId` is absent. */
export interface ScanStartRequest {
  readonly clusterId?: string;
}

/** A scan that was started (asynchronously: its results arrive in the store later). */
export interface StartedScan {
  readonly scanId: string;
}

/** Starts a scan (the deployed API: the scan state machine). */
export type ScanStarter = (request: ScanStartRequest) => Promise<StartedScan>;

/** What {@link createApiHandler} is built from. */
export interface ApiDeps extends Powertools {
  readonly store: ResultStore;
  /** @default none: `POST /scans` answers 503 `scan-starter-unavailable` */
  readonly startScan?: ScanStarter;
  /** the clock of the gate's freshness; @default () => new Date() */
  readonly now?: () => Date;
}

/** The API Gateway REST (v1) proxy event fields the API reads (aws-lambda's `APIGatewayProxyEvent`). */
export interface ApiGatewayProxyEvent {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string | undefined> | null;
  readonly multiValueHeaders: Record<string, string[] | undefined> | null;
  readonly queryStringParameters: Record<string, string | undefined> | null;
  readonly multiValueQueryStringParameters: Record<string, string[] | undefined> | null;
  readonly pathParameters: Record<string, string | undefined> | null;
  readonly stageVariables: Record<string, string | undefined> | null;
  readonly requestContext: Record<string, unknown>;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

/** What the API answers (aws-lambda's `APIGatewayProxyResult`). */
export interface ApiGatewayProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body: string;
  isBase64Encoded?: boolean;
}

/** The API's Lambda entry point. */
export type ApiLambda = (event: unknown, context: Context) => Promise<ApiGatewayProxyResult>;

/** An answer other than 2xx: `{ error: { code, message, parameter? } }` with `status`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

/** The formats `GET /reports/compliance` serves (conventions.md § API). */
export const COMPLIANCE_FORMATS = ['json', 'csv', 'html'] as const;
/** Largest `POST /scans` body: it holds at most a cluster id. */
const MAX_BODY_CHARS = 16 * 1024;
/** Clusters read per page while building the compliance report. */
const REPORT_PAGE = 100;
/** Longest input echoed back in an error message. */
const ECHO_LIMIT = 80;

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' };

/**
 * The header that marks a route's answer whose body was set aside (removed from the result).
 * Only answers built by {@link answer} carry it, so an error answered after a route set a body
 * aside can never receive that body.
 */
const SET_ASIDE_HEADER = 'x-fleet-dns-body-set-aside';

/**
 * Answer bodies set aside by the routes, keyed by the request's event; {@link resolveRequest}
 * puts each into its proxy result.
 *
 * Why: the Powertools router turns every route's web `Response` into a new `Response` over the
 * body's stream and reads it back with `text()` (Router.resolve → webResponseToProxyResult).
 * For the first page of `GET /clusters?status=FAIL` (~830 KB of JSON) that round trip of
 * encoding, copying, concatenating the stream's chunks and decoding took ~20 ms of the
 * request's ~35 ms (lambdas/store/README.md § Benchmark). The routes still answer through the
 * router (its routing, status, headers and error handlers); only the text skips the stream.
 */
const bodiesSetAside = new WeakMap<object, string>();

/** An answer whose `text` goes into the proxy result beside the router (see {@link bodiesSetAside}). */
function answer(
  event: unknown,
  status: number,
  text: string,
  headers: Record<string, string> = JSON_HEADERS,
): Response {
  bodiesSetAside.set(event as object, text);
  return new Response(null, { status, headers: { ...headers, [SET_ASIDE_HEADER]: '1' } });
}

/** A JSON answer to the request of `event`. */
function json(event: unknown, status: number, body: unknown): Response {
  return answer(event, status, JSON.stringify(body));
}

/**
 * A page's JSON from its items' JSON texts, spliced, not parsed: the same text as
 * `JSON.stringify({ items, nextCursor })` of the parsed items. For the first page of
 * `GET /clusters` (50 cluster results, ~830 KB) the parse alone was ~1.5 ms of CPU and ~50,000
 * objects to collect (lambdas/store/README.md § Benchmark).
 */
function pageOfJsonTexts(page: Page<string>): string {
  return `{"items":[${page.items.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`;
}

/** The router's answer to `event`, with the body its route set aside put back. */
async function resolveRequest(
  router: Router,
  event: unknown,
  context: Context,
): Promise<ApiGatewayProxyResult> {
  let result: ApiGatewayProxyResult;
  let text: string | undefined;
  try {
    result = (await router.resolve(event, context as never)) as ApiGatewayProxyResult;
  } finally {
    if (typeof event === 'object' && event !== null) {
      text = bodiesSetAside.get(event);
      bodiesSetAside.delete(event);
    }
  }
  const headers = result.headers ?? {};
  if (!(SET_ASIDE_HEADER in headers)) return result;
  const { [SET_ASIDE_HEADER]: _marker, ...rest } = headers;
  const multi = { ...result.multiValueHeaders };
  delete multi[SET_ASIDE_HEADER];
  if (text === undefined) throw new Error('a route set its answer body aside, and it was not found');
  return { ...result, headers: rest, multiValueHeaders: multi, body: text };
}

function errorBody(code: string, message: string, parameter?: string) {
  return { error: { code, message, ...(parameter !== undefined ? { parameter } : {}) } };
}

function echo(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Parameters (zod): each problem becomes a 400 naming the parameter.

const limitParam = z
  .string()
  .regex(/^[0-9]{1,3}$/, { error: 'must be a whole number from 1 to 100' })
  .transform(Number)
  .pipe(z.number().min(1, { error: 'must be from 1 to 100' }).max(100, { error: 'must be from 1 to 100' }));
const cursorParam = z
  .string()
  .min(1, { error: 'must not be empty (leave it out for the first page)' })
  .max(4096, { error: 'is not a cursor this API issued' });
const accountParam = z.string().regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit AWS account id' });
const regionParam = z.string().superRefine((value, ctx) => {
  const problem = regionProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
const statusParam = z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` });
const severityParam = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
const mutedParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

const pageQuery = { limit: limitParam.optional(), cursor: cursorParam.optional() };
const clustersQuery = z.strictObject({
  ...pageQuery,
  account: accountParam.optional(),
  region: regionParam.optional(),
  status: statusParam.optional(),
});
const findingsQuery = z.strictObject({
  ...pageQuery,
  check: checkIdSchema.optional(),
  status: statusParam.optional(),
  severity: severityParam.optional(),
  account: accountParam.optional(),
  region: regionParam.optional(),
  muted: mutedParam.optional(),
});
const historyQuery = z.strictObject(pageQuery);
const noQuery = z.strictObject({});
const gateQuery = z.strictObject({ targetVersion: z.string().optional() });
const reportQuery = z.strictObject({
  format: z.enum(COMPLIANCE_FORMATS, { error: `must be one of ${COMPLIANCE_FORMATS.join(', ')}` }).optional(),
});
const scanIdParam = z
  .string()
  .min(1)
  .max(256, { error: 'must be at most 256 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' });
const startScanBody = z.strictObject({ clusterId: z.string().optional() });

/** The query string of the request, each parameter given at most once, parsed with `schema`. */
function queryOf<S extends z.ZodType>(url: string, schema: S): z.infer<S> {
  const params = new URL(url).searchParams;
  const record: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1)
      throw new ApiError(400, 'invalid-parameter', `${key}: given ${values.length} times, give it once`, key);
    record[key] = values[0]!;
  }
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    throw new ApiError(400, 'unknown-parameter', `${key}: not a parameter of this endpoint`, key);
  }
  const key = String(issue.path[0] ?? '(query)');
  throw new ApiError(400, 'invalid-parameter', `${key}: ${issue.message}, got ${echo(record[key])}`, key);
}

/** A cluster id from the path (already URL-decoded by the router), checked. */
function clusterIdOf(params: Record<string, string>): string {
  const id = params.id ?? '';
  try {
    parseClusterId(id);
  } catch (err) {
    if (err instanceof ClusterIdentityError)
      throw new ApiError(400, 'invalid-cluster-id', `id: ${err.message}`, 'id');
    throw err;
  }
  return id;
}

function scanIdOf(params: Record<string, string>): string {
  const parsed = scanIdParam.safeParse(params.scanId ?? '');
  if (!parsed.success)
    throw new ApiError(
      400,
      'invalid-parameter',
      `scanId: ${parsed.error.issues[0]?.message ?? 'invalid'}, got ${echo(params.scanId)}`,
      'scanId',
    );
  return parsed.data;
}

async function bodyOf(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.length > MAX_BODY_CHARS)
    throw new ApiError(400, 'invalid-body', `body: larger than ${MAX_BODY_CHARS} characters`, 'body');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'invalid-body', 'body: not JSON', 'body');
  }
}

/** Undefined values left out: the store's cursors are bound to the filters given. */
function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------

/** The compliance report's model: the newest fleet scan run's scan and coverage, every cluster's latest result. */
async function complianceReport(store: ResultStore): Promise<FleetReport> {
  const summary = await store.getSummary();
  if (summary === null) throw new ApiError(404, 'no-scan-run', 'no fleet scan has been stored yet');
  const mutelist = await readStoredMutelist(store);
  const clusters: ClusterResult[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listClusters({ limit: REPORT_PAGE, cursor });
    clusters.push(...page.items.map((r) => withMutelists(r, mutelist)));
    cursor = page.nextCursor;
  } while (cursor !== null);
  const report = { scan: summary.scan, clusters, coverage: summary.coverage };
  const valid = fleetReportSchema.safeParse(report);
  if (!valid.success)
    throw new Error(
      `the compliance report does not match the result schema: ${formatSchemaError(valid.error)}`,
    );
  return report;
}

/**
 * The router of the API over `deps` (no middy: {@link createApiHandler} wraps it). Not
 * exported: its answers' bodies are set aside, so only {@link resolveRequest} may resolve it.
 */
function createApiRouter(deps: ApiDeps): Router {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const router = new Router({ logger });

  // The scan and cluster ids of the path join every log line (the keys reset per invocation).
  router.use(async ({ reqCtx, next }) => {
    const { id, scanId } = reqCtx.params;
    if (id !== undefined) logger.appendKeys({ clusterId: id });
    if (scanId !== undefined) logger.appendKeys({ scanId });
    await next();
  });

  router.get('/summary', async ({ req, event }) => {
    queryOf(req.url, noQuery);
    const summary = await store.getSummary();
    if (summary === null) throw new ApiError(404, 'no-scan-run', 'no fleet scan has been stored yet');
    return json(event, 200, summary);
  });

  router.get('/clusters', async ({ req, event }) => {
    const query = queryOf(req.url, clustersQuery);
    return answer(event, 200, pageOfJsonTexts(await store.listClustersJson(defined(query))));
  });

  router.get('/clusters/:id', async ({ req, params, event }) => {
    const id = clusterIdOf(params);
    queryOf(req.url, noQuery);
    const [latest, mutelist] = await Promise.all([store.getLatest(id), readStoredMutelist(store)]);
    if (latest === null) throw new ApiError(404, 'unknown-cluster', `no result for cluster ${id}`);
    return json(event, 200, withMutelists(latest, mutelist));
  });

  router.get('/clusters/:id/scans', async ({ req, params, event }) => {
    const id = clusterIdOf(params);
    const query = queryOf(req.url, historyQuery);
    const [page, mutelist] = await Promise.all([
      store.listClusterScans(id, defined(query)),
      readStoredMutelist(store),
    ]);
    // An empty first page: a cluster never scanned is a 404, like GET /clusters/{id}.
    if (page.items.length === 0 && query.cursor === undefined && (await store.getLatest(id)) === null)
      throw new ApiError(404, 'unknown-cluster', `no result for cluster ${id}`);
    return json(event, 200, { ...page, items: page.items.map((r) => withMutelists(r, mutelist)) });
  });

  router.get('/clusters/:id/gate', async ({ req, params, event }) => {
    const { targetVersion } = queryOf(req.url, gateQuery);
    const gate = validateGateRequest({ clusterId: params.id ?? '', targetVersion });
    // A mute written since the scan counts at once: accepting a risk is how an upgrade gets unblocked.
    const [newest, mutelist] = await Promise.all([
      store.getLatest(gate.clusterId),
      readStoredMutelist(store),
    ]);
    return json(
      event,
      200,
      decideGate({
        newest: newest === null ? undefined : withMutelists(newest, mutelist),
        now: now(),
        targetVersion: gate.targetVersion,
      }),
    );
  });

  router.get('/scans/:scanId', async ({ req, params, event }) => {
    const scanId = scanIdOf(params);
    queryOf(req.url, noQuery);
    const scan = await store.getScan(scanId);
    if (scan === null) throw new ApiError(404, 'unknown-scan', `no fleet scan ${echo(scanId)}`);
    return json(event, 200, scan);
  });

  router.post('/scans', async ({ req, event }) => {
    queryOf(req.url, noQuery);
    const parsed = startScanBody.safeParse(await bodyOf(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : String(issue.path[0] ?? '(body)');
      throw new ApiError(400, 'invalid-body', `body.${field}: ${issue.message}`, `body.${field}`);
    }
    const { clusterId } = parsed.data;
    if (clusterId !== undefined) clusterIdOf({ id: clusterId });
    if (deps.startScan === undefined)
      throw new ApiError(
        503,
        'scan-starter-unavailable',
        'this API cannot start scans (no scan starter is configured)',
      );
    let started: StartedScan;
    try {
      started = await deps.startScan(clusterId === undefined ? {} : { clusterId });
    } catch (err) {
      logger.error('the scan could not be started', { error: err as Error });
      throw new ApiError(502, 'scan-start-failed', 'the scan could not be started; try again later');
    }
    logger.appendKeys({ scanId: started.scanId });
    return json(event, 202, {
      scanId: started.scanId,
      scope: clusterId === undefined ? 'fleet' : 'cluster',
      ...(clusterId !== undefined ? { clusterId } : {}),
    });
  });

  router.get('/findings', async ({ req, event }) => {
    const query = queryOf(req.url, findingsQuery);
    return json(event, 200, await store.listFindings(defined(query)));
  });

  router.get('/reports/compliance', async ({ req, event }) => {
    const { format = 'json' } = queryOf(req.url, reportQuery);
    const body = renderReport(reportModel(await complianceReport(store)), format);
    return answer(event, 200, body, {
      'content-type': REPORT_MEDIA_TYPES[format],
      'x-content-type-options': 'nosniff',
    });
  });

  // Errors: registered most specific first (the registry takes the first `instanceof` match).
  router.errorHandler(ApiError, async (err, { event }) =>
    json(event, err.status, errorBody(err.code, err.message, err.parameter)),
  );
  router.errorHandler(InvalidCursorError, async (err, { event }) =>
    json(event, 400, errorBody('invalid-cursor', `cursor: ${err.message}`, 'cursor')),
  );
  router.errorHandler(InvalidQueryError, async (err, { event }) =>
    json(event, 400, errorBody('invalid-query', err.message)),
  );
  router.errorHandler(GateInputError, async (err, { event }) => {
    const parameter = err.field === 'clusterId' ? 'id' : err.field;
    const code = err.field === 'clusterId' ? 'invalid-cluster-id' : 'invalid-parameter';
    return json(event, 400, errorBody(code, `${parameter}: ${err.message}`, parameter));
  });
  router.notFound(async (err, { event }) => json(event, 404, errorBody('not-found', err.message)));
  router.methodNotAllowed(async (err, { event }) =>
    json(event, 405, errorBody('method-not-allowed', err.message)),
  );
  // The router's own 4xx (e.g. an empty path parameter) in the API's error shape.
  // HttpError is abstract; the registry only tests `instanceof`.
  router.errorHandler(
    HttpError as unknown as new (...args: unknown[]) => HttpError,
    async (err, { event }) => {
      const status = (err as HttpError & { statusCode: number }).statusCode;
      return json(event, status, errorBody(status >= 500 ? 'internal' : 'bad-request', err.message));
    },
  );
  // A malformed %-escape in the path (decodeURIComponent): the client's mistake.
  router.errorHandler(URIError, async (_err, { event }) =>
    json(event, 400, errorBody('malformed-path', 'the path has a malformed %-escape')),
  );
  router.errorHandler(Error, async (err, { event }) => {
    logger.error('request failed', { error: err });
    return json(event, 500, errorBody('internal', 'internal error'));
  });
  return router;
}

/** One log line and the request metrics per response. */
function recordResponse({ logger, metrics }: Powertools, event: unknown, status: number): void {
  const { httpMethod, path } = (event ?? {}) as { httpMethod?: unknown; path?: unknown };
  logger.info('request', { method: httpMethod, path, status });
  metrics.addMetric('ApiRequests', MetricUnit.Count, 1);
  metrics.addMetric('ApiClientErrors', MetricUnit.Count, status >= 400 && status < 500 ? 1 : 0);
  metrics.addMetric('ApiServerErrors', MetricUnit.Count, status >= 500 ? 1 : 0);
}

/**
 * The API handler over `deps` (tests inject the store, the starter, Powertools and the clock):
 * API Gateway REST (v1) proxy events in, proxy results out.
 */
export function createApiHandler(deps: ApiDeps): ApiLambda {
  const router = createApiRouter(deps);
  const wrapped = middy<unknown, ApiGatewayProxyResult>()
    // The response is not copied into the trace: a report can outgrow a segment.
    .use(captureLambdaHandler(deps.tracer, { captureResponse: false }))
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true }))
    .handler(async (event, context) => {
      let result: ApiGatewayProxyResult;
      try {
        result = await resolveRequest(router, event, context);
      } catch (err) {
        // Only the request's conversion can throw here (routes' errors are answered above):
        // an event that is not an HTTP proxy event is the deployment's bug, anything else
        // (an unparsable path or Host) the client's.
        if (err instanceof Error && err.name === 'InvalidEventError') throw err;
        deps.logger.warn('request rejected', { error: err as Error });
        result = {
          statusCode: 400,
          headers: JSON_HEADERS,
          body: JSON.stringify(errorBody('bad-request', 'the request could not be read')),
        };
      }
      recordResponse(deps, event, result.statusCode);
      return result;
    });
  return (event, context) => wrapped(event, context);
}

/** The API function's environment. */
export interface ApiConfig {
  /** TABLE_NAME: the results table (required) */
  readonly tableName: string;
  /** STATE_MACHINE_ARN: the fleet-scan state machine `POST /scans` starts @default none (503) */
  readonly stateMachineArn?: string;
}

/**
 * `TABLE_NAME` (required, the results table) and `STATE_MACHINE_ARN` (the fleet-scan state
 * machine `POST /scans` starts; without it `POST /scans` answers 503 scan-starter-unavailable).
 * @throws HandlerConfigError naming the variable
 */
export function parseApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const tableName = env.TABLE_NAME;
  if (tableName === undefined || tableName === '')
    throw new HandlerConfigError(['TABLE_NAME: is required (the results table)']);
  const stateMachineArn = env.STATE_MACHINE_ARN;
  if (
    stateMachineArn !== undefined &&
    !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/.test(stateMachineArn)
  )
    throw new HandlerConfigError([
      `STATE_MACHINE_ARN: is not a state machine ARN (${JSON.stringify(stateMachineArn.slice(0, 120))})`,
    ]);
  return { tableName, ...(stateMachineArn !== undefined ? { stateMachineArn } : {}) };
}

/** Builds the deployed handler's dependencies from `process.env` ({@link parseApiConfig}). */
async function deployedHandler(): Promise<ApiLambda> {
  const { tableName, stateMachineArn } = parseApiConfig(process.env);
  // Loaded here, not at the top: the DynamoDB store only (a Lambda bundle never loads the
  // embedded store's native module), and the Step Functions client only when it is used.
  const { openDynamoStore } = await import('../store/dynamodb/index.js');
  const startScan =
    stateMachineArn === undefined
      ? undefined
      : (await import('../aws/stepfunctions/index.js')).stepFunctionsScanStarter({ stateMachineArn });
  return createApiHandler({
    ...createPowertools('fleet-dns-api'),
    store: openDynamoStore({ tableName }),
    ...(startScan ? { startScan } : {}),
  });
}

let deployed: Promise<ApiLambda> | undefined;

/** The function's entry point: built on the first invocation (a failed build is retried on the next). */
export const handler: ApiLambda = async (event, context) => {
  deployed ??= deployedHandler().catch((err: unknown) => {
    deployed = undefined;
    throw err;
  });
  return (await deployed)(event, context);
};
