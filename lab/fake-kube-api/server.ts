/**
 * The fake Kubernetes API server: real REST paths, object shapes, `Status` errors, list/watch,
 * selectors and pod logs over TLS with a generated CA and bearer-token authentication. One
 * module serves every test, the demo and the netns lab (design.md: the Kubernetes API is the one
 * part without a real server here).
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import { stringify as toYaml } from 'yaml';
import { FakeKubeApiError, InvalidObjectError, KubeStatusError } from './errors.js';
import type { StatusReason } from './errors.js';
import { applyJsonPatch, applyMergePatch } from './patch.js';
import { PodLogStore } from './pod-logs.js';
import { DEFAULT_RESOURCES, ResourceRegistry, apiVersionOf } from './resources.js';
import type { ResourceDefinition } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { FieldRequirement, LabelRequirement } from './selectors.js';
import { ObjectStore, SYSTEM_NAMESPACES } from './store.js';
import type { PropagationPolicy, StoreEvent } from './store.js';
import { generateServerTls } from './tls.js';
import type { FaultRule, KubeObject, ObjectRef, RequestLog } from './types.js';

/** Options of {@link startFakeKubeApi}; every default is applied in one place, at the top of it. */
export interface FakeKubeApiOptions {
  /** plain Kubernetes objects served from the start (`kind: List` documents are flattened) */
  readonly objects?: readonly KubeObject[];
  /** address to listen on; @default '127.0.0.1' (the lab passes a lab address inside a netns) */
  readonly host?: string;
  /** @default 0 (ephemeral) */
  readonly port?: number;
  /**
   * Listen on this Unix socket instead of `host:port`; `host` and `port` then only name the
   * address clients use (URL, kubeconfig, certificate SANs) — the lab forwards a lab address in
   * a network namespace to this socket, so the server can stay in the test's process.
   */
  readonly socketPath?: string;
  /** the bearer token every request must carry; @default a random one */
  readonly token?: string;
  /** `namespace/pod[/container]` → log text (see {@link PodLogStore}) */
  readonly podLogs?: Readonly<Record<string, string>>;
  /** injected failures and delays, matched in order (first match wins) */
  readonly faults?: readonly FaultRule[];
  /**
   * Called after a batch/v1 Job is created through the API (not awaited by the request): the
   * lab starts the runner for real here and moves Job/Pod status. Errors land in `hookErrors`.
   */
  readonly onJobCreated?: (job: KubeObject, api: FakeKubeApi) => void | Promise<void>;
  /** extra resources to serve (custom resources) besides {@link DEFAULT_RESOURCES} */
  readonly resources?: readonly ResourceDefinition[];
  /** extra subjectAltNames for the server certificate (the listen host and loopback are always in) */
  readonly sans?: readonly string[];
  /** user named in 403 messages; @default 'system:serviceaccount:fleet-dns:fleet-dns-runner' */
  readonly user?: string;
  /** create default, kube-system, kube-public, kube-node-lease and every namespace the objects use; @default true */
  readonly createNamespaces?: boolean;
  /** the version `/version` reports; @default 1.33 (EKS-style gitVersion) */
  readonly kubernetesVersion?: { readonly major: string; readonly minor: string };
}

/** Options of {@link FakeKubeApi.kubeconfig}. */
export interface KubeconfigOptions {
  /** @default the server's token (pass another to test a 401) */
  readonly token?: string;
  /** @default 'default' */
  readonly namespace?: string;
  /** leave out `certificate-authority-data` (to test that verification fails without the CA); @default false */
  readonly omitCa?: boolean;
}

