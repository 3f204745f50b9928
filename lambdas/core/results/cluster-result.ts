/**
 * A cluster's result document (result.schema.json `clusterResult`): its identity, its check
 * results and the diagnosis drawn from them. Every producer — the AWS-side audit, the in-cluster
 * runner, the demo, the lab — builds it here, so the identity and the diagnosis are made once, and
 * the checks that do not apply to the cluster's compute mode (EKS-COMPUTE-MODE) are SKIPPED once.
 */
import { applyComputeMode } from '../compute/index.js';
import { diagnose } from '../diagnosis/index.js';
import { clusterResultSchema, formatSchemaError } from '../schema/index.js';
import type { CheckResult, ClusterResult, ScanRef } from '../schema/index.js';
import { formatClusterArn } from './cluster-arn.js';
import { formatClusterId } from './cluster-id.js';
import type { ClusterIdParts } from './cluster-id.js';
import { ResultsError } from './errors.js';

/** Who the cluster is: the id parts plus what is known beside them. */
export interface ClusterIdentityInput extends ClusterIdParts {
  readonly accountName?: string;
  /** DescribeCluster's `arn`; @default built from the id parts in the region's partition */
  readonly arn?: string;
  /** the Kubernetes version (DescribeCluster's `version`) */
  readonly version?: string;
}

/** Options of {@link buildClusterResult}. */
export interface BuildClusterResultOptions {
  /** the scan this result belongs to; @default none (a result outside any scan, e.g. one audit) */
  readonly scan?: ScanRef;
}

/**
 * The ClusterResult of `checks` for `identity`: id `<accountId>:<region>:<name>`, the ARN always
 * named (built when AWS gave none), the checks that do not apply to the compute mode SKIPPED
 * (`applyComputeMode`: node checks on Fargate, K8S-KUBE-PROXY without kube-proxy by design), and
 * the diagnosis of the checks.
 *
 * @throws ClusterIdentityError when the identity is malformed
 * @throws ResultsError when the result does not match the result schema (a bug of the producer)
 */
export function buildClusterResult(
  identity: ClusterIdentityInput,
  checks: readonly CheckResult[],
  options: BuildClusterResultOptions = {},
): ClusterResult {
  const { accountId, accountName, region, name, version } = identity;
  const id = formatClusterId(identity);
  const applicable = applyComputeMode(checks);
  const result: ClusterResult = {
    cluster: {
      id,
      accountId,
      ...(accountName !== undefined ? { accountName } : {}),
      region,
      name,
      arn: identity.arn ?? formatClusterArn(identity),
      ...(version ? { version } : {}),
    },
    ...(options.scan ? { scan: options.scan } : {}),
    checks: applicable,
    diagnosis: diagnose(applicable),
  };
  // What we hand out is the contract (result.schema.json): a mismatch is the producer's bug.
  const valid = clusterResultSchema.safeParse(result);
  if (!valid.success)
    throw new ResultsError(
      `the result of ${id} does not match the result schema: ${formatSchemaError(valid.error)}`,
    );
  return result;
}
