import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  Observable,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import type { Configuration, HttpLibrary, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { apiRetryRecord, attemptWithRetries, transientFaultOf } from '../../core/retry/index.js';
import type {
  ApiRetryRecord,
  AttemptOutcome,
  RetrySettings,
  TransientFault,
} from '../../core/retry/index.js';
import { KubeAdapterError } from '../errors.js';

/** How to reach one cluster API: endpoint, CA, bearer token. */
export interface KubeConnection {
  /** the API server URL, e.g. EKS DescribeCluster's `endpoint` */
  readonly server: string;
  /**
   * the cluster CA as base64 of its PEM — what EKS returns in `certificateAuthority.data` and
   * kubeconfig calls `certificate-authority-data`
   */
  readonly caData: string;
  /** the bearer token (an EKS token from `createEksToken`) */
  readonly token: string;
  /**
   * Deadline per request, connection included: a private endpoint the scanner cannot route to
   * would otherwise hang for the TCP SYN retries (minutes).
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /**
   * Deadline of a follow log read (`readNamespacedPodLog({ follow: true })`), which stays open
   * while the container runs: `timeoutMs` would cut it. The caller bounds its own wait (with an
   * AbortSignal set on the request, which is kept); this is the backstop.
   * @default 300_000
   */
  readonly followTimeoutMs?: number;
  /**
   * Retries of transient failures (429, 500, 503, reset connections), as client-go does; set
   * `deadlineMs` to the collection's deadline.
   * @default DEFAULT_RETRY_POLICY, no deadline
   */
  readonly retry?: RetrySettings;
}

/** The API groups the collectors read and the dispatcher writes. */
export interface KubeApis {
  readonly server: string;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  /** the kube-system DaemonSets (EKS-COMPUTE-MODE: kube-proxy, a CNI replacing it) */
  readonly apps: AppsV1Api;
  /** the runner's Jobs (dispatch, collect, sweep) */
  readonly batch: BatchV1Api;
  /** the calls this client had to retry so far, for the evidence (checks.md § Transient failures) */
  readonly apiRetries?: readonly ApiRetryRecord[];
}

/** A factory for {@link KubeApis}; inject one in tests. */
export type KubeClientFactory = (connection: KubeConnection) => KubeApis;

/** A log read with `follow=true`: it lasts as long as the container writes. */
function isFollowRead(request: RequestContext): boolean {
  const url = new URL(request.getUrl());
  return url.pathname.endsWith('/log') && url.searchParams.get('follow') === 'true';
}

/**
 * Sets a deadline on every request (follow log reads get their own, longer one), then hands it
 * to the client's usual fetch library. A signal the caller set on the request (a per-call
 * middleware) still aborts it.
 */
class DeadlineHttpLibrary implements HttpLibrary {
  readonly #inner = new IsomorphicFetchHttpLibrary();
  // the caller's own signal per request, kept across retries (each attempt gets a fresh deadline)
  readonly #callerSignals = new WeakMap<RequestContext, AbortSignal | undefined>();
  constructor(
    private readonly timeoutMs: number,
    private readonly followTimeoutMs: number,
  ) {}
  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    if (!this.#callerSignals.has(request)) this.#callerSignals.set(request, request.getSignal());
    const caller = this.#callerSignals.get(request);
    const deadline = AbortSignal.timeout(isFollowRead(request) ? this.followTimeoutMs : this.timeoutMs);
    request.setSignal(caller === undefined ? deadline : AbortSignal.any([caller, deadline]));
    return this.#inner.send(request);
  }
}

/** The transient fault of one exchange: a 429/500/503 response, or a reset connection. */
function transientExchangeFault(outcome: AttemptOutcome<ResponseContext>): TransientFault | undefined {
  if (outcome.ok)
    return transientFaultOf({
      status: outcome.value.httpStatusCode,
      ...(outcome.value.headers['retry-after'] !== undefined && {
        retryAfter: outcome.value.headers['retry-after'],
      }),
    });
  const e = outcome.error as { code?: unknown; message?: unknown } | undefined;
  return transientFaultOf({
    ...(typeof e?.code === 'string' && { code: e.code }),
    ...(typeof e?.message === 'string' && { message: e.message }),
  });
}

/** Sends each request again while its failure is transient, recording the retried ones. */
class RetryingHttpLibrary implements HttpLibrary {
  constructor(
    private readonly inner: HttpLibrary,
    private readonly settings: RetrySettings,
    private readonly retried: ApiRetryRecord[],
  ) {}
  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    const exchange = (): Promise<ResponseContext> => this.inner.send(request).toPromise();
    const settled = attemptWithRetries(exchange, { faultOf: transientExchangeFault, ...this.settings }).then(
      (attempted) => {
        const record = apiRetryRecord(
          `${request.getHttpMethod()} ${new URL(request.getUrl()).pathname}`,
          attempted,
        );
        if (record !== undefined) this.retried.push(record);
        if (attempted.ok) return attempted.value;
        throw attempted.error;
      },
    );
    return new Observable(settled);
  }
}

