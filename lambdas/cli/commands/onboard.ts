/**
 * `fleet-dns onboard`: the long-lived in-cluster objects a scan needs (design.md § Access to the
 * cluster): the scanner's namespace with its Pod Security label, the runner ServiceAccount and
 * the RBAC. Without `--print` they are applied with the person's admin kubeconfig
 * (create-or-replace, a second run changes nothing; one line per object as kubectl prints it);
 * `--print` writes them as a multi-document YAML stream for `kubectl apply -f -` instead.
 * `--access-entry ROLE_ARN --cluster NAME --region R` also gives the scanner's IAM role the EKS
 * access entry with the scanner group, or, on a `CONFIG_MAP` cluster, prints the aws-auth
 * `mapRoles` entry to add. The kube and AWS adapters do not know each other: this command
 * composes them.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ClusterIdentityError, parseClusterReference } from '../../core/results/index.js';
import {
  buildOnboardingManifests,
  DEFAULT_RUNNER_JOB_SETTINGS,
  DEFAULT_SCANNER_GROUP,
  ManifestError,
} from '../../kube/manifests/index.js';
import type { OnboardingObject } from '../../kube/manifests/index.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';

export interface OnboardOptions {
  print?: boolean;
  namespace: string;
  group: string;
  kubeconfig?: string;
  context?: string;
  accessEntry?: string;
  cluster?: string;
  region?: string;
}

/** The objects as one YAML stream, one `---` document each, in apply order. */
export function onboardingYaml(objects: readonly OnboardingObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

interface AccessEntryTarget {
  readonly roleArn: string;
  readonly clusterName: string;
  readonly region: string;
}

/** `--access-entry` with its cluster, validated before anything is sent anywhere. */
function accessEntryTarget(options: OnboardOptions, roleArnProblem: (arn: string) => string | undefined) {
  if (options.accessEntry === undefined) {
    if (options.cluster !== undefined || options.region !== undefined)
      throw new UsageError('--cluster and --region name the cluster of --access-entry ROLE_ARN: give it too');
    return undefined;
  }
  const problem = roleArnProblem(options.accessEntry);
  if (problem !== undefined) throw new UsageError(`--access-entry: ${problem}`);
  if (options.cluster === undefined)
    throw new UsageError('--access-entry needs --cluster NAME and --region R (the EKS cluster to add it to)');
  let reference;
  try {
    reference = parseClusterReference(options.cluster);
  } catch (err) {
    if (err instanceof ClusterIdentityError)
      throw new UsageError(`--cluster: ${err.message}`, { cause: err });
    throw err;
  }
  if (reference.region && options.region && reference.region !== options.region)
    throw new UsageError(`--cluster ${options.cluster} names another region than --region ${options.region}`);
  const region = reference.region ?? options.region;
  if (!region)
    throw new UsageError('--access-entry needs --region (or a full <accountId>:<region>:<name> --cluster)');
  return { roleArn: options.accessEntry, clusterName: reference.name, region } satisfies AccessEntryTarget;
}

/** Applies the objects with the kubeconfig, printing `kind.group/name action` per object. */
async function applyObjects(
  objects: readonly OnboardingObject[],
  options: OnboardOptions,
  ctx: CommandContext,
): Promise<void> {
  const kube = await import('../../kube/index.js');
  let kubeConfig;
  try {
    kubeConfig = kube.loadKubeConfig({
      ...(options.kubeconfig !== undefined ? { file: options.kubeconfig } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
    });
  } catch (err) {
    if (err instanceof kube.KubeConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  ctx.progress(
    `applying to ${kubeConfig.getCurrentCluster()?.server ?? ''} (context ${kubeConfig.getCurrentContext()}) …`,
  );
  try {
    await kube.applyOnboarding({
      kubeConfig,
      objects,
      onApplied: (o) => {
        ctx.printText(`${o.ref} ${o.action}\n`);
        if (o.action === 'configured' && o.difference !== undefined)
          ctx.note(
            o.recreated
              ? `${o.ref}: its roleRef differed and cannot change in place, so it was deleted and created again`
              : `${o.ref}: ${o.difference} differed from fleet-dns's, set back`,
          );
      },
    });
  } catch (err) {
    if (err instanceof kube.KubeAccessError) {
      const hint =
        err.failure === 'forbidden' || err.failure === 'unauthorized'
          ? ' (onboarding needs an admin kubeconfig: one allowed to create namespaces, ServiceAccounts and RBAC)'
          : '';
      throw new CliError(`${err.message}${hint}`, EXIT.TOOL_ERROR, { cause: err });
    }
    if (err instanceof kube.KubeAdapterError)
      throw new CliError(err.message, EXIT.TOOL_ERROR, { cause: err });
    throw err;
  }
}

const ACCESS_ENTRY_PERMISSIONS =
  'eks:DescribeCluster, eks:CreateAccessEntry, eks:DescribeAccessEntry and eks:UpdateAccessEntry';

/** The access entry (or, on a CONFIG_MAP cluster, the aws-auth entry to add); `print` writes where it may. */
async function grantAccessEntry(
  target: AccessEntryTarget,
  group: string,
  print: (text: string) => void,
): Promise<void> {
  const aws = await import('../../aws/index.js');
  const { EKSClient } = await import('@aws-sdk/client-eks');
  const eks = new EKSClient(aws.clientConfig({ region: target.region }));
  let access;
  try {
    access = await aws.ensureScannerAccessEntry({
      eks,
      clusterName: target.clusterName,
      principalArn: target.roleArn,
      kubernetesGroups: [group],
    });
  } catch (err) {
    if (err instanceof aws.AwsConfigurationError) throw new UsageError(err.message, { cause: err });
    if (err instanceof aws.AwsCallError) {
      if (err.call === 'eks:DescribeCluster' && err.kind === 'not-found')
        throw new UsageError(`EKS cluster "${target.clusterName}" not found in region ${target.region}`, {
          cause: err,
        });
      const hint = err.kind === 'denied' ? ` (--access-entry needs ${ACCESS_ENTRY_PERMISSIONS})` : '';
      throw new CliError(`${err.message}${hint}`, EXIT.TOOL_ERROR, { cause: err });
    }
    throw err;
  } finally {
    eks.destroy();
  }
  if (access.action !== 'aws-auth') {
    print(
      `access entry ${access.principalArn} on cluster ${target.clusterName} ${access.action} (kubernetesGroups: ${access.kubernetesGroups.join(', ')})\n`,
    );
    return;
  }
  const pathNote =
    access.role.path === '/'
      ? ''
      : `The role's path ${access.role.path} is left out on purpose: aws-auth matches role ARNs without their path.\n`;
  print(
    `Cluster ${target.clusterName} uses authenticationMode CONFIG_MAP, which has no access entries. ` +
      'Add this item to mapRoles in the kube-system/aws-auth ConfigMap ' +
      '(`kubectl edit -n kube-system configmap/aws-auth`, keeping the entries already there):\n' +
      access.mapRolesEntry +
      pathNote +
      `Or move the cluster to access entries (\`aws eks update-cluster-config --name ${target.clusterName} --region ${target.region} --access-config authenticationMode=API_AND_CONFIG_MAP\`) and run this again.\n`,
  );
}

async function run(options: OnboardOptions, ctx: CommandContext): Promise<void> {
  let manifests;
  try {
    manifests = buildOnboardingManifests({ namespace: options.namespace, scannerGroup: options.group });
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  if (options.print && (options.kubeconfig !== undefined || options.context !== undefined))
    throw new UsageError('--kubeconfig and --context choose the cluster to apply to: not with --print');
  // Loaded only with --access-entry: the AWS SDK costs start-up time the rest never needs.
  const target =
    options.accessEntry === undefined && options.cluster === undefined && options.region === undefined
      ? undefined
      : accessEntryTarget(options, (await import('../../aws/eks/access-entry.js')).iamRoleArnProblem);

  if (options.print) ctx.printText(onboardingYaml(manifests.all));
  else await applyObjects(manifests.all, options, ctx);

  // With --print, stdout stays a YAML stream for kubectl: the access entry's report goes to stderr.
  if (target !== undefined)
    await grantAccessEntry(target, options.group, options.print ? ctx.printTextToStderr : ctx.printText);
}

export const onboardCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('onboard')
    .description(
      "Create the in-cluster objects fleet-dns needs once per cluster: the scanner's namespace (Pod Security privileged), the runner ServiceAccount, and read-only RBAC for the scanner group and the runner. Applies them with an admin kubeconfig (a second run changes nothing), or prints them with --print.",
    )
    .option('--print', 'print the objects as YAML for `kubectl apply -f -` instead of applying them')
    .option(
      '--kubeconfig <file>',
      'the admin kubeconfig to apply with (default: KUBECONFIG, else ~/.kube/config)',
    )
    .option('--context <name>', 'the kubeconfig context to use (default: its current context)')
    .option('--namespace <ns>', "the scanner's namespace", DEFAULT_RUNNER_JOB_SETTINGS.namespace)
    .option(
      '--group <group>',
      "the Kubernetes group of the scanner's EKS access entry",
      DEFAULT_SCANNER_GROUP,
    )
    .option(
      '--access-entry <roleArn>',
      'also give this IAM role an EKS access entry with the scanner group (needs --cluster and --region, and AWS permission); on a CONFIG_MAP cluster, print the aws-auth mapRoles entry to add',
    )
    .option('--cluster <name>', 'the EKS cluster of --access-entry (or <accountId>:<region>:<name>)')
    .option('--region <region>', 'the region of --cluster')
    .action((options: OnboardOptions) => run(options, ctx));
};
