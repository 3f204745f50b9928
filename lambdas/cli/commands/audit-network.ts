/**
 * `fleet-dns audit-network`: the AWS side of cluster DNS (security groups, NACLs, the VPC resolver,
 * CoreDNS placement, add-on compatibility) from a network snapshot, with no cluster access needed
 * beyond what the snapshot already holds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { auditNetworkSnapshot, parseEksVersion } from '../../core/checks/aws/index.js';
import { diagnose } from '../../core/diagnosis/index.js';
import { parsePortInterval } from '../../core/network/ports.js';
import type { PortInterval } from '../../core/network/ports.js';
import {
  CLUSTER_ID_PATTERN,
  clusterResultSchema,
  formatSchemaError,
  SEVERITIES,
} from '../../core/schema/index.js';
import type { ClusterResult, Severity } from '../../core/schema/index.js';
import { parseNetworkSnapshot, SnapshotError } from '../../core/snapshot/index.js';
import type { NetworkSnapshot } from '../../core/snapshot/index.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { formatCheckTable } from '../format/check-table.js';
import type { CommandContext, CommandRegistrar } from '../program.js';

export interface AuditNetworkOptions {
  snapshot?: string;
  format: 'json' | 'table';
  ephemeralRange?: string;
  targetVersion?: string;
  failOn?: string;
  ignoreExitCode?: boolean;
  cluster?: string;
  region?: string;
  account?: string;
  roleArn?: string;
  saveSnapshot?: string;
  timeout?: string;
}

/** Reads and validates a snapshot file; every problem becomes a one-line UsageError (exit 2). */
export function readSnapshotFile(file: string): NetworkSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(`--snapshot ${file}: ${why}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--snapshot ${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  try {
    return parseNetworkSnapshot(json);
  } catch (err) {
    if (err instanceof SnapshotError)
      throw new UsageError(`--snapshot ${file}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Collects the snapshot live (`--cluster NAME --region R [--account ID --role-arn ARN]`): the AWS
 * default credential chain and endpoint overrides, lambdas/aws building the NetworkSnapshot.
 * `--cluster` also takes a full `<accountId>:<region>:<name>` id.
 */
async function collectLiveSnapshot(
  options: AuditNetworkOptions,
  ctx: CommandContext,
): Promise<NetworkSnapshot> {
  const cluster = options.cluster ?? '';
  const full = CLUSTER_ID_PATTERN.test(cluster) ? cluster.split(':') : undefined;
  const [account, region, clusterName] = full ?? [options.account, options.region, cluster];
  if (
    full &&
    ((options.region && options.region !== region) || (options.account && options.account !== account))
  ) {
    throw new UsageError(`--cluster ${cluster} names another account or region than --account/--region`);
  }
  if (!region) throw new UsageError('--cluster needs --region (or a full <accountId>:<region>:<name> id)');
  if (!clusterName) throw new UsageError('--cluster: empty cluster name');
  if (account !== undefined && !/^[0-9]{12}$/.test(account))
    throw new UsageError(`--account ${JSON.stringify(account)}: expected a 12-digit account id`);
  const timeoutSeconds = parseTimeoutSeconds(options.timeout);
  if (ctx.io.stderrIsTTY)
    ctx.io.stderr(`collecting ${account ?? '(current account)'}:${region}:${clusterName} …\n`);
  // The SDK warns, in seven lines on stderr, that releases after January 2027 will need Node 22:
  // nothing a user of this release can act on, and it breaks "errors are one line". Opt-out stays
  // the user's when they set the variable themselves.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded only for live collection: the AWS SDK costs seconds of start-up that --snapshot never needs.
  const aws = await import('../../aws/index.js');
  const kube = await import('../../kube/index.js');
  try {
    const collected = await aws.collectClusterByName(
      {
        clusterName,
        region,
        ...(account !== undefined ? { accountId: account } : {}),
        ...(options.roleArn !== undefined ? { roleArn: options.roleArn } : {}),
      },
      // Every AWS request is bounded (3 s connect, 10 s request, SDK retries) and the run by --timeout.
      {
        deadline: AbortSignal.timeout(timeoutSeconds * 1000),
        // The adapters do not know each other: the AWS side hands the cluster's endpoint, CA and
        // an EKS token to this reader from lambdas/kube, which reads the Kubernetes facts.
        kubernetes: { read: kube.kubernetesReader() },
      },
    );
    return collected.snapshot;
  } catch (err) {
    if (err instanceof aws.ClusterNotFoundError || err instanceof aws.AwsConfigurationError)
      throw new UsageError(err.message, { cause: err });
    if (err instanceof aws.AwsCallError && err.code === aws.DEADLINE_EXCEEDED)
      throw new CliError(`${err.message}, --timeout ${timeoutSeconds} s`, EXIT.TOOL_ERROR, { cause: err });
    if (err instanceof aws.AssumeRoleError || err instanceof aws.AwsCallError)
      throw new CliError(err.message, EXIT.TOOL_ERROR, { cause: err });
    throw err;
  }
}

/** The live collection's deadline. */
export const DEFAULT_COLLECT_TIMEOUT_SECONDS = 120;

function parseTimeoutSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_COLLECT_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(seconds > 0) || seconds > 86_400)
    throw new UsageError(
      `--timeout ${JSON.stringify(text)}: expected seconds, more than 0 and at most 86400`,
    );
  return seconds;
}

