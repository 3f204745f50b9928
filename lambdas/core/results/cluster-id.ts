/**
 * The fleet-wide cluster id, `<accountId>:<region>:<clusterName>` (checks.md, "Cluster identity"):
 * store keys, API paths, reports and the CLI's `--cluster` all use it. One formatter, one parser.
 */
import { ClusterIdentityError } from './errors.js';

/** The three parts of a cluster id. */
export interface ClusterIdParts {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/** An AWS account id: exactly 12 digits. */
const ACCOUNT_ID = /^[0-9]{12}$/;
/**
 * The shape of a region code: lower-case words and digits joined by single dashes, starting with
 * a letter (`eu-west-1`, `us-gov-west-1`, `cn-north-1`; the netns lab's made-up `lab` fits too).
 */
const REGION = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/**
 * EKS cluster names: 1–100 characters, letters (case-sensitive), digits, `-` and `_`, starting
 * with a letter or digit.
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html#API_CreateCluster_RequestSyntax
 */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export const CLUSTER_ID_EXAMPLE = '111122223333:eu-west-1:prod-a';

/** Why `accountId` is not an account id, or undefined when it is. */
export function accountIdProblem(accountId: string): string | undefined {
  return ACCOUNT_ID.test(accountId) ? undefined : `account id ${JSON.stringify(accountId)} must be 12 digits`;
}

/** Why `region` is not shaped like a region code, or undefined when it is. */
export function regionProblem(region: string): string | undefined {
  return REGION.test(region)
    ? undefined
    : `region ${JSON.stringify(region)} must be a region code such as eu-west-1 (lower-case words and digits joined by dashes)`;
}

/** Why `name` is not a valid EKS cluster name, or undefined when it is. */
export function clusterNameProblem(name: string): string | undefined {
  return CLUSTER_NAME.test(name)
    ? undefined
    : `cluster name ${JSON.stringify(name)} must be 1-100 letters, digits, - or _, starting with a letter or digit (EKS naming rules)`;
}

function firstProblem(parts: ClusterIdParts): string | undefined {
  return accountIdProblem(parts.accountId) ?? regionProblem(parts.region) ?? clusterNameProblem(parts.name);
}

/**
 * The cluster id of `parts`, `<accountId>:<region>:<clusterName>`.
 *
 * @throws ClusterIdentityError when a part is malformed (the message names the part)
 * @example formatClusterId({ accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }) // '111122223333:eu-west-1:prod-a'
 */
export function formatClusterId(parts: ClusterIdParts): string {
  const id = `${parts.accountId}:${parts.region}:${parts.name}`;
  const problem = firstProblem(parts);
  if (problem) throw new ClusterIdentityError(`cluster id ${JSON.stringify(id)}: ${problem}`, id);
  return id;
}

/**
 * The parts of a cluster id; the inverse of {@link formatClusterId}.
 *
 * @throws ClusterIdentityError naming what is wrong (not three parts, or which part is malformed)
 * @example parseClusterId('111122223333:eu-west-1:prod-a') // { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }
 */
export function parseClusterId(text: string): ClusterIdParts {
  const pieces = text.split(':');
  if (pieces.length !== 3) {
    throw new ClusterIdentityError(
      `cluster id ${JSON.stringify(text)}: expected <accountId>:<region>:<clusterName>, e.g. ${CLUSTER_ID_EXAMPLE}`,
      text,
    );
  }
  const [accountId, region, name] = pieces as [string, string, string];
  const parts = { accountId, region, name };
  const problem = firstProblem(parts);
  if (problem) throw new ClusterIdentityError(`cluster id ${JSON.stringify(text)}: ${problem}`, text);
  return parts;
}
