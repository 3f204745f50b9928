/**
 * `fleet-dns gate --cluster ID`: may this cluster be upgraded? The decision of checks.md § Gate
 * (`decideGate`) from the cluster's latest stored result, or with `--api URL` the deployed API's
 * decision (`GET /clusters/{id}/gate`, SigV4-signed: lambdas/aws/api-client). Exit 0 for `pass` (and `unknown` with
 * `--allow-unknown`), 3 for `fail` or `unknown`, 2 for unusable arguments (conventions.md).
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  decideGate,
  DEFAULT_FRESHNESS_HOURS,
  DEFAULT_GATE_SEVERITY,
  GateInputError,
  parseTargetVersion,
  validateGateRequest,
} from '../../core/gate/index.js';
import { ClusterIdentityError, formatClusterId, parseClusterReference } from '../../core/results/index.js';
import { SEVERITIES } from '../../core/schema/index.js';
import type { GateDecision, Severity } from '../../core/schema/index.js';
import { readStoredMutelist, withMutelists } from '../../store/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { ExitCode } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';
import { allLatestResults, openResultsForReading, STORE_OPTION_HELP } from '../store-access.js';
import type { ReaderOptions, ResultReader } from '../store-access.js';

export interface GateOptions extends ReaderOptions {
  cluster: string;
  targetVersion?: string;
  freshnessHours?: string;
  severity?: string;
  allowUnknown?: boolean;
  ignoreExitCode?: boolean;
  format: 'table' | 'json';
}

function parseFreshnessHours(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FRESHNESS_HOURS;
  const hours = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(hours > 0) || !Number.isFinite(hours))
    throw new UsageError(`--freshness-hours ${JSON.stringify(text)}: expected a positive number of hours`);
  return hours;
}

function parseSeverity(text: string | undefined): Severity {
  if (text === undefined) return DEFAULT_GATE_SEVERITY;
  if (!(SEVERITIES as readonly string[]).includes(text))
    throw new UsageError(`--severity ${JSON.stringify(text)}: expected one of ${SEVERITIES.join(', ')}`);
  return text as Severity;
}

/** A GateInputError as the flag that carried the input. */
function usageOf(err: GateInputError, options: GateOptions): UsageError {
  const flag = err.field === 'targetVersion' ? '--target-version' : '--cluster';
  const given = err.field === 'targetVersion' ? options.targetVersion : options.cluster;
  // The core's messages name its field (`targetVersion "x": …`): say it as the flag.
  const message = err.message.replace(/^targetVersion\s+"[^"]*":\s*/, '');
  return new UsageError(`${flag} ${JSON.stringify(given)}: ${message}`, { cause: err });
}

/**
 * The cluster id `--cluster` names: an id (validated as the API validates it), an ARN, or a bare
 * name that exactly one cluster in the store has.
 */
async function resolveClusterId(
  options: GateOptions,
  store: ResultReader | undefined,
  path: string,
): Promise<string> {
  const text = options.cluster;
  let reference;
  try {
    reference = parseClusterReference(text);
  } catch (err) {
    if (err instanceof ClusterIdentityError)
      throw new UsageError(`--cluster ${JSON.stringify(text)}: ${err.message}`, { cause: err });
    throw err;
  }
  if (reference.accountId !== undefined && reference.region !== undefined)
    return formatClusterId({
      accountId: reference.accountId,
      region: reference.region,
      name: reference.name,
    });
  const named = store ? (await allLatestResults(store)).filter((c) => c.cluster.name === reference.name) : [];
  if (named.length === 1) return named[0]!.cluster.id;
  if (named.length === 0)
    throw new UsageError(
      `--cluster ${JSON.stringify(text)}: no cluster of that name in the store at ${path}; give <accountId>:<region>:<name>`,
    );
  throw new UsageError(
    `--cluster ${JSON.stringify(text)}: ambiguous, ${named.length} clusters have that name (${named
      .map((c) => c.cluster.id)
      .join(', ')}); give <accountId>:<region>:<name>`,
  );
}

/** The decision as a person reads it. */
export function formatGateDecision(clusterId: string, gate: GateDecision): string {
  const lines = [
    `${clusterId}: ${gate.decision.toUpperCase()}`,
    gate.scan ? `scan ${gate.scan.id} finished ${gate.scan.finishedAt}` : 'no scan',
  ];
  for (const r of gate.reasons) lines.push(`  ${r.code}${r.checkId ? ` ${r.checkId}` : ''}: ${r.message}`);
  return `${lines.join('\n')}\n`;
}

