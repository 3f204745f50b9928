/**
 * The fake Kubernetes API server: real REST paths, object shapes, `Status` errors, list/watch,
 * selectors and pod logs over TLS with a generated CA and bearer-token authentication. One
 * module serves every test, the demo and the netns lab (design.md: the Kubernetes API is the one
 * part without a real server here). This module starts and stops it; the REST layer is rest.ts,
 * fault rules faults.ts, resource paths routes.ts, discovery discovery.ts.
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { isIPv6 } from 'node:net';
import { stringify as toYaml } from 'yaml';
import { FakeKubeApiError, InvalidObjectError } from './errors.js';
import { FaultList } from './faults.js';
import { PodLogStore } from './pod-logs.js';
import { DEFAULT_RESOURCES, ResourceRegistry } from './resources.js';
import type { ResourceDefinition } from './resources.js';
import { handleRequest } from './rest.js';
import type { RestContext } from './rest.js';
import { ObjectStore, SYSTEM_NAMESPACES } from './store.js';
import { generateServerTls } from './tls.js';
import type { FaultRule, KubeObject, ObjectRef, RequestLog } from './types.js';

/** Options of {@link startFakeKubeApi}; every default is applied there and nowhere else. */
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
  /**
   * More identities: bearer token → user name (recorded in `requests[].user`), e.g. the
   * scanner beside the runner, as a real API server authenticates both.
   */
  readonly users?: Readonly<Record<string, string>>;
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
  /** Appends lines to a container's log; follow reads receive them. */
  appendPodLog(key: string, text: string): void;
  /**
   * Marks a container's log as finished (its container terminated): follow reads end after what
   * is left, later ones return at once. Key `namespace/pod[/container]`.
   */
  endPodLog(key: string): void;
  /**
   * Takes `finalizer` off an object's `metadata.finalizers`, as the controller owning it would;
   * an object being deleted goes once none is left.
   */
  removeFinalizer(ref: ObjectRef, finalizer: string): KubeObject;
  /** Adds a fault at the end of the list; returns a function that removes it. */
  addFault(rule: FaultRule): () => void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Closes the server and every open watch. */
  stop(): Promise<void>;
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
  const registry = new ResourceRegistry([...DEFAULT_RESOURCES, ...(options.resources ?? [])]);
  const store = new ObjectStore(registry);
  const logs = new PodLogStore();
  const faults = new FaultList(options.faults ?? []);
  const requests: RequestLog[] = [];
  const hookErrors: unknown[] = [];
  const stopping = new AbortController();

  seedObjects(store, flattenLists(options.objects ?? []), options.createNamespaces ?? true);
  for (const [key, text] of Object.entries(options.podLogs ?? {})) logs.set(key, text);

  const tls = await generateServerTls({ hosts: certificateHosts(host, options.sans ?? []) });
  const ctx: RestContext = {
    registry,
    store,
    logs,
    faults,
    requests,
    token,
    user: options.user ?? 'system:serviceaccount:fleet-dns:fleet-dns-runner',
    users: new Map(Object.entries(options.users ?? {})),
    version: options.kubernetesVersion ?? { major: '1', minor: '33' },
    stopping: stopping.signal,
    serverAddress: () => `${host}:${port}`,
    // Requests, and so Jobs, arrive only once the server listens and `api` exists.
    jobCreated: (job) => {
      const hook = options.onJobCreated;
      if (!hook) return;
      void Promise.resolve()
        .then(() => hook(job, api))
        .catch((error: unknown) => hookErrors.push(error));
    },
  };
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void handleRequest(ctx, req, res);
  });
  const port = await listen(server, options, host);
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `https://${isIPv6(urlHost) ? `[${urlHost}]` : urlHost}:${port}`;

  const api: FakeKubeApi = {
    url,
    host,
    port,
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
    endPodLog: (key) => logs.end(key),
    removeFinalizer: (ref, finalizer) => store.removeFinalizer(ref, finalizer),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
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

/** The certificate's subjectAltNames: the listen host (unless a wildcard), loopback, the in-cluster names, `sans`. */
function certificateHosts(host: string, sans: readonly string[]): string[] {
  return [
    ...(host === '0.0.0.0' || host === '::' ? [] : [host]),
    '127.0.0.1',
    '::1',
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    ...sans,
  ];
}

/**
 * Listens on the Unix socket or `host:port`; resolves to the port clients use (on a socket, the
 * one the lab forwards to it).
 */
async function listen(server: Server, options: FakeKubeApiOptions, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (options.socketPath !== undefined) server.listen(options.socketPath, ready);
    else server.listen(options.port ?? 0, host, ready);
  });
  if (options.socketPath !== undefined) return options.port ?? 443;
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new FakeKubeApiError('the server is not listening');
  return address.port;
}

function flattenLists(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((o) =>
    o.kind === 'List' || (o.kind.endsWith('List') && Array.isArray(o.items))
      ? flattenLists((o.items as KubeObject[] | undefined) ?? [])
      : [o],
  );
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
