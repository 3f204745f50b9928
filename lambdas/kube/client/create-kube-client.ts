import {
  CoreV1Api,
  DiscoveryV1Api,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import type { HttpLibrary, RequestContext } from '@kubernetes/client-node';
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
}

/** The API groups the collectors read. */
export interface KubeApis {
  readonly server: string;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
}

/** A factory for {@link KubeApis}; inject one in tests. */
export type KubeClientFactory = (connection: KubeConnection) => KubeApis;

/** Sets a deadline on every request, then hands it to the client's usual fetch library. */
class DeadlineHttpLibrary implements HttpLibrary {
  readonly #inner = new IsomorphicFetchHttpLibrary();
  constructor(private readonly timeoutMs: number) {}
  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    request.setSignal(AbortSignal.timeout(this.timeoutMs));
    return this.#inner.send(request);
  }
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
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'cluster', server: connection.server, caData: connection.caData, skipTLSVerify: false },
    ],
    users: [{ name: 'scanner', token: connection.token }],
    contexts: [{ name: 'scan', cluster: 'cluster', user: 'scanner' }],
    currentContext: 'scan',
  });
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(connection.server, {}),
    authMethods: { default: kc },
    httpApi: new DeadlineHttpLibrary(connection.timeoutMs ?? 10_000),
  });
  return {
    server: connection.server,
    core: new CoreV1Api(configuration),
    discovery: new DiscoveryV1Api(configuration),
  };
}
