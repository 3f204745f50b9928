/**
 * The REST layer of the fake Kubernetes API: one request in, one answer out — discovery, the
 * resource verbs (get, list, watch, create, replace, patch, delete), pod logs and
 * SelfSubjectAccessReview, with failures answered as `Status` objects as the API server does.
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUTHORIZATION_GROUP, apiGroupList, discoveryDocument, versionInfo } from './discovery.js';
import { InvalidObjectError, KubeStatusError } from './errors.js';
import { faultError } from './faults.js';
import type { FaultList } from './faults.js';
import { applyJsonPatch, applyMergePatch } from './patch.js';
import type { LogQuery, PodLogStore } from './pod-logs.js';
import { apiVersionOf } from './resources.js';
import type { ResourceDefinition, ResourceRegistry } from './resources.js';
import { parseResourceRoute } from './routes.js';
import type { ResourceRoute } from './routes.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { FieldRequirement, LabelRequirement } from './selectors.js';
import type { DeleteSettings, ObjectStore, PropagationPolicy, StoreEvent } from './store.js';
import type { KubeObject, RequestLog } from './types.js';

/** The server's state and settings, as the REST layer needs them. */
export interface RestContext {
  readonly registry: ResourceRegistry;
  readonly store: ObjectStore;
  readonly logs: PodLogStore;
  readonly faults: FaultList;
  /** every request is appended on arrival, its status filled in when answered */
  readonly requests: RequestLog[];
  readonly token: string;
  /** named in 403 messages */
  readonly user: string;
  /** more bearer tokens and the user each authenticates as (the main token is `user`'s) */
  readonly users?: ReadonlyMap<string, string>;
  readonly version: { readonly major: string; readonly minor: string };
  /** aborted when the server stops: delays end, watches close */
  readonly stopping: AbortSignal;
  /** `host:port` as clients reach the server (the `/api` answer) */
  serverAddress(): string;
  /** a batch/v1 Job was created through the API (the hook must not throw) */
  jobCreated(job: KubeObject): void;
}

type MutableLog = { -readonly [K in keyof RequestLog]: RequestLog[K] };

/** One request being served. */
interface RestCall {
  readonly method: string;
  /** without the query and trailing slashes */
  readonly path: string;
  readonly query: URLSearchParams;
  /** the parsed JSON body of a write */
  readonly body: unknown;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entry: MutableLog;
  send(code: number, body: unknown, contentType?: string): void;
}

// Reachable without a token, as `system:public-info-viewer` allows on a real cluster.
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_BODY_BYTES = 3 * 1024 * 1024;

const VERBS: Record<string, (ctx: RestContext, call: RestCall, r: ResourceRoute) => void> = {
  GET: serveGet,
  POST: serveCreate,
  PUT: serveReplace,
  PATCH: servePatch,
  DELETE: serveDelete,
};

/** Serves one request: logs it, reads its body, applies faults and authentication, routes it. */
export async function handleRequest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'https://fake-kube-api');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const user = bearer === undefined ? undefined : bearer === ctx.token ? ctx.user : ctx.users?.get(bearer);
  const authenticated = user !== undefined;
  const entry: MutableLog = {
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    status: 0,
    atMs: Date.now(),
    authenticated,
    ...(user !== undefined ? { user } : {}),
  };
  ctx.requests.push(entry);
  const send = responder(res, entry);
  try {
    const body = WRITE_METHODS.has(method) ? await readBody(req) : undefined;
    if (body !== undefined) entry.body = body;
    const fault = ctx.faults.take(method, path, user);
    if (fault?.delayMs) await sleep(fault.delayMs, ctx.stopping);
    if (!authenticated && !PUBLIC_PATHS.has(path))
      throw new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
    if (fault?.status !== undefined) throw faultError(fault, method, path, ctx.registry, ctx.user);
    routeRequest(ctx, { method, path, query: url.searchParams, body, req, res, entry, send });
  } catch (error) {
    const status = asStatusError(error);
    const retryAfter = status.details?.retryAfterSeconds;
    send(
      status.code,
      statusBody(status),
      'application/json',
      retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
    );
  }
}

