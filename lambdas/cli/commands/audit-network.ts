/**
 * `fleet-dns audit-network`: the AWS side of cluster DNS (security groups, NACLs, the VPC resolver,
 * CoreDNS placement, add-on compatibility) from a network snapshot, with no cluster access needed
 * beyond what the snapshot already holds.
 */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { parseEksVersion } from '../../core/checks/aws/index.js';
import { parsePortInterval } from '../../core/network/ports.js';
import type { PortInterval } from '../../core/network/ports.js';
import {
  accountIdProblem,
  auditNetworkCluster,
  ClusterIdentityError,
  findingsExitCode,
  parseClusterReference,
} from '../../core/results/index.js';
import { SEVERITIES } from '../../core/schema/index.js';
import type { Severity } from '../../core/schema/index.js';
import { parseNetworkSnapshot, SnapshotError } from '../../core/snapshot/index.js';
import type { NetworkSnapshot } from '../../core/snapshot/index.js';
import { formatByteSize, parseByteSize } from '../byte-size.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { formatCheckTable } from '../format/check-table.js';
import type { CommandContext, CommandRegistrar } from '../program.js';
import { FileTooLargeError, readBoundedFile } from '../read-bounded-file.js';

/** network-snapshot.md: "Input is bounded … (default 256 MB)". */
export const DEFAULT_MAX_SNAPSHOT_SIZE = '256MB';

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
  maxSnapshotSize: string;
  timeout?: string;
}

/**
 * Reads and validates a snapshot file of at most `maxBytes`; every problem becomes a one-line
 * UsageError (exit 2).
 */
export async function readSnapshotFile(file: string, maxBytes: number): Promise<NetworkSnapshot> {
  let text: string;
  try {
    text = (await readBoundedFile(file, maxBytes)).toString('utf8');
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new UsageError(
        `--snapshot ${file}: larger than the ${formatByteSize(maxBytes)} limit (raise it with --max-snapshot-size)`,
      );
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
  let reference;
  try {
    reference = parseClusterReference(options.cluster ?? '');
  } catch (err) {
    if (err instanceof ClusterIdentityError)
      throw new UsageError(`--cluster: ${err.message}`, { cause: err });
    throw err;
  }
  const { name: clusterName } = reference;
  const account = reference.accountId ?? options.account;
  const region = reference.region ?? options.region;
  if (
    (reference.region && options.region && options.region !== reference.region) ||
    (reference.accountId && options.account && options.account !== reference.accountId)
  ) {
    throw new UsageError(
      `--cluster ${options.cluster} names another account or region than --account/--region`,
    );
  }
  if (!region) throw new UsageError('--cluster needs --region (or a full <accountId>:<region>:<name> id)');
  if (account !== undefined && accountIdProblem(account))
    throw new UsageError(`--account ${JSON.stringify(account)}: expected a 12-digit account id`);
  const timeoutSeconds = parseTimeoutSeconds(options.timeout);
  ctx.progress(`collecting ${account ?? '(current account)'}:${region}:${clusterName} …`);
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
    // AssumeRoleError and the other AwsCallErrors as they are: runCli says what to do about them
    // (lambdas/cli/actionable-errors.ts: credentials, AccessDenied, unreachable endpoints), exit 1.
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
    return readSnapshotFile(options.snapshot, parseByteSize(options.maxSnapshotSize, '--max-snapshot-size'));
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

async function run(options: AuditNetworkOptions, ctx: CommandContext): Promise<void> {
  const ephemeralRange = parseEphemeralRange(options.ephemeralRange);
  const targetVersion = parseTargetVersion(options.targetVersion);
  const failOn = parseFailOn(options.failOn);
  const snapshot = await loadSnapshot(options, ctx);
  let result;
  try {
    result = auditNetworkCluster(snapshot, {
      ...(ephemeralRange ? { ephemeralRange } : {}),
      ...(targetVersion ? { targetVersion } : {}),
    });
  } catch (err) {
    // An identity that is no cluster id (e.g. a cluster name EKS would refuse) is the file's fault.
    if (err instanceof ClusterIdentityError && options.snapshot !== undefined)
      throw new UsageError(`--snapshot ${options.snapshot}: ${err.message}`, { cause: err });
    throw err;
  }
  if (options.format === 'json') ctx.printJson(result);
  else ctx.printText(formatCheckTable(result));
  ctx.setExit(
    findingsExitCode(result, {
      ...(failOn ? { failOn } : {}),
      ignoreExitCode: options.ignoreExitCode === true,
    }),
  );
}

/** Registers `audit-network` on the program. */
export const auditNetworkCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('audit-network')
    .description(
      'Audit the AWS side of cluster DNS from a network snapshot: security groups and NACLs on every client → CoreDNS path (UDP and TCP 53), the VPC resolver and upstreams, CoreDNS ENI spread, DNS attributes, DHCP options and add-on compatibility.',
    )
    .option('--snapshot <file>', 'a fleet-dns/network-snapshot@2 (or @1) JSON file')
    .option(
      '--max-snapshot-size <size>',
      'refuse a --snapshot larger than this (bytes, or 64KB, 256MB, 1GB: powers of 1024)',
      DEFAULT_MAX_SNAPSHOT_SIZE,
    )
    .option(
      '--cluster <name>',
      'collect live from AWS instead: the EKS cluster (name, <accountId>:<region>:<name> or cluster ARN)',
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
