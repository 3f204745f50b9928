/**
 * `fleet-dns scan`: the whole fleet scan from a laptop — the deployed state machine's handlers
 * run in process (lambdas/handlers/in-process-scan.ts): discover the accounts × regions, collect
 * each account×region's AWS side, dispatch the runner into each cluster and collect its results,
 * store (the embedded store by default, `--table` for DynamoDB), summarize — then the report of
 * this scan in any format, and the exit code of conventions.md.
 *
 * Ctrl-C stops cleanly: no new work is started, runners already dispatched are collected as they
 * are and their objects deleted, what was collected is stored, and the exit code is 130.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { createEksToken } from '../../aws/eks/index.js';
import { reportModel } from '../../core/report/index.js';
import type { ReportModel } from '../../core/report/index.js';
import { findingsExitCode, parseClusterId } from '../../core/results/index.js';
import { SEVERITIES } from '../../core/schema/index.js';
import { eksTokenProvider } from '../../handlers/cluster-connection.js';
import type { ClusterTokenProvider } from '../../handlers/cluster-connection.js';
import { parseRunnerHandlerConfig } from '../../handlers/config.js';
import type { RunnerHandlerConfig } from '../../handlers/config.js';
import { HandlerConfigError } from '../../handlers/errors.js';
import { runInProcessScan } from '../../handlers/in-process-scan.js';
import type { InProcessScanOptions, InProcessRunnerOptions } from '../../handlers/in-process-scan.js';
import { parseScanScopeConfig } from '../../handlers/pipeline-config.js';
import { kubeconfigTokenProvider } from '../../kube/index.js';
import type { KubeconfigTokenProvider } from '../../kube/index.js';
import { readStoredMutelist, withMutelists } from '../../store/index.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';
import { openStoreForWriting, STORE_OPTION_HELP } from '../store-access.js';
import {
  loadFleetReport,
  parseFailOn,
  previousResults,
  print,
  render,
  REPORT_COMMAND_FORMATS,
  writeOutput,
} from './report.js';
import type { ReportCommandFormat } from './report.js';
import { scanProgress } from './scan-progress.js';

export interface ScanOptions {
  accounts?: string;
  excludeAccounts?: string;
  regions?: string;
  cluster: string[];
  roleName?: string;
  externalId?: string;
  assumeRoleInCurrentAccount?: boolean;
  kubeconfig?: string;
  context?: string;
  inCluster: boolean;
  runnerImage?: string;
  namespace?: string;
  store?: string;
  table?: string;
  format: ReportCommandFormat;
  output?: string;
  failOn?: string;
  ignoreExitCode?: boolean;
  concurrency: string;
  clusterConcurrency: string;
  pollInterval: string;
}

/** Everything a scan can be given besides its options: what the demo and the tests inject. */
export type ScanInjection = Partial<
  Pick<InProcessScanOptions, 'fleet' | 'tokenFactory' | 'kubeClientFactory' | 'now' | 'scanId'>
> & {
  /** replaces the runner settings the flags make (the lab's cluster domain and deadlines) */
  readonly runnerConfig?: RunnerHandlerConfig;
  /** replaces the runner's token provider (the lab's scanner token) */
  readonly runnerTokenProvider?: ClusterTokenProvider;
  readonly newHmacKey?: () => string;
};

/** The scan scope's flag for each variable parseScanScopeConfig names. */
const FLAG_OF_VARIABLE: Record<string, string> = {
  SCAN_ACCOUNTS: '--accounts',
  SCAN_REGIONS: '--regions',
  SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: '--assume-role-in-current-account',
  AWS_REGION: 'AWS_REGION',
};

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** The scope from the flags, in the deployed scanner's terms (SCAN_* variables) so both parse alike. */
function scopeOf(o: ScanOptions, env: NodeJS.ProcessEnv) {
  const home = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
  try {
    return parseScanScopeConfig({
      SCAN_ACCOUNTS: o.accounts,
      SCAN_EXCLUDE_ACCOUNTS: o.excludeAccounts,
      // A person's scan covers their configured region unless told otherwise.
      SCAN_REGIONS: o.regions ?? (home !== '' ? home : 'enabled'),
      SCAN_ROLE_NAME: o.roleName,
      SCAN_EXTERNAL_ID: o.externalId,
      SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: o.assumeRoleInCurrentAccount ? 'true' : undefined,
      // STS and DescribeRegions go somewhere: the configured region, else us-east-1
      AWS_REGION: home !== '' ? home : 'us-east-1',
    });
  } catch (err) {
    if (!(err instanceof HandlerConfigError)) throw err;
    const lines = err.problems.map((p) =>
      p.replace(/^([A-Z_]+):/, (_, v: string) => `${FLAG_OF_VARIABLE[v] ?? v}:`),
    );
    throw new UsageError(lines.join('; '), { cause: err });
  }
}

/** An EKS cluster ARN, `arn:aws:eks:REGION:ACCOUNT:cluster/NAME` (any partition). */
const CLUSTER_ARN = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/;

