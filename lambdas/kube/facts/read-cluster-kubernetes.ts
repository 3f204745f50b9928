import type { ClusterApiAccess, KubernetesCollection, KubernetesReader } from '../../core/snapshot/index.js';
import { createKubeClient } from '../client/index.js';
import type { KubeClientFactory } from '../client/index.js';
import { KubeAccessError } from '../errors.js';
import { describeAccessFailure } from './access-reason.js';
import { readKubernetesFacts } from './read-kubernetes-facts.js';

/** How the cluster API is consulted; every default is applied in {@link readClusterKubernetes}. */
export interface ReadClusterKubernetesOptions {
  /** @default createKubeClient */
  readonly clientFactory?: KubeClientFactory;
  /**
   * Deadline per cluster API request.
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /** the Kubernetes group the shipped RBAC binds (named in access-failure reasons); @default 'fleet-dns-scanner' */
  readonly kubernetesGroup?: string;
}

/**
 * The Kubernetes facts of one cluster from values the AWS side handed over (endpoint, CA, EKS
 * token), or `reachable: false` with a reason that names the fix. Never rejects for an access
 * problem: the AWS-side checks run either way.
 */
export async function readClusterKubernetes(
  access: ClusterApiAccess,
  options: ReadClusterKubernetesOptions = {},
): Promise<KubernetesCollection> {
  try {
    const apis = (options.clientFactory ?? createKubeClient)({
      server: access.endpoint,
      caData: access.caData,
      token: access.token,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    const { facts, errors } = await readKubernetesFacts(apis, { ipFamily: access.ipFamily });
    return { block: facts, errors };
  } catch (err) {
    if (!(err instanceof KubeAccessError)) throw err;
    const reason = describeAccessFailure(err, {
      clusterName: access.clusterName,
      ...(access.endpointPublicAccess !== undefined
        ? { endpointPublicAccess: access.endpointPublicAccess }
        : {}),
      ...(access.endpointPrivateAccess !== undefined
        ? { endpointPrivateAccess: access.endpointPrivateAccess }
        : {}),
      ...(access.publicAccessCidrs ? { publicAccessCidrs: access.publicAccessCidrs } : {}),
      ...(access.authenticationMode ? { authenticationMode: access.authenticationMode } : {}),
      ...(access.principalArn ? { principalArn: access.principalArn } : {}),
      ...(options.kubernetesGroup ? { kubernetesGroup: options.kubernetesGroup } : {}),
    });
    return { block: { access: { reachable: false, reason } }, errors: [] };
  }
}

/** A {@link KubernetesReader} for the AWS collectors: {@link readClusterKubernetes} with these options. */
export function kubernetesReader(options: ReadClusterKubernetesOptions = {}): KubernetesReader {
  return (access) => readClusterKubernetes(access, options);
}
