/**
 * What a gate request may carry, validated once (checks.md § Gate: HTTP 200 for any well-formed
 * cluster id, known or not; 400 for a malformed cluster id or `targetVersion`).
 */
import { parseEksVersion } from '../checks/aws/coredns-addon.js';
import { ClusterIdentityError } from '../results/errors.js';
import { parseClusterId } from '../results/cluster-id.js';
import type { ClusterIdParts } from '../results/cluster-id.js';
import { GateInputError } from './errors.js';

/** A validated gate request. */
export interface GateRequest {
  /** `<accountId>:<region>:<clusterName>`, as given */
  readonly clusterId: string;
  readonly cluster: ClusterIdParts;
  /** normalized `MAJOR.MINOR` (a leading `v` dropped), when one was given */
  readonly targetVersion?: string;
}

/**
 * The target EKS version of an upgrade, normalized (`v1.33` → `1.33`): the same rule as
 * `audit-network --target-version`.
 *
 * @throws GateInputError (field `targetVersion`) for anything but `MAJOR.MINOR`: `1.33.0`, `latest`, `1`, ``
 * @example parseTargetVersion('1.33') // '1.33'
 */
export function parseTargetVersion(text: string): string {
  const version = typeof text === 'string' ? parseEksVersion(text) : undefined;
  if (version === undefined)
    throw new GateInputError(
      `targetVersion ${JSON.stringify(text)}: expected an EKS version MAJOR.MINOR, e.g. 1.33`,
      'targetVersion',
      text,
    );
  return version;
}

/**
 * Validates a gate request: the cluster id with the one cluster-id parser
 * (lambdas/core/results `parseClusterId`), the target version with {@link parseTargetVersion}.
 *
 * @throws GateInputError naming the field (`clusterId` with the ClusterIdentityError as cause, or `targetVersion`)
 * @example validateGateRequest({ clusterId: '111122223333:eu-west-1:prod-a', targetVersion: '1.33' })
 */
export function validateGateRequest(request: {
  readonly clusterId: string;
  readonly targetVersion?: string | undefined;
}): GateRequest {
  let cluster: ClusterIdParts;
  try {
    cluster = parseClusterId(request.clusterId);
  } catch (err) {
    if (err instanceof ClusterIdentityError)
      throw new GateInputError(err.message, 'clusterId', request.clusterId, { cause: err });
    throw err;
  }
  return {
    clusterId: request.clusterId,
    cluster,
    ...(request.targetVersion !== undefined
      ? { targetVersion: parseTargetVersion(request.targetVersion) }
      : {}),
  };
}