/** `--cluster` values as cluster ids or bare names (an ARN becomes its id). */
function clustersOf(values: readonly string[]): string[] {
  return values.map((c) => {
    if (c === '')
      throw new UsageError('--cluster: expected a cluster name, <accountId>:<region>:<name> or its ARN');
    const arn = CLUSTER_ARN.exec(c);
    const id = arn ? `${arn[2]}:${arn[1]}:${arn[3]}` : c;
    if (id.includes(':'))
      try {
        parseClusterId(id);
      } catch (err) {
        throw new UsageError(`--cluster ${JSON.stringify(c)}: ${(err as Error).message}`, { cause: err });
      }
    return id;
  });
}

/** The in-cluster phase's settings: the runner image is the one thing without a default. */
function runnerOptions(
  o: ScanOptions,
  env: NodeJS.ProcessEnv,
  inject: ScanInjection,
  /** the kubeconfig's identity, when --kubeconfig/--context is given */
  fromKubeconfig: KubeconfigTokenProvider | undefined,
): InProcessRunnerOptions {
  const image = o.runnerImage ?? env.FLEET_DNS_RUNNER_IMAGE;
  if (image === undefined || image === '')
    throw new UsageError(
      'the in-cluster checks need the runner image: --runner-image REF (built from runner-image/Dockerfile, in a registry the clusters pull from) or FLEET_DNS_RUNNER_IMAGE; or --no-in-cluster for the AWS side only',
    );
  let config = inject.runnerConfig;
  if (config === undefined)
    try {
      config = parseRunnerHandlerConfig({
        RUNNER_IMAGE: image,
        ...(o.namespace !== undefined ? { RUNNER_NAMESPACE: o.namespace } : {}),
      });
    } catch (err) {
      if (err instanceof HandlerConfigError)
        throw new UsageError(
          err.problems
            .map((p) =>
              p.replace(/^RUNNER_IMAGE:/, '--runner-image:').replace(/^RUNNER_NAMESPACE:/, '--namespace:'),
            )
            .join('; '),
          { cause: err },
        );
      throw err;
    }
  let tokenProvider: ClusterTokenProvider;
  if (inject.runnerTokenProvider !== undefined) tokenProvider = inject.runnerTokenProvider;
  else if (fromKubeconfig !== undefined)
    tokenProvider = ({ clusterId, clusterName, region }) =>
      fromKubeconfig({ clusterName, region, accountId: parseClusterId(clusterId).accountId });
  else tokenProvider = eksTokenProvider();
  return {
    config,
    tokenProvider,
    pollIntervalMs: wholeNumber(o.pollInterval, '--poll-interval', 100, 60_000),
    ...(inject.newHmacKey ? { newHmacKey: inject.newHmacKey } : {}),
    ...(inject.kubeClientFactory ? { kubeClientFactory: inject.kubeClientFactory } : {}),
  };
}

/** What {@link runScan} did: the scan, where it is stored, and the report model it printed. */
export interface ScanRun {
  readonly scanId: string;
  readonly storePath: string;
  readonly interrupted: boolean;
  readonly model: ReportModel;
}