/** Answers once, recording the status in the request log; a watch that already answered is just ended. */
function responder(
  res: ServerResponse,
  entry: MutableLog,
): (code: number, body: unknown, contentType?: string, headers?: Record<string, string>) => void {
  return (code, body, contentType = 'application/json', headers = {}) => {
    entry.status = code;
    if (res.headersSent) {
      res.end();
      return;
    }
    const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
    res.writeHead(code, {
      ...headers,
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };
}

/** A failure as the API server reports it: invalid objects are 422 Invalid, anything unexpected 500. */
function asStatusError(error: unknown): KubeStatusError {
  if (error instanceof KubeStatusError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof InvalidObjectError
    ? new KubeStatusError(422, 'Invalid', message)
    : new KubeStatusError(500, 'InternalError', message);
}

/** Discovery, SelfSubjectAccessReview and the resource paths, each to its verb. */
function routeRequest(ctx: RestContext, call: RestCall): void {
  const { method, path, send } = call;
  if (method === 'GET') {
    if (path === '/version') return send(200, versionInfo(ctx.version));
    if (PUBLIC_PATHS.has(path)) return send(200, 'ok', 'text/plain');
    if (path === '/api')
      return send(200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ctx.serverAddress() }],
      });
    if (path === '/apis') return send(200, apiGroupList(ctx.registry));
    const discovery = discoveryDocument(ctx.registry, path);
    if (discovery) return send(200, discovery);
  }
  if (method === 'POST' && path === `/apis/${AUTHORIZATION_GROUP}/v1/selfsubjectaccessreviews`) {
    return send(201, selfSubjectAccessReview(ctx, call.body, call.entry.user));
  }
  const parsed = parseResourceRoute(ctx.registry, path);
  if (!parsed) throw notFound();
  const r = parsed.route;
  if (r.subresource !== undefined && !(r.def.subresources ?? []).includes(r.subresource)) {
    throw notFound();
  }
  const serve = VERBS[method];
  if (!serve || (r.def.readOnly === true && method !== 'GET')) throw methodNotAllowed();
  serve(ctx, call, r);
}

/** get, list, watch, and pod logs. */
function serveGet(ctx: RestContext, call: RestCall, r: ResourceRoute): void {
  const { query, send } = call;
  const watch = r.watch || query.get('watch') === 'true' || query.get('watch') === '1';
  if (r.name === undefined) {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(
      query.get('fieldSelector') ?? '',
      ['metadata.name', ...(r.def.namespaced ? ['metadata.namespace'] : []), ...(r.def.fieldLabels ?? [])],
      r.def.kind,
    );
    if (watch) return startWatch(ctx, call, r, labels, fields);
    return send(200, listDocument(ctx, r, labels, fields, query));
  }
  const obj = ctx.store.read(r.def, r.namespace, r.name);
  if (r.subresource === 'log') {
    const logQuery: LogQuery = {
      container: query.get('container') ?? undefined,
      tailLines: intParam(query, 'tailLines'),
      sinceSeconds: intParam(query, 'sinceSeconds'),
      sinceTime: query.get('sinceTime') ?? undefined,
      timestamps: query.get('timestamps') === 'true',
      limitBytes: intParam(query, 'limitBytes'),
      previous: query.get('previous') === 'true',
    };
    if (query.get('follow') === 'true' || query.get('follow') === '1')
      return followLog(ctx, call, r.def, obj, logQuery);
    return send(200, ctx.logs.read(obj, logQuery), 'text/plain');
  }
  return send(200, obj);
}

/**
 * A follow log read: the current lines at once, then appended lines as they come, chunked. It
 * ends when the container's log is marked ended, `limitBytes` were sent, the pod object is
 * removed (a DELETED event for its uid), the server stops, or the client goes.
 */
