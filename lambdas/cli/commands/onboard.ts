/**
 * `fleet-dns onboard`: the long-lived in-cluster objects a scan needs (design.md § Access to the
 * cluster): the scanner's namespace with its Pod Security label, the runner ServiceAccount and
 * the RBAC. `--print` writes them as a multi-document YAML stream for `kubectl apply -f -`;
 * applying them directly (admin kubeconfig, EKS access entry) is not implemented yet.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import {
  buildOnboardingManifests,
  DEFAULT_RUNNER_JOB_SETTINGS,
  DEFAULT_SCANNER_GROUP,
  ManifestError,
} from '../../kube/manifests/index.js';
import type { OnboardingObject } from '../../kube/manifests/index.js';
import { UsageError } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';

export interface OnboardOptions {
  print?: boolean;
  namespace: string;
  group: string;
}

/** The objects as one YAML stream, one `---` document each, in apply order. */
export function onboardingYaml(objects: readonly OnboardingObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

function run(options: OnboardOptions, ctx: CommandContext): void {
  if (!options.print)
    throw new UsageError(
      'applying the onboarding objects is not implemented yet: use `fleet-dns onboard --print | kubectl apply -f -`',
    );
  let manifests;
  try {
    manifests = buildOnboardingManifests({ namespace: options.namespace, scannerGroup: options.group });
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  ctx.printText(onboardingYaml(manifests.all));
}

export const onboardCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('onboard')
    .description(
      "Create the in-cluster objects fleet-dns needs once per cluster: the scanner's namespace (Pod Security privileged), the runner ServiceAccount, and read-only RBAC for the scanner group and the runner.",
    )
    .option('--print', 'print the objects as YAML for `kubectl apply -f -` instead of applying them')
    .option('--namespace <ns>', "the scanner's namespace", DEFAULT_RUNNER_JOB_SETTINGS.namespace)
    .option(
      '--group <group>',
      "the Kubernetes group of the scanner's EKS access entry",
      DEFAULT_SCANNER_GROUP,
    )
    .action((options: OnboardOptions) => run(options, ctx));
};