/** A running fake API server. */
export interface FakeKubeApi {
  /** `https://host:port` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate */
  readonly caPem: string;
  readonly token: string;
  /** every request received, in arrival order (`status` is 0 while a request is in flight) */
  readonly requests: RequestLog[];
  /** the objects (read/write directly to arrange or inspect a test) */
  readonly store: ObjectStore;
  /** errors thrown by `onJobCreated` */
  readonly hookErrors: unknown[];
  /** a kubeconfig (YAML) with the CA data, server URL and token */
  kubeconfig(options?: KubeconfigOptions): string;
  /** Merges `status` into an object's `.status` (RFC 7386 merge), as a controller would. */
  updateStatus(ref: ObjectRef, status: Record<string, unknown>): KubeObject;
  /** Creates or replaces an object, as a controller would. */
  apply(object: KubeObject): KubeObject;
  /** Replaces a container's log: key `namespace/pod[/container]`. */
  setPodLog(key: string, text: string): void;
  /** Appends lines to a container's log. */
  appendPodLog(key: string, text: string): void;
  /** Adds a fault at the end of the list; returns a function that removes it. */
  addFault(rule: FaultRule): () => void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Closes the server and every open watch. */
  stop(): Promise<void>;
}

// Reachable without a token, as `system:public-info-viewer` allows on a real cluster.
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const AUTHORIZATION_GROUP = 'authorization.k8s.io';
// What the API server's priority-and-fairness filter writes with its 429.
const THROTTLED_MESSAGE = 'Too many requests, please try again later.';

interface ActiveFault {
  readonly rule: FaultRule;
  remaining: number;
}

interface ResourceRoute {
  readonly def: ResourceDefinition;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly watch: boolean;
}

type MutableLog = { -readonly [K in keyof RequestLog]: RequestLog[K] };

const STATUS_REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

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

function flattenLists(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((o) =>
    o.kind === 'List' || (o.kind.endsWith('List') && Array.isArray(o.items))
      ? flattenLists((o.items as KubeObject[] | undefined) ?? [])
      : [o],
  );
}

function verbFor(method: string, route: ResourceRoute): string {
  if (method === 'GET') return route.name === undefined ? (route.watch ? 'watch' : 'list') : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return route.name === undefined ? 'deletecollection' : 'delete';
  return method.toLowerCase();
}

function intParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new KubeStatusError(400, 'BadRequest', `${key}: invalid value "${raw}": must be an integer`);
  return Number(raw);
}