function followLog(
  ctx: RestContext,
  { req, res, entry }: RestCall,
  def: ResourceDefinition,
  pod: KubeObject,
  logQuery: LogQuery,
): void {
  // An unknown or ambiguous container is a 400 Status, before anything is streamed.
  ctx.logs.read(pod, { ...logQuery, limitBytes: 0 });
  entry.status = 200;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let stopFollowing: () => void = () => undefined;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    stopFollowing();
    unsubscribe();
    ctx.stopping.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };
  const unsubscribe = ctx.store.subscribe((event) => {
    if (
      event.type === 'DELETED' &&
      event.resource.plural === def.plural &&
      event.resource.group === def.group &&
      event.object.metadata.uid === pod.metadata.uid
    )
      finish();
  });
  ctx.stopping.addEventListener('abort', finish);
  req.on('close', finish);
  res.on('close', finish);
  stopFollowing = ctx.logs.follow(pod, logQuery, {
    write: (text) => {
      if (!res.writableEnded) res.write(text);
    },
    end: finish,
  });
  if (finished) stopFollowing();
}

/** create (POST on a collection); a created batch/v1 Job calls the Job hook. */
function serveCreate(ctx: RestContext, call: RestCall, r: ResourceRoute): void {
  const { body, send } = call;
  if (r.name !== undefined) throw methodNotAllowed();
  if (r.def.namespaced && r.namespace === undefined) throw notFound();
  const input = objectBody(body, r.def);
  const created = ctx.store.create(input, r.namespace === undefined ? {} : { namespace: r.namespace });
  send(201, created);
  if (r.def.group === 'batch' && r.def.kind === 'Job') ctx.jobCreated(created);
}

/** replace (PUT), of the object or its `/status`. */
function serveReplace(ctx: RestContext, call: RestCall, r: ResourceRoute): void {
  const { body, send } = call;
  if (r.name === undefined) throw methodNotAllowed();
  const input = objectBody(body, r.def);
  if (input.metadata.name !== undefined && input.metadata.name !== r.name) {
    throw new KubeStatusError(
      400,
      'BadRequest',
      `the name of the object (${input.metadata.name}) does not match the name on the URL (${r.name})`,
    );
  }
  const replaced = ctx.store.replace(
    { ...input, metadata: { ...input.metadata, name: r.name, namespace: r.namespace } },
    { onlyStatus: r.subresource === 'status' },
  );
  return send(200, replaced);
}

/** patch: JSON patch (client-node's default) or merge patch (strategic merge treated as merge). */
function servePatch(ctx: RestContext, call: RestCall, r: ResourceRoute): void {
  const { body, send } = call;
  if (r.name === undefined) throw methodNotAllowed();
  const current = ctx.store.read(r.def, r.namespace, r.name);
  const contentType = (call.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  let patched: unknown;
  if (contentType === 'application/json-patch+json') patched = applyJsonPatch(current, body);
  else if (
    contentType === 'application/merge-patch+json' ||
    contentType === 'application/strategic-merge-patch+json'
  ) {
    patched = applyMergePatch(current, body);
  } else {
    throw new KubeStatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  }
  const next = objectBody(patched, r.def);
  const replaced = ctx.store.replace(
    {
      ...next,
      metadata: {
        ...next.metadata,
        name: r.name,
        namespace: r.namespace,
        resourceVersion: next.metadata.resourceVersion ?? current.metadata.resourceVersion,
      },
    },
    { onlyStatus: r.subresource === 'status' },
  );
  return send(200, replaced);
}

/** delete and deletecollection, with `propagationPolicy`. */
function serveDelete(ctx: RestContext, call: RestCall, r: ResourceRoute): void {
  const { query, body, send } = call;
  const policy = (query.get('propagationPolicy') ??
    (body && typeof body === 'object'
      ? (body as { propagationPolicy?: string }).propagationPolicy
      : undefined)) as PropagationPolicy | undefined;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw new KubeStatusError(400, 'BadRequest', `propagationPolicy: Unsupported value: "${policy}"`);
  }
  const settings = deleteSettings(query, body);
  if (r.name === undefined) {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(
      query.get('fieldSelector') ?? '',
      ['metadata.name', ...(r.def.fieldLabels ?? [])],
      r.def.kind,
    );
    const victims = ctx.store.list(r.def, { namespace: r.namespace, labels, fields });
    const items = victims.map((v) =>
      ctx.store.delete(r.def, v.metadata.namespace, v.metadata.name ?? '', policy, settings),
    );
    return send(200, {
      kind: `${r.def.kind}List`,
      apiVersion: apiVersionOf(r.def),
      metadata: { resourceVersion: ctx.store.resourceVersion() },
      items,
    });
  }
  const deleted = ctx.store.delete(r.def, r.namespace, r.name, policy, settings);
  // Kept by its finalizers (now terminating): the API answers the object, whatever its kind.
  if ((deleted.metadata.finalizers ?? []).length > 0) return send(200, deleted);
  if (r.def.group === '' && ['Pod', 'Service', 'Namespace'].includes(r.def.kind)) {
    if (r.def.kind === 'Namespace') deleted.status = { phase: 'Terminating' };
    return send(200, deleted);
  }
  return send(200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: r.name, group: r.def.group, kind: r.def.plural, uid: deleted.metadata.uid },
  });
}

