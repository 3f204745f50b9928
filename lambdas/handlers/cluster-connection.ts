/**
 * How a runner handler reaches a cluster's API: an EKS token from the injected token provider
 * (by default signed in process by lambdas/aws/eks with the function's credentials) and a client
 * from lambdas/kube built from the values (endpoint, CA, token). The handler wires the two
 * adapters; they never import each other.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { parseClusterId } from '../core/results/index.js';
import { createEksToken } from '../aws/eks/index.js';
import type { KubeApis, KubeClientFactory } from '../kube/index.js';
import type { ClusterApi } from './scan-payload.js';

/** The EKS cluster a token is for. */
export interface TokenTarget {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly region: string;
}

/** Makes a bearer token for one cluster's API; inject one in tests. */
export type ClusterTokenProvider = (target: TokenTarget) => Promise<string>;

/**
 * The default token provider: `createEksToken` signed with `credentials` (the function's role
 * through the default chain).
 * @default credentials fromNodeProviderChain()
 */
export function eksTokenProvider(
  credentials: AwsCredentialIdentityProvider = fromNodeProviderChain(),
): ClusterTokenProvider {
  return async ({ clusterName, region }) =>
    (await createEksToken({ clusterName, region, credentials })).token;
}

export interface ClusterConnectionDeps {
  readonly tokenProvider: ClusterTokenProvider;
  /** @default createKubeClient */
  readonly kubeClientFactory: KubeClientFactory;
}

/**
 * A cluster API client for `clusterId` at `cluster` (endpoint and CA from DescribeCluster),
 * each request bounded by `timeoutMs`.
 */
export async function connectToCluster(
  deps: ClusterConnectionDeps,
  clusterId: string,
  cluster: ClusterApi,
  timeoutMs: number,
): Promise<KubeApis> {
  const { region, name } = parseClusterId(clusterId);
  const token = await deps.tokenProvider({ clusterId, clusterName: name, region });
  return deps.kubeClientFactory({
    server: cluster.endpoint,
    caData: cluster.certificateAuthorityData,
    token,
    timeoutMs,
  });
}