/**
 * Starts the fake API server over TLS and resolves once it listens.
 *
 * @example
 * const api = await startFakeKubeApi({ objects: loadKubeObjects('test/fixtures/kube') });
 * const kc = new KubeConfig(); kc.loadFromString(api.kubeconfig());
 * const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' });
 * await api.stop();
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const user = options.user ?? 'system:serviceaccount:fleet-dns:fleet-dns-runner';
  const version = options.kubernetesVersion ?? { major: '1', minor: '33' };
  const registry = new ResourceRegistry([...DEFAULT_RESOURCES, ...(options.resources ?? [])]);
  const store = new ObjectStore(registry);
  const logs = new PodLogStore();
  const faults: ActiveFault[] = (options.faults ?? []).map((rule) => ({
    rule,
    remaining: rule.times ?? Infinity,
  }));
  const requests: RequestLog[] = [];
  const hookErrors: unknown[] = [];
  const stopping = new AbortController();

  seedObjects(store, flattenLists(options.objects ?? []), options.createNamespaces ?? true);
  for (const [key, text] of Object.entries(options.podLogs ?? {})) logs.set(key, text);

  const loopback = ['127.0.0.1', '::1', 'localhost'];
  const clusterNames = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
  const tls = await generateServerTls({
    hosts: [
      ...(host === '0.0.0.0' || host === '::' ? [] : [host]),
      ...loopback,
      ...clusterNames,
      ...(options.sans ?? []),
    ],
  });

  const findFault = (method: string, path: string): FaultRule | undefined => {
    for (const fault of faults) {
      if (fault.remaining <= 0) continue;
      const methods = fault.rule.method === undefined ? undefined : [fault.rule.method].flat();
      if (methods && !methods.some((m) => m.toUpperCase() === method)) continue;
      const pattern = typeof fault.rule.path === 'string' ? new RegExp(fault.rule.path) : fault.rule.path;
      if (!pattern.test(path)) continue;
      fault.remaining -= 1;
      return fault.rule;
    }
    return undefined;
  };

  const faultError = (rule: FaultRule, method: string, path: string): KubeStatusError => {
    const code = rule.status ?? 500;
    if (code === 429)
      return new KubeStatusError(429, 'TooManyRequests', rule.message ?? THROTTLED_MESSAGE, {
        retryAfterSeconds: rule.retryAfterSeconds ?? 1,
      });
    const reason = STATUS_REASONS[code] ?? 'InternalError';
    let message = rule.message;
    if (message === undefined) {
      const route = tryParseResourceRoute(registry, path);
      if (code === 403 && route) {
        const resource = route.def.subresource ?? route.route.def.plural;
        const scope =
          route.route.namespace === undefined
            ? 'at the cluster scope'
            : `in the namespace "${route.route.namespace}"`;
        message = `${route.route.def.plural}${route.route.name ? ` "${route.route.name}"` : ''} is forbidden: User "${user}" cannot ${verbFor(method, route.route)} resource "${resource}" in API group "${route.route.def.group}" ${scope}`;
      } else if (code === 401) message = 'Unauthorized';
      else if (code === 404) message = 'the server could not find the requested resource';
      else message = `injected fault: ${code} ${reason} for ${method} ${path}`;
    }
    return new KubeStatusError(code, reason, message);
  };

  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://fake-kube-api');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const authenticated = req.headers.authorization === `Bearer ${token}`;
    const entry: MutableLog = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      atMs: Date.now(),
      authenticated,
    };
    requests.push(entry);
    const send = (
      code: number,
      body: unknown,
      contentType = 'application/json',
      headers: Record<string, string> = {},
    ): void => {
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
    const sendStatus = (error: KubeStatusError): void => {
      const retryAfter = error.details?.retryAfterSeconds;
      send(
        error.code,
        statusBody(error),
        'application/json',
        retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
      );
    };
    try {
      const body = WRITE_METHODS.has(method) ? await readBody(req) : undefined;
      if (body !== undefined) entry.body = body;
      const fault = findFault(method, path);
      if (fault?.delayMs) await sleep(fault.delayMs, stopping.signal);
      if (!authenticated && !PUBLIC_PATHS.has(path))
        throw new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
      if (fault?.status !== undefined) throw faultError(fault, method, path);
      await route(method, path, url.searchParams, body, req, res, send, entry);
    } catch (error) {
      if (error instanceof KubeStatusError) sendStatus(error);
      else {
        const message = error instanceof Error ? error.message : String(error);
        sendStatus(
          new KubeStatusError(
            error instanceof InvalidObjectError ? 422 : 500,
            error instanceof InvalidObjectError ? 'Invalid' : 'InternalError',
            message,
          ),
        );
      }
    }
  }

  async function route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    send: (code: number, body: unknown, contentType?: string) => void,
    entry: MutableLog,
  ): Promise<void> {
    if (method === 'GET') {
      if (path === '/version') return send(200, versionInfo(version));
      if (PUBLIC_PATHS.has(path)) return send(200, 'ok', 'text/plain');
      if (path === '/api')
        return send(200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${host}:${port()}` }],
        });
      if (path === '/apis') return send(200, apiGroupList(registry));
      const discovery = discoveryDocument(registry, path);
      if (discovery) return send(200, discovery);
    }
    if (method === 'POST' && path === `/apis/${AUTHORIZATION_GROUP}/v1/selfsubjectaccessreviews`) {
      return send(201, selfSubjectAccessReview(body));
    }
    const parsed = tryParseResourceRoute(registry, path);
    if (!parsed)
      throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
    const r = parsed.route;
    const watch = r.watch || query.get('watch') === 'true' || query.get('watch') === '1';
    if (r.subresource !== undefined && !(r.def.subresources ?? []).includes(r.subresource)) {
      throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    switch (method) {
      case 'GET': {
        if (r.name === undefined) {
          const labels = parseLabelSelector(query.get('labelSelector') ?? '');
          const fields = parseFieldSelector(
            query.get('fieldSelector') ?? '',
            [
              'metadata.name',
              ...(r.def.namespaced ? ['metadata.namespace'] : []),
              ...(r.def.fieldLabels ?? []),
            ],
            r.def.kind,
          );
          if (watch) return startWatch(r, labels, fields, query, req, res, entry);
          return send(200, listDocument(r, labels, fields, query));
        }
        const obj = store.read(r.def, r.namespace, r.name);
        if (r.subresource === 'log') {
          const text = logs.read(obj, {
            container: query.get('container') ?? undefined,
            tailLines: intParam(query, 'tailLines'),
            sinceSeconds: intParam(query, 'sinceSeconds'),
            sinceTime: query.get('sinceTime') ?? undefined,
            timestamps: query.get('timestamps') === 'true',
            limitBytes: intParam(query, 'limitBytes'),
            previous: query.get('previous') === 'true',
          });
          return send(200, text, 'text/plain');
        }
        return send(200, obj);
      }
      case 'POST': {
        if (r.name !== undefined)
          throw new KubeStatusError(
            405,
            'MethodNotAllowed',
            `the server does not allow this method on the requested resource`,
          );
        if (r.def.namespaced && r.namespace === undefined)
          throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
        const input = objectBody(body, r.def);
        const created = store.create(input, r.namespace === undefined ? {} : { namespace: r.namespace });
        send(201, created);
        if (r.def.group === 'batch' && r.def.kind === 'Job' && options.onJobCreated) {
          const hook = options.onJobCreated;
          const self = api;
          void Promise.resolve()
            .then(() => hook(created, self))
            .catch((error: unknown) => hookErrors.push(error));
        }
        return;
      }
      case 'PUT': {
        if (r.name === undefined)
          throw new KubeStatusError(
            405,
            'MethodNotAllowed',
            `the server does not allow this method on the requested resource`,
          );
        const input = objectBody(body, r.def);
        if (input.metadata.name !== undefined && input.metadata.name !== r.name) {
          throw new KubeStatusError(
            400,
            'BadRequest',
            `the name of the object (${input.metadata.name}) does not match the name on the URL (${r.name})`,
          );
        }
        const replaced = store.replace(
          { ...input, metadata: { ...input.metadata, name: r.name, namespace: r.namespace } },
          { onlyStatus: r.subresource === 'status' },
        );
        return send(200, replaced);
      }
      case 'PATCH': {
        if (r.name === undefined)
          throw new KubeStatusError(
            405,
            'MethodNotAllowed',
            `the server does not allow this method on the requested resource`,
          );
        const current = store.read(r.def, r.namespace, r.name);
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
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
        const replaced = store.replace(
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
      case 'DELETE': {
        const policy = (query.get('propagationPolicy') ??
          (body && typeof body === 'object'
            ? (body as { propagationPolicy?: string }).propagationPolicy
            : undefined)) as PropagationPolicy | undefined;
        if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
          throw new KubeStatusError(400, 'BadRequest', `propagationPolicy: Unsupported value: "${policy}"`);
        }
        if (r.name === undefined) {
          const labels = parseLabelSelector(query.get('labelSelector') ?? '');
          const fields = parseFieldSelector(
            query.get('fieldSelector') ?? '',
            ['metadata.name', ...(r.def.fieldLabels ?? [])],
            r.def.kind,
          );
          const victims = store.list(r.def, { namespace: r.namespace, labels, fields });
          const items = victims.map((v) =>
            store.delete(r.def, v.metadata.namespace, v.metadata.name ?? '', policy),
          );
          return send(200, {
            kind: `${r.def.kind}List`,
            apiVersion: apiVersionOf(r.def),
            metadata: { resourceVersion: store.resourceVersion() },
            items,
          });
        }
        const deleted = store.delete(r.def, r.namespace, r.name, policy);
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
      default:
        throw new KubeStatusError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  function listDocument(
    r: ResourceRoute,
    labels: LabelRequirement[],
    fields: FieldRequirement[],
    query: URLSearchParams,
  ): Record<string, unknown> {
    const all = store.list(r.def, { namespace: r.namespace, labels, fields });
    const limit = intParam(query, 'limit');
    const token = query.get('continue');
    let start = 0;
    let listVersion = store.resourceVersion();
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
    r: ResourceRoute,
    labels: LabelRequirement[],
    fields: FieldRequirement[],
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    entry: MutableLog,
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
      for (const obj of store.list(r.def, { namespace: r.namespace, labels, fields })) write('ADDED', obj);
    } else {
      const since = Number(from);
      if (!Number.isInteger(since) || since < store.oldestWatchableVersion()) {
        write(
          'ERROR',
          statusBody(
            new KubeStatusError(
              410,
              'Expired',
              `too old resource version: ${from} (${store.oldestWatchableVersion()})`,
            ),
          ),
        );
        res.end();
        return;
      }
      for (const event of store.eventsSince(since)) forward(event);
    }
    const unsubscribe = store.subscribe(forward);
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', finish);
      if (!res.writableEnded) res.end();
    };
    const timer =
      timeoutSeconds !== undefined && timeoutSeconds > 0
        ? setTimeout(finish, timeoutSeconds * 1000)
        : undefined;
    stopping.signal.addEventListener('abort', finish);
    req.on('close', finish);
    res.on('close', finish);
  }

  function selfSubjectAccessReview(body: unknown): Record<string, unknown> {
    const attrs = (body as { spec?: { resourceAttributes?: Record<string, string> } } | undefined)?.spec
      ?.resourceAttributes;
    if (!attrs)
      throw new KubeStatusError(
        422,
        'Invalid',
        'SelfSubjectAccessReview.spec.resourceAttributes: Required value',
      );
    const group = attrs.group ?? '';
    const def = registry.all().find((d) => d.plural === attrs.resource && d.group === group);
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
    const denied = faults.some((f) => {
      if (f.remaining <= 0 || (f.rule.status !== 403 && f.rule.status !== 401)) return false;
      const methods = f.rule.method === undefined ? undefined : [f.rule.method].flat();
      if (methods && !methods.some((m) => m.toUpperCase() === method)) return false;
      return (typeof f.rule.path === 'string' ? new RegExp(f.rule.path) : f.rule.path).test(path);
    });
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (options.socketPath !== undefined) server.listen(options.socketPath, ready);
    else server.listen(options.port ?? 0, host, ready);
  });
  const port = (): number => {
    if (options.socketPath !== undefined) return options.port ?? 443;
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new FakeKubeApiError('the server is not listening');
    return address.port;
  };
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `https://${isIPv6(urlHost) ? `[${urlHost}]` : urlHost}:${port()}`;

  // Requests are served only after this runs (it follows `listen` synchronously).
  const api: FakeKubeApi = {
    url,
    host,
    port: port(),
    caPem: tls.caPem,
    token,
    requests,
    store,
    hookErrors,
    kubeconfig: (kc = {}) =>
      kubeconfigYaml(url, kc.omitCa ? undefined : tls.caPem, kc.token ?? token, kc.namespace ?? 'default'),
    updateStatus: (ref, status) => store.updateStatus(ref, status),
    apply: (object) => store.upsert(object),
    setPodLog: (key, text) => logs.set(key, text),
    appendPodLog: (key, text) => logs.append(key, text),
    addFault: (rule) => {
      const active = { rule, remaining: rule.times ?? Infinity };
      faults.push(active);
      return () => {
        const i = faults.indexOf(active);
        if (i >= 0) faults.splice(i, 1);
      };
    },
    clearFaults: () => {
      faults.splice(0, faults.length);
    },
    stop: async () => {
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}

function seedObjects(store: ObjectStore, objects: KubeObject[], createNamespaces: boolean): void {
  const wanted = new Set<string>(createNamespaces ? SYSTEM_NAMESPACES : []);
  for (const [i, obj] of objects.entries()) {
    if (
      !obj ||
      typeof obj !== 'object' ||
      typeof obj.apiVersion !== 'string' ||
      typeof obj.kind !== 'string'
    ) {
      throw new InvalidObjectError(
        `objects[${i}]: not a Kubernetes object (apiVersion and kind are required)`,
      );
    }
    if (!obj.metadata || typeof obj.metadata.name !== 'string') {
      throw new InvalidObjectError(`objects[${i}] (${obj.kind}): metadata.name is required`);
    }
    const def = store.registry.forKind(obj.apiVersion, obj.kind);
    if (!def)
      throw new InvalidObjectError(
        `objects[${i}] (${obj.kind} ${obj.metadata.name}): the fake API does not serve ${obj.apiVersion} ${obj.kind}`,
      );
    if (createNamespaces && def.namespaced) wanted.add(obj.metadata.namespace ?? 'default');
  }
  const given = new Set(
    objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name),
  );
  for (const ns of wanted)
    if (!given.has(ns)) store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // Namespaces first, so that namespaced objects find theirs.
  const ordered = [...objects].sort(
    (a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'),
  );
  for (const [i, obj] of ordered.entries()) {
    try {
      // Seeded objects keep the status they were given (that is the scenario).
      store.create(obj, { keepStatus: true });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new InvalidObjectError(
        `objects[${i}] (${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}): ${why}`,
        { cause: error },
      );
    }
  }
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

/**
 * Splits a resource path: `/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]`,
 * `/apis/{group}/{version}/…`, cluster-scoped `…/{plural}[/{name}[/{sub}]]`, and the legacy
 * `/watch/` prefix.
 */