/** DeleteOptions.gracePeriodSeconds from the query or the body (a non-negative integer). */
function deleteSettings(query: URLSearchParams, body: unknown): DeleteSettings {
  const fromBody =
    body && typeof body === 'object'
      ? (body as { gracePeriodSeconds?: unknown }).gracePeriodSeconds
      : undefined;
  const grace = intParam(query, 'gracePeriodSeconds') ?? fromBody;
  if (grace === undefined || grace === null) return {};
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)
    throw new KubeStatusError(
      422,
      'Invalid',
      `DeleteOptions.gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be a non-negative integer`,
    );
  return { gracePeriodSeconds: grace };
}

function listDocument(
  ctx: RestContext,
  r: ResourceRoute,
  labels: LabelRequirement[],
  fields: FieldRequirement[],
  query: URLSearchParams,
): Record<string, unknown> {
  const all = ctx.store.list(r.def, { namespace: r.namespace, labels, fields });
  const limit = intParam(query, 'limit');
  const token = query.get('continue');
  let start = 0;
  let listVersion = ctx.store.resourceVersion();
  if (token) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        start: number;
        rv: string;
      };
      start = decoded.start;
      listVersion = decoded.rv;
    } catch {
      throw new KubeStatusError(
        400,
        'BadRequest',
        'continue key is not valid: incorrect encoded start resourceVersion',
      );
    }
  }
  const end = limit !== undefined && limit > 0 ? start + limit : all.length;
  const page = all.slice(start, end);
  const metadata: Record<string, unknown> = { resourceVersion: listVersion };
  if (end < all.length) {
    metadata.continue = Buffer.from(JSON.stringify({ start: end, rv: listVersion }), 'utf8').toString(
      'base64url',
    );
    metadata.remainingItemCount = all.length - end;
  }
  // Items of a typed list carry no kind/apiVersion on a real server either.
  const items = page.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  return { kind: `${r.def.kind}List`, apiVersion: apiVersionOf(r.def), metadata, items };
}

function startWatch(
  ctx: RestContext,
  { query, req, res, entry }: RestCall,
  r: ResourceRoute,
  labels: LabelRequirement[],
  fields: FieldRequirement[],
): void {
  const matches = (obj: KubeObject | undefined): boolean =>
    obj !== undefined &&
    (r.namespace === undefined || !r.def.namespaced || obj.metadata.namespace === r.namespace) &&
    matchesLabels(labels, obj.metadata.labels) &&
    matchesFields(fields, obj);
  const from = query.get('resourceVersion');
  const timeoutSeconds = intParam(query, 'timeoutSeconds');
  entry.status = 200;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const write = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  // A watch event as the API sends it: MODIFIED out of the selector is a DELETED for this watcher.
  const forward = (event: StoreEvent): void => {
    if (event.resource.plural !== r.def.plural || event.resource.group !== r.def.group) return;
    const now = matches(event.object);
    const before = event.previous !== undefined && matches(event.previous);
    if (event.type === 'MODIFIED') {
      if (now) write(before || event.previous === undefined ? 'MODIFIED' : 'ADDED', event.object);
      else if (before) write('DELETED', event.object);
    } else if (now) write(event.type, event.object);
  };
  if (from === null || from === '' || from === '0') {
    for (const obj of ctx.store.list(r.def, { namespace: r.namespace, labels, fields })) write('ADDED', obj);
  } else {
    const since = Number(from);
    if (!Number.isInteger(since) || since < ctx.store.oldestWatchableVersion()) {
      write(
        'ERROR',
        statusBody(
          new KubeStatusError(
            410,
            'Expired',
            `too old resource version: ${from} (${ctx.store.oldestWatchableVersion()})`,
          ),
        ),
      );
      res.end();
      return;
    }
    for (const event of ctx.store.eventsSince(since)) forward(event);
  }
  const unsubscribe = ctx.store.subscribe(forward);
  const finish = (): void => {
    unsubscribe();
    clearTimeout(timer);
    ctx.stopping.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };
  const timer =
    timeoutSeconds !== undefined && timeoutSeconds > 0
      ? setTimeout(finish, timeoutSeconds * 1000)
      : undefined;
  ctx.stopping.addEventListener('abort', finish);
  req.on('close', finish);
  res.on('close', finish);
}

