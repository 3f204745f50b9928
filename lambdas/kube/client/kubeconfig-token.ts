/**
 * A bearer token from a person's kubeconfig, for `fleet-dns scan --kubeconfig/--context`: the
 * scan still takes each cluster's endpoint and CA from EKS DescribeCluster (verified TLS), and
 * borrows only the identity of the kubeconfig user — a static token, or what its exec plugin
 * (`aws eks get-token`, kubelogin…) prints, run by client-node exactly as kubectl would.
 *
 * Which context serves which cluster: `--context` for every cluster (a one-cluster scan), else
 * the context whose cluster is the EKS cluster's ARN (`aws eks update-kubeconfig` names them so)
 * or whose server is its endpoint.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, loadKubeConfig } from './load-kube-config.js';
import type { LoadKubeConfigInput } from './load-kube-config.js';

/** The cluster a token is wanted for. */
export interface KubeconfigTokenTarget {
  readonly region: string;
  readonly clusterName: string;
  /** the cluster's account, when known (any account otherwise) */
  readonly accountId?: string;
  /** its API endpoint, when known (a context matched by server) */
  readonly endpoint?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `arn:aws:eks:REGION:ACCOUNT:cluster/NAME` in any partition. */
function arnPattern(t: KubeconfigTokenTarget): RegExp {
  const account = t.accountId !== undefined ? escape(t.accountId) : '\\d{12}';
  return new RegExp(`^arn:aws[a-z-]*:eks:${escape(t.region)}:${account}:cluster/${escape(t.clusterName)}$`);
}

/** A bearer token for a cluster, from the kubeconfig's user for it. */
export type KubeconfigTokenProvider = (target: KubeconfigTokenTarget) => Promise<string>;

/** Makes tokens from the kubeconfig's users; loads the file once. */
export function kubeconfigTokenProvider(input: LoadKubeConfigInput): KubeconfigTokenProvider {
  const kc: KubeConfig = loadKubeConfig(input);
  const source = input.file ?? 'the kubeconfig';
  return async (target) => {
    let contextName = input.context;
    if (contextName === undefined) {
      const match = kc.getContexts().find((c) => {
        const cluster = kc.getCluster(c.cluster);
        return (
          arnPattern(target).test(c.cluster) ||
          (target.endpoint !== undefined &&
            cluster?.server.replace(/\/$/, '') === target.endpoint.replace(/\/$/, ''))
        );
      });
      if (match === undefined)
        throw new KubeConfigError(
          `${source} has no context for EKS cluster ${target.clusterName} in ${target.region} (add one with \`aws eks update-kubeconfig --name NAME --region REGION\`, or choose one with --context)`,
        );
      contextName = match.name;
    }
    const previous = kc.getCurrentContext();
    kc.setCurrentContext(contextName);
    try {
      const options = await kc.applyToFetchOptions({});
      const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
      const authorization = headers.get('authorization') ?? '';
      const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
      if (token === undefined)
        throw new KubeConfigError(
          `the kubeconfig user of context "${contextName}" gives no bearer token (client certificates and basic auth are not supported: use an EKS token, i.e. leave out --kubeconfig)`,
        );
      return token;
    } finally {
      kc.setCurrentContext(previous);
    }
  };
}