/** The gate's exit code (conventions.md): 0 pass (or unknown with --allow-unknown), else 3. */
export function gateExitCode(
  decision: GateDecision['decision'],
  options: { allowUnknown?: boolean; ignoreExitCode?: boolean },
): ExitCode {
  if (options.ignoreExitCode === true) return EXIT.OK;
  if (decision === 'pass') return EXIT.OK;
  if (decision === 'unknown' && options.allowUnknown === true) return EXIT.OK;
  return EXIT.FINDINGS;
}

async function run(options: GateOptions, ctx: CommandContext): Promise<void> {
  const freshnessHours = parseFreshnessHours(options.freshnessHours);
  const gateSeverity = parseSeverity(options.severity);
  try {
    if (options.targetVersion !== undefined) parseTargetVersion(options.targetVersion);
  } catch (err) {
    if (err instanceof GateInputError) throw usageOf(err, options);
    throw err;
  }
  const { path, store, api } = openResultsForReading(options);
  // The API decides with its defaults (it takes targetVersion only): a flag it cannot honour is refused.
  if (api !== undefined) {
    const unsupported =
      options.freshnessHours !== undefined
        ? '--freshness-hours'
        : options.severity !== undefined
          ? '--severity'
          : undefined;
    if (unsupported !== undefined)
      throw new UsageError(
        `${unsupported} cannot be used with --api: the API decides with its defaults (freshness ${DEFAULT_FRESHNESS_HOURS} h, severity ${DEFAULT_GATE_SEVERITY})`,
      );
  }
  let gate: GateDecision;
  let clusterId: string;
  try {
    clusterId = await resolveClusterId(options, store, path);
    let request;
    try {
      request = validateGateRequest({ clusterId, targetVersion: options.targetVersion });
    } catch (err) {
      if (err instanceof GateInputError) throw usageOf(err, options);
      throw err;
    }
    if (api !== undefined) {
      gate = await api.gate(request.clusterId, request.targetVersion);
      return finish(clusterId, gate, options, ctx);
    }
    const newest = store ? await store.getLatest(request.clusterId) : null;
    // the stored mutelist as it is now: a risk accepted since the scan unblocks the gate at once
    const mutelist = store && newest ? await readStoredMutelist(store) : undefined;
    gate = decideGate({
      newest: newest === null ? undefined : withMutelists(newest, mutelist),
      now: new Date(),
      targetVersion: request.targetVersion,
      freshnessHours,
      gateSeverity,
    });
  } finally {
    await store?.close();
  }
  finish(clusterId, gate, options, ctx);
}

/** Prints the decision and sets the exit code. */
function finish(clusterId: string, gate: GateDecision, options: GateOptions, ctx: CommandContext): void {
  if (options.format === 'json') ctx.printJson(gate);
  else ctx.printText(formatGateDecision(clusterId, gate));
  ctx.setExit(gateExitCode(gate.decision, options));
}

/** Registers `gate` on the program. */
export const gateCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('gate')
    .description(
      'Decide whether a cluster may be upgraded from its latest stored scan (pass, fail or unknown, with the reasons): exit 0 for pass, 3 for fail or unknown (0 for unknown with --allow-unknown).',
    )
    .argument('[cluster]', 'the cluster: <accountId>:<region>:<name>, its ARN, or a name unique in the store')
    .option('--cluster <id>', 'the cluster, as a flag (the same as the argument)')
    .option('--target-version <version>', 'the EKS version of the planned upgrade, e.g. 1.34')
    .option(
      '--freshness-hours <hours>',
      `a newest scan older than this is stale: unknown (default ${DEFAULT_FRESHNESS_HOURS})`,
    )
    .option(
      '--severity <severity>',
      `FAILs and ERRORs at or above this severity decide the gate (${SEVERITIES.join('|')}; default ${DEFAULT_GATE_SEVERITY})`,
    )
    .option(
      '--allow-unknown',
      'exit 0 when the decision is unknown (no scan, stale, or a check could not run)',
    )
    .option('--ignore-exit-code', 'exit 0 whatever the decision')
    .option('--store <path>', STORE_OPTION_HELP.store)
    .option('--table <name>', STORE_OPTION_HELP.table)
    .option('--api <url>', STORE_OPTION_HELP.api)
    .option('--region <region>', STORE_OPTION_HELP.region)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((cluster: string | undefined, options: Omit<GateOptions, 'cluster'> & { cluster?: string }) => {
      if (cluster !== undefined && options.cluster !== undefined && cluster !== options.cluster)
        throw new UsageError(
          `the cluster is given twice (${cluster} and --cluster ${options.cluster}): give it once`,
        );
      const chosen = cluster ?? options.cluster;
      if (chosen === undefined)
        throw new UsageError(
          'which cluster? `fleet-dns gate CLUSTER` (<accountId>:<region>:<name>, its ARN, or a name)',
        );
      return run({ ...options, cluster: chosen }, ctx);
    });
};