/** Where the snapshot comes from: `--snapshot FILE`, or live collection with `--cluster`. */
async function loadSnapshot(options: AuditNetworkOptions, ctx: CommandContext): Promise<NetworkSnapshot> {
  if (options.snapshot !== undefined && options.cluster !== undefined) {
    throw new UsageError('--snapshot and --cluster exclude each other: audit a file, or collect live');
  }
  if (options.snapshot !== undefined) {
    if (options.saveSnapshot !== undefined)
      throw new UsageError('--save-snapshot keeps a live collection: use it with --cluster');
    return readSnapshotFile(options.snapshot);
  }
  if (options.cluster !== undefined) {
    const snapshot = await collectLiveSnapshot(options, ctx);
    if (options.saveSnapshot !== undefined) {
      try {
        writeFileSync(options.saveSnapshot, `${JSON.stringify(snapshot, null, 2)}\n`);
      } catch (err) {
        throw new UsageError(`--save-snapshot ${options.saveSnapshot}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    return snapshot;
  }
  throw new UsageError('--snapshot FILE is required (or collect live with --cluster NAME --region R)');
}

function parseEphemeralRange(text: string | undefined): PortInterval | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePortInterval(text);
  } catch {
    throw new UsageError(
      `--ephemeral-range ${JSON.stringify(text)}: expected FROM-TO with 1 ≤ FROM ≤ TO ≤ 65535, e.g. 32768-60999`,
    );
  }
}

function parseTargetVersion(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const version = parseEksVersion(text);
  if (version === undefined) {
    throw new UsageError(
      `--target-version ${JSON.stringify(text)}: expected an EKS version MAJOR.MINOR such as 1.33`,
    );
  }
  return version;
}

function parseFailOn(text: string | undefined): Severity | undefined {
  if (text === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(text)) {
    throw new UsageError(`--fail-on ${JSON.stringify(text)}: expected one of ${SEVERITIES.join(', ')}`);
  }
  return text as Severity;
}

/** The AWS partition a region belongs to (`aws-cn` for cn-*, `aws-us-gov` for us-gov-*, …). */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/**
 * The cluster's ARN: DescribeCluster's `arn` when the snapshot has it, else built from the
 * identity (`arn:<partition>:eks:<region>:<account>:cluster/<name>`), so the output always names it.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html#amazonelastickubernetesservice-resources-for-iam-policies
 */
export function clusterArnOf(snapshot: NetworkSnapshot): string {
  return (
    snapshot.cluster.arn ??
    `arn:${partitionOf(snapshot.region)}:eks:${snapshot.region}:${snapshot.accountId}:cluster/${snapshot.cluster.name}`
  );
}

/** Builds the ClusterResult printed by `audit-network`. */
export function auditNetworkResult(
  snapshot: NetworkSnapshot,
  options: { ephemeralRange?: PortInterval; targetVersion?: string } = {},
): ClusterResult {
  const checks = auditNetworkSnapshot(snapshot, options);
  const cluster = snapshot.cluster;
  const result: ClusterResult = {
    cluster: {
      id: `${snapshot.accountId}:${snapshot.region}:${cluster.name}`,
      accountId: snapshot.accountId,
      region: snapshot.region,
      name: cluster.name,
      arn: clusterArnOf(snapshot),
      ...(cluster.version ? { version: cluster.version } : {}),
    },
    checks,
    diagnosis: diagnose(checks),
  };
  // What we print is the contract (result.schema.json): a mismatch is our bug, reported as a tool error.
  const valid = clusterResultSchema.safeParse(result);
  if (!valid.success)
    throw new CliError(
      `internal error: result does not match the schema: ${formatSchemaError(valid.error)}`,
      EXIT.TOOL_ERROR,
    );
  return result;
}

/** Exit 3 when an unmuted FAIL is at or above `failOn` (and not --ignore-exit-code). */
export function findingsExitCode(
  result: ClusterResult,
  failOn: Severity | undefined,
  ignoreExitCode: boolean,
): 0 | 3 {
  if (failOn === undefined || ignoreExitCode) return EXIT.OK;
  const threshold = SEVERITIES.indexOf(failOn);
  const failing = result.checks.some(
    (c) => !c.muted && c.status === 'FAIL' && SEVERITIES.indexOf(c.severity) <= threshold,
  );
  return failing ? EXIT.FINDINGS : EXIT.OK;
}

async function run(options: AuditNetworkOptions, ctx: CommandContext): Promise<void> {
  const ephemeralRange = parseEphemeralRange(options.ephemeralRange);
  const targetVersion = parseTargetVersion(options.targetVersion);
  const failOn = parseFailOn(options.failOn);
  const snapshot = await loadSnapshot(options, ctx);
  const result = auditNetworkResult(snapshot, {
    ...(ephemeralRange ? { ephemeralRange } : {}),
    ...(targetVersion ? { targetVersion } : {}),
  });
  ctx.io.stdout(
    options.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatCheckTable(result),
  );
  ctx.setExit(findingsExitCode(result, failOn, options.ignoreExitCode === true));
}

/** Registers `audit-network` on the program. */
export const auditNetworkCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('audit-network')
    .description(
      'Audit the AWS side of cluster DNS from a network snapshot: security groups and NACLs on every client → CoreDNS path (UDP and TCP 53), the VPC resolver and upstreams, CoreDNS ENI spread, DNS attributes, DHCP options and add-on compatibility.',
    )
    .option('--snapshot <file>', 'a fleet-dns/network-snapshot@1 JSON file')
    .option(
      '--cluster <name>',
      'collect live from AWS instead: the EKS cluster (name, or <accountId>:<region>:<name>)',
    )
    .option('--region <region>', 'the cluster region (live collection)')
    .option('--account <id>', 'the account the cluster must be in (live collection)')
    .option('--role-arn <arn>', 'a role to assume first, e.g. in another account (live collection)')
    .option('--save-snapshot <file>', 'keep the collected snapshot in this file (live collection)')
    .option(
      '--timeout <seconds>',
      `deadline of the live collection; each AWS request is also bounded (3 s connect, 10 s answer, SDK retries) (default ${DEFAULT_COLLECT_TIMEOUT_SECONDS})`,
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option(
      '--ephemeral-range <from-to>',
      "the clients' ephemeral port range DNS replies go to (default 32768-60999)",
    )
    .option('--target-version <version>', 'also judge add-on compatibility with this EKS version, e.g. 1.33')
    .option(
      '--fail-on <severity>',
      `exit 3 when an unmuted FAIL is at or above this severity (${SEVERITIES.join('|')})`,
    )
    .option('--ignore-exit-code', 'exit 0 even when --fail-on matched')
    .action((options: AuditNetworkOptions) => run(options, ctx));
};
