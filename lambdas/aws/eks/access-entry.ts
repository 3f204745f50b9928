/**
 * The scanner's way into a cluster (design.md § Access to the cluster): an EKS access entry for
 * its IAM role with `kubernetesGroups: [fleet-dns-scanner]`, the group the onboarding RBAC binds.
 * Clusters still on `authenticationMode: CONFIG_MAP` have no access entries: for them the exact
 * aws-auth `mapRoles` entry is returned for a person to add (fleet-dns does not edit aws-auth:
 * a broken aws-auth locks everyone out).
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
 */
import {
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import type { EKSClient } from '@aws-sdk/client-eks';
import { stringify } from 'yaml';
import { AwsConfigurationError, toAwsCallError } from '../errors.js';

/** The username the aws-auth entry maps the scanner's role to. */
export const SCANNER_USERNAME = 'fleet-dns-scanner';

/** An IAM role ARN, taken apart. */
export interface IamRoleArn {
  readonly arn: string;
  readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly accountId: string;
  /** `/` or `/a/b/` */
  readonly path: string;
  readonly roleName: string;
  /** the ARN without its path: what aws-auth matches (it does not understand role paths) */
  readonly arnWithoutPath: string;
}

// IAM: a path is `/` or `/…/` of printable ASCII; a role name is 1–64 of [\w+=,.@-].
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(\/(?:[\x21-\x2e\x30-\x7e]+\/)*)([\w+=,.@-]{1,64})$/;

/** The role ARN's parts, or undefined when `arn` is not an IAM role ARN. */
export function parseIamRoleArn(arn: string): IamRoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition = '', accountId = '', path = '/', roleName = ''] = m;
  return {
    arn,
    partition: partition as IamRoleArn['partition'],
    accountId,
    path,
    roleName,
    arnWithoutPath: `arn:${partition}:iam::${accountId}:role/${roleName}`,
  };
}

/** The one-line problem with a role ARN, or undefined when it is one. */
export function iamRoleArnProblem(arn: string): string | undefined {
  return parseIamRoleArn(arn)
    ? undefined
    : `${JSON.stringify(arn)} is not an IAM role ARN: expected arn:aws:iam::<12-digit account>:role/[path/]<name> (or arn:aws-cn:…, arn:aws-us-gov:…)`;
}

/**
 * The aws-auth `mapRoles` entry for the role, as YAML (one list item):
 *
 * ```yaml
 * - rolearn: arn:aws:iam::111122223333:role/fleet-dns-scanner
 *   username: fleet-dns-scanner
 *   groups:
 *     - fleet-dns-scanner
 * ```
 * The role's path is left out: aws-auth compares against the role ARN without it.
 */
export function awsAuthMapRolesEntry(role: IamRoleArn, groups: readonly string[]): string {
  return stringify([{ rolearn: role.arnWithoutPath, username: SCANNER_USERNAME, groups: [...groups] }], {
    lineWidth: 0,
  });
}

export type AuthenticationModeName = 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';

export interface EnsureScannerAccessInput {
  readonly eks: EKSClient;
  readonly clusterName: string;
  /** the scanner's IAM role ARN */
  readonly principalArn: string;
  /** @example ['fleet-dns-scanner'] */
  readonly kubernetesGroups: readonly string[];
}

export type ScannerAccess =
  | {
      readonly authenticationMode: 'API' | 'API_AND_CONFIG_MAP';
      /** kubectl's words: created, configured (our groups added to an existing entry), unchanged */
      readonly action: 'created' | 'configured' | 'unchanged';
      readonly principalArn: string;
      /** the entry's groups afterwards */
      readonly kubernetesGroups: readonly string[];
    }
  | {
      readonly authenticationMode: 'CONFIG_MAP';
      readonly action: 'aws-auth';
      readonly role: IamRoleArn;
      /** the `mapRoles` item to add, YAML */
      readonly mapRolesEntry: string;
    };

async function send<T>(call: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw toAwsCallError(call, err) ?? err;
  }
}

/**
 * Gives the scanner's role its access: reads the cluster's authentication mode
 * (eks:DescribeCluster); with API or API_AND_CONFIG_MAP creates the access entry
 * (eks:CreateAccessEntry), or, when one exists (ResourceInUseException), reads it
 * (eks:DescribeAccessEntry) and adds our groups when missing (eks:UpdateAccessEntry, keeping the
 * groups it had); with CONFIG_MAP calls nothing else and returns the aws-auth entry to add.
 * AWS failures are {@link AwsCallError}s naming the call (`eks:CreateAccessEntry failed:
 * AccessDeniedException: …`).
 */
export async function ensureScannerAccessEntry(input: EnsureScannerAccessInput): Promise<ScannerAccess> {
  const role = parseIamRoleArn(input.principalArn);
  if (role === undefined) throw new AwsConfigurationError(iamRoleArnProblem(input.principalArn) ?? '');
  const { eks, clusterName, principalArn } = input;
  const groups = [...input.kubernetesGroups];

  const described = await send('eks:DescribeCluster', () =>
    eks.send(new DescribeClusterCommand({ name: clusterName })),
  );
  // A cluster created before access entries existed reports no accessConfig: aws-auth only.
  const mode = (described.cluster?.accessConfig?.authenticationMode ??
    'CONFIG_MAP') as AuthenticationModeName;
  if (mode === 'CONFIG_MAP')
    return {
      authenticationMode: mode,
      action: 'aws-auth',
      role,
      mapRolesEntry: awsAuthMapRolesEntry(role, groups),
    };

  try {
    await eks.send(new CreateAccessEntryCommand({ clusterName, principalArn, kubernetesGroups: groups }));
    return { authenticationMode: mode, action: 'created', principalArn, kubernetesGroups: groups };
  } catch (err) {
    const failure = toAwsCallError('eks:CreateAccessEntry', err);
    if (failure?.code !== 'ResourceInUseException') throw failure ?? err;
  }
  const existing = await send('eks:DescribeAccessEntry', () =>
    eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn })),
  );
  const had = existing.accessEntry?.kubernetesGroups ?? [];
  if (groups.every((g) => had.includes(g)))
    return { authenticationMode: mode, action: 'unchanged', principalArn, kubernetesGroups: had };
  const wanted = [...had, ...groups.filter((g) => !had.includes(g))];
  await send('eks:UpdateAccessEntry', () =>
    eks.send(new UpdateAccessEntryCommand({ clusterName, principalArn, kubernetesGroups: wanted })),
  );
  return { authenticationMode: mode, action: 'configured', principalArn, kubernetesGroups: wanted };
}