function selfSubjectAccessReview(
  ctx: RestContext,
  body: unknown,
  user: string | undefined,
): Record<string, unknown> {
  const attrs = (body as { spec?: { resourceAttributes?: Record<string, string> } } | undefined)?.spec
    ?.resourceAttributes;
  if (!attrs)
    throw new KubeStatusError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.spec.resourceAttributes: Required value',
    );
  const group = attrs.group ?? '';
  const def = ctx.registry.all().find((d) => d.plural === attrs.resource && d.group === group);
  const base = group === '' ? '/api/v1' : `/apis/${group}/${def?.version ?? 'v1'}`;
  const path = `${base}${attrs.namespace ? `/namespaces/${attrs.namespace}` : ''}/${attrs.resource ?? ''}${attrs.name ? `/${attrs.name}` : ''}${attrs.subresource ? `/${attrs.subresource}` : ''}`;
  const method =
    {
      get: 'GET',
      list: 'GET',
      watch: 'GET',
      create: 'POST',
      update: 'PUT',
      patch: 'PATCH',
      delete: 'DELETE',
      deletecollection: 'DELETE',
    }[attrs.verb ?? 'get'] ?? 'GET';
  // Denied exactly when the same request would hit an injected 401/403 (without consuming it).
  const denied = ctx.faults.denies(method, path, user);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: `${AUTHORIZATION_GROUP}/v1`,
    metadata: { creationTimestamp: null },
    spec: (body as { spec: unknown }).spec,
    status: denied
      ? { allowed: false, reason: 'injected fault denies this request' }
      : { allowed: true, reason: 'fake API allows every request' },
  };
}

function methodNotAllowed(): KubeStatusError {
  return new KubeStatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function notFound(): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
}

/** The `Status` object the API server answers failures with. */
function statusBody(error: KubeStatusError): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function intParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new KubeStatusError(400, 'BadRequest', `${key}: invalid value "${raw}": must be an integer`);
  return Number(raw);
}

function objectBody(body: unknown, def: ResourceDefinition): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new KubeStatusError(400, 'BadRequest', 'the request body must be a JSON object');
  }
  const obj = structuredClone(body) as Partial<KubeObject>;
  // The decoder defaults kind/apiVersion from the URL, and rejects a body for another resource.
  const apiVersion = obj.apiVersion ?? apiVersionOf(def);
  const kind = obj.kind ?? def.kind;
  if (apiVersion !== apiVersionOf(def) || kind !== def.kind) {
    throw new KubeStatusError(
      400,
      'BadRequest',
      `the API version in the data (${apiVersion}) does not match the expected API version (${apiVersionOf(def)}) or kind ${kind} is not ${def.kind}`,
    );
  }
  return { ...obj, apiVersion, kind, metadata: obj.metadata ?? {} };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new KubeStatusError(413 as number, 'BadRequest', 'request entity too large');
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KubeStatusError(400, 'BadRequest', `the request body is not valid JSON`);
  }
}