/** Deadline and retries of every request a {@link kubeApiConfiguration} client sends. */
export interface KubeRequestOptions {
  /** @default 10_000 (see {@link KubeConnection.timeoutMs}) */
  readonly timeoutMs?: number;
  /** @default 300_000 (see {@link KubeConnection.followTimeoutMs}) */
  readonly followTimeoutMs?: number;
  /** @default DEFAULT_RETRY_POLICY, no deadline (see {@link KubeConnection.retry}) */
  readonly retry?: RetrySettings;
}

/**
 * The client-node configuration of the API classes (`new RbacAuthorizationV1Api(configuration)`)
 * for a loaded kubeconfig's current context: its server, its credentials (token, client
 * certificate, exec plugin) and CA, plus this module's deadline per request and retries of
 * transient failures — what `kc.makeApiClient` gives, with the deadline and the retries.
 * Retried calls are appended to `apiRetries`.
 */
export function kubeApiConfiguration(
  kc: KubeConfig,
  options: KubeRequestOptions = {},
  apiRetries: ApiRetryRecord[] = [],
): Configuration {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined || server === '')
    throw new KubeAdapterError(`kubeconfig context "${kc.getCurrentContext()}" names no cluster server`);
  return createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    httpApi: new RetryingHttpLibrary(
      new DeadlineHttpLibrary(options.timeoutMs ?? 10_000, options.followTimeoutMs ?? 300_000),
      options.retry ?? {},
      apiRetries,
    ),
  });
}

/**
 * A cluster API client from an endpoint, its CA and a bearer token — no kubeconfig file, no
 * exec plugin, no kubectl. TLS is always verified against the given CA.
 *
 * @example
 * const kube = createKubeClient({ server: cluster.endpoint, caData: cluster.certificateAuthority.data, token });
 * const nodes = await kube.core.listNode({ limit: 500 });
 * @see https://github.com/kubernetes-client/javascript#usage
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html
 */
export function createKubeClient(connection: KubeConnection): KubeApis {
  if (!/^https:\/\//.test(connection.server)) {
    throw new KubeAdapterError(`cluster API endpoint must be an https:// URL, got "${connection.server}"`);
  }
  if (connection.caData === '') throw new KubeAdapterError('cluster CA data is empty');
  const apiRetries: ApiRetryRecord[] = [];
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'cluster', server: connection.server, caData: connection.caData, skipTLSVerify: false },
    ],
    users: [{ name: 'scanner', token: connection.token }],
    contexts: [{ name: 'scan', cluster: 'cluster', user: 'scanner' }],
    currentContext: 'scan',
  });
  const configuration = kubeApiConfiguration(kc, connection, apiRetries);
  return {
    server: connection.server,
    core: new CoreV1Api(configuration),
    discovery: new DiscoveryV1Api(configuration),
    apps: new AppsV1Api(configuration),
    batch: new BatchV1Api(configuration),
    apiRetries,
  };
}