function tryParseResourceRoute(
  registry: ResourceRegistry,
  path: string,
): { route: ResourceRoute; def: ResourceDefinition & { subresource?: string } } | undefined {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    apiVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return undefined;
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && ['status', 'finalize'].includes(rest[2] ?? ''))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const def = registry.byPlural(apiVersion, plural);
  if (!def) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  const route: ResourceRoute = {
    def,
    watch,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
  if (name !== undefined && def.namespaced && namespace === undefined) return undefined;
  return {
    route,
    def: subresource === undefined ? def : { ...def, subresource: `${def.plural}/${subresource}` },
  };
}

function versionInfo(version: { major: string; minor: string }): Record<string, string> {
  return {
    major: version.major,
    minor: `${version.minor}+`,
    gitVersion: `v${version.major}.${version.minor}.0-eks-fake`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const gv of registry.groupVersions()) {
    if (gv.group === '') continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  groups.set(AUTHORIZATION_GROUP, ['v1']);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0] ?? 'v1'}`, version: versions[0] ?? 'v1' },
    })),
  };
}

function discoveryDocument(registry: ResourceRegistry, path: string): Record<string, unknown> | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = parts[1] ?? '';
    const versions = registry
      .groupVersions()
      .filter((gv) => gv.group === group)
      .map((gv) => gv.version);
    if (group === AUTHORIZATION_GROUP) versions.push('v1');
    if (versions.length === 0) return undefined;
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    };
  }
  const groupVersion =
    parts[0] === 'api' && parts.length === 2
      ? (parts[1] ?? '')
      : parts[0] === 'apis' && parts.length === 3
        ? `${parts[1]}/${parts[2]}`
        : undefined;
  if (groupVersion === undefined) return undefined;
  const defs = registry.all().filter((d) => apiVersionOf(d) === groupVersion);
  const resources: Record<string, unknown>[] = defs.flatMap((d) => [
    {
      name: d.plural,
      singularName: d.kind.toLowerCase(),
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    },
    ...(d.subresources ?? []).map((sub) => ({
      name: `${d.plural}/${sub}`,
      singularName: '',
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
    })),
  ]);
  if (groupVersion === `${AUTHORIZATION_GROUP}/v1`) {
    resources.push({
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    });
  }
  if (resources.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

function kubeconfigYaml(server: string, caPem: string | undefined, token: string, namespace: string): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'fake-kube-api',
        cluster: {
          server,
          ...(caPem ? { 'certificate-authority-data': Buffer.from(caPem, 'utf8').toString('base64') } : {}),
        },
      },
    ],
    users: [{ name: 'fleet-dns', user: { token } }],
    contexts: [
      { name: 'fake-kube-api', context: { cluster: 'fake-kube-api', user: 'fleet-dns', namespace } },
    ],
    'current-context': 'fake-kube-api',
  });
}