/** Runs a scan with `options` (and what the demo injects); prints the report; sets the exit code. */
export async function runScan(
  options: ScanOptions,
  ctx: CommandContext,
  inject: ScanInjection = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ScanRun> {
  const failOn = parseFailOn(options.failOn);
  const clusters = clustersOf(options.cluster);
  const scope = scopeOf(options, env);
  const concurrency = wholeNumber(options.concurrency, '--concurrency', 1, 64);
  const clusterConcurrency = wholeNumber(options.clusterConcurrency, '--cluster-concurrency', 1, 64);
  if (!options.inCluster && (options.kubeconfig !== undefined || options.context !== undefined))
    throw new UsageError(
      '--kubeconfig and --context are for the in-cluster checks: not with --no-in-cluster',
    );
  // One provider (the kubeconfig read and parsed once) for the runner and the AWS-side reads.
  const fromKubeconfig =
    options.kubeconfig !== undefined || options.context !== undefined
      ? kubeconfigTokenProvider({
          ...(options.kubeconfig !== undefined ? { file: options.kubeconfig } : {}),
          ...(options.context !== undefined ? { context: options.context } : {}),
        })
      : undefined;
  const runner = options.inCluster ? runnerOptions(options, env, inject, fromKubeconfig) : undefined;
  // The AWS-side Kubernetes reads use the kubeconfig's identity too, when one is given.
  let tokenFactory = inject.tokenFactory;
  if (tokenFactory === undefined && fromKubeconfig !== undefined) {
    tokenFactory = async ({ clusterName, region }) => ({
      token: await fromKubeconfig({ clusterName, region }),
      expiresAt: new Date(Date.now() + 10 * 60_000),
    });
  }
  tokenFactory ??= createEksToken;

  const { path, store } = openStoreForWriting(options);
  const { signal, release } = ctx.interruptSignal();
  const progress = scanProgress(ctx.progressOutput(), { inCluster: runner !== undefined });
  signal.addEventListener('abort', () => {
    progress.interrupted();
    ctx.note(
      'stopping: collecting the runners already dispatched, deleting their objects, storing what was collected (Ctrl-C again to quit at once)',
    );
  });
  try {
    const scan = await runInProcessScan({
      store,
      scope,
      ...(clusters.length > 0 ? { clusters } : {}),
      ...(inject.scanId !== undefined ? { scanId: inject.scanId } : {}),
      ...(inject.fleet !== undefined ? { fleet: inject.fleet } : {}),
      ...(inject.kubeClientFactory !== undefined ? { kubeClientFactory: inject.kubeClientFactory } : {}),
      ...(inject.now !== undefined ? { now: inject.now } : {}),
      tokenFactory,
      ...(runner !== undefined ? { runner } : {}),
      regionConcurrency: concurrency,
      clusterConcurrency,
      signal,
      onProgress: progress.onEvent,
    });
    await progress.stop();
    if (scan.stored.length === 0 && scan.summary.gaps > 0 && !scan.interrupted) {
      // Nothing could be scanned at all: the run was stopped by what the gaps say.
      const summary = await store.getScan(scan.scanId);
      const first = summary?.coverage.gaps[0];
      throw new CliError(
        `no cluster could be scanned: ${first ? `${[first.accountId, first.region, first.clusterId].filter(Boolean).join(' ')}: ${first.reason}` : 'see the coverage gaps'}`,
        EXIT.TOOL_ERROR,
      );
    }
    const report = await loadFleetReport(store, path, scan.scanId, ctx);
    const previous = await previousResults(store, report);
    const mutelist = await readStoredMutelist(store);
    const model = reportModel(
      { ...report, clusters: report.clusters.map((c) => withMutelists(c, mutelist)) },
      previous,
    );
    const text = render(model, options.format);
    if (options.output !== undefined) writeOutput(options.output, text);
    else print(text, options.format, ctx);
    ctx.note(
      `scan ${scan.scanId}: ${scan.stored.length} clusters in ${scan.items.length} account×regions stored in ${path}${scan.interrupted ? ' (interrupted: what was collected is stored)' : ''}`,
    );
    ctx.setExit(
      scan.interrupted
        ? EXIT.INTERRUPTED
        : findingsExitCode(model.clusters, {
            ...(failOn ? { failOn } : {}),
            ignoreExitCode: options.ignoreExitCode === true,
          }),
    );
    return { scanId: scan.scanId, storePath: path, interrupted: scan.interrupted, model };
  } finally {
    await progress.stop();
    release();
    await store.close();
  }
}

/** The scan command's options on `command` (the demo shares the report ones). */
export function addScanOptions(command: Command): Command {
  return command
    .option('--accounts <ids>', 'current (default), organization, or account ids separated by commas')
    .option('--exclude-accounts <ids>', 'account ids never scanned, separated by commas')
    .option(
      '--regions <names>',
      'region names separated by commas, or enabled (default: AWS_REGION when set, else every enabled region)',
    )
    .option(
      '--cluster <cluster>',
      'only this cluster: <accountId>:<region>:<name>, its ARN, or a name (repeatable)',
      collect,
      [],
    )
    .option('--role-name <name>', 'the role assumed in member accounts (default: fleet-dns-scanner)')
    .option('--external-id <id>', 'the ExternalId the member roles require')
    .option('--assume-role-in-current-account', 'enter the current account through its member role too')
    .option(
      '--kubeconfig <file>',
      'take the cluster API identity from this kubeconfig (default: an EKS token)',
    )
    .option(
      '--context <name>',
      'the kubeconfig context to use (default: the one named after each cluster ARN)',
    )
    .option('--no-in-cluster', 'AWS side only: do not dispatch the runner (in-cluster checks SKIPPED)')
    .option('--runner-image <ref>', 'the runner image the clusters pull (default: FLEET_DNS_RUNNER_IMAGE)')
    .option('--namespace <name>', "the scanner's namespace in each cluster (default: fleet-dns)")
    .option('--store <path>', STORE_OPTION_HELP.store)
    .option('--table <name>', 'store in the DynamoDB results table NAME instead of the embedded store')
    .addOption(
      new Option('--format <format>', 'output format').choices(REPORT_COMMAND_FORMATS).default('table'),
    )
    .option('--output <file>', 'write the report to this file instead of standard output')
    .option(
      '--fail-on <severity>',
      `exit 3 when an unmuted FAIL is at or above this severity (${SEVERITIES.join('|')})`,
    )
    .option('--ignore-exit-code', 'exit 0 even when --fail-on matched')
    .option('--concurrency <n>', 'account×regions collected at once', '4')
    .option('--cluster-concurrency <n>', 'clusters of one account×region whose runners run at once', '8')
    .addOption(
      new Option('--poll-interval <ms>', "the wait between reads of a runner's status")
        .default('5000')
        .hideHelp(),
    );
}

/** Registers `scan` on the program. */
export const scanCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  addScanOptions(
    program
      .command('scan')
      .description(
        "Scan your fleet from here: discover accounts × regions, audit each cluster's security groups, NACLs and VPC resolver, run the in-cluster runner, store the results (embedded store by default) and print the report. Ctrl-C stops cleanly (exit 130).",
      ),
  ).action(async (options: ScanOptions) => {
    await runScan(options, ctx);
  });
};
