/**
 * The hand-off between the two adapters, as plain data: the AWS side (lambdas/aws) learns from
 * EKS where the cluster API is and signs a token; the Kubernetes side (lambdas/kube) reads the
 * snapshot's Kubernetes facts with them. Neither imports the other: the caller (the CLI, a
 * Lambda handler) passes a {@link KubernetesReader} built from lambdas/kube to the AWS collector,
 * which calls it with a {@link ClusterApiAccess} of values.
 */
import type { SnapshotCollectionError, SnapshotKubernetes } from './network-snapshot-schema.js';

/** What reading the cluster API needs, from EKS DescribeCluster and the scanner's identity. */
export interface ClusterApiAccess {
  readonly clusterName: string;
  /** DescribeCluster `endpoint` */
  readonly endpoint: string;
  /** DescribeCluster `certificateAuthority.data` (base64 PEM) */
  readonly caData: string;
  /** an EKS bearer token (`k8s-aws-v1.…`) signed by the scanner's identity */
  readonly token: string;
  /** `kubernetesNetworkConfig.ipFamily`: which pod addresses to read */
  readonly ipFamily: 'ipv4' | 'ipv6';
  /** named in the reason when the API cannot be used (which endpoint access, which mapping) */
  readonly endpointPublicAccess?: boolean;
  readonly endpointPrivateAccess?: boolean;
  readonly publicAccessCidrs?: readonly string[];
  readonly authenticationMode?: string;
  /** the IAM principal the scanner acts as */
  readonly principalArn?: string;
}

/** The snapshot's `kubernetes` block as collected: the facts, or why the cluster API could not be used. */
export type KubernetesBlock =
  | (Omit<SnapshotKubernetes, 'dnsPods' | 'nodes'> & {
      readonly dnsPods?: SnapshotKubernetes['dnsPods'];
      readonly nodes?: SnapshotKubernetes['nodes'];
    })
  | { readonly access: { readonly reachable: false; readonly reason: string } };

/** What a {@link KubernetesReader} returns: the block, and reads that failed without making the API unreachable. */
export interface KubernetesCollection {
  readonly block: KubernetesBlock;
  readonly errors: readonly SnapshotCollectionError[];
}

/**
 * Reads the Kubernetes facts of one cluster. Never rejects for an access problem (that is
 * `access.reachable: false` with a reason); rejects only on a bug.
 */
export type KubernetesReader = (access: ClusterApiAccess) => Promise<KubernetesCollection>;
