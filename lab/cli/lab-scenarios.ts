/**
 * Running lab scenarios from the CLI (`fleet-dns demo`, `fleet-dns lab run`): the real runner in
 * the netns DNS lab, results shaped as cluster results of a made-up lab account.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildClusterResult } from '../../lambdas/core/results/index.js';
import type { ClusterResult, ScanRef } from '../../lambdas/core/schema/index.js';
import type { Scenario } from '../scenarios/schema.js';
import { UsageError } from '../../lambdas/cli/errors.js';
import { repoRoot } from '../repo-root.js';

const REPO_ROOT = repoRoot();
export const SCENARIO_DIR = path.join(REPO_ROOT, 'lab', 'scenarios');
const SCENARIO_EXTENSION = /\.(ya?ml|json)$/;
/** The lab plays clusters of a made-up account (the cluster id pattern wants 12 digits). */
export const LAB_ACCOUNT = '000000000000';
/** …and of a made-up region: `000000000000:lab:<scenario>` reads as a lab cluster wherever it shows. */
export const LAB_REGION = 'lab';

/** Names of the scenarios in lab/scenarios (file names without extension). */
export function labScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => SCENARIO_EXTENSION.test(f))
    .map((f) => f.replace(SCENARIO_EXTENSION, ''))
    .sort();
}

/** Why the lab cannot run on this machine, or undefined when it can. */
export function labUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the netns lab needs root';
  const missing = ['ip', 'iptables', 'dnsmasq', 'tcpdump'].filter((cmd) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    return `missing ${missing.join(', ')} (apt-get install iproute2 iptables dnsmasq-base tcpdump)`;
  return undefined;
}

/** A scenario file `lab run` and `demo` will run, loaded and validated. */
export interface LabScenario {
  /** the file name without extension: the cluster name of its result */
  readonly name: string;
  readonly scenario: Scenario;
  /** where the scenario's relative paths resolve */
  readonly dir: string;
}

/** One scenario's run: its cluster result and the `expect` block it should meet. */
export interface LabScenarioRun {
  readonly name: string;
  readonly expect: Scenario['expect'];
  readonly cluster: ClusterResult;
}

/**
 * Finds and validates every scenario before any lab is built. An argument is a scenario name of
 * lab/scenarios or a path to a scenario file (it has a `/` or a .yaml/.yml/.json extension).
 * @throws UsageError naming an unknown scenario or an invalid file
 */
export async function loadLabScenarios(args: readonly string[]): Promise<LabScenario[]> {
  // Loaded only when the lab runs: the schema pulls in the fake API server's modules.
  const { loadScenario } = await import('../scenarios/schema.js');
  const { LabScenarioError } = await import('../engine/errors.js');
  const found = args.map((arg) => ({ arg, file: scenarioFile(arg) }));
  const unknown = found.filter((f) => f.file === undefined).map((f) => f.arg);
  if (unknown.length > 0)
    throw new UsageError(
      `unknown lab scenario ${unknown.join(', ')} (known: ${labScenarioNames().join(', ')}; or give a path to a scenario file)`,
    );
  return found.flatMap(({ file }) => {
    if (file === undefined) return [];
    try {
      const { scenario, dir } = loadScenario(file);
      return [{ name: path.basename(file).replace(SCENARIO_EXTENSION, ''), scenario, dir }];
    } catch (error) {
      if (error instanceof LabScenarioError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  });
}

function scenarioFile(arg: string): string | undefined {
  if (arg.includes('/') || SCENARIO_EXTENSION.test(arg))
    return existsSync(arg) ? path.resolve(arg) : undefined;
  return [`${arg}.yaml`, `${arg}.yml`, `${arg}.json`]
    .map((f) => path.join(SCENARIO_DIR, f))
    .find((f) => existsSync(f));
}

/**
 * Builds each scenario's lab, scans it through the production path (dispatch → the runner's Jobs
 * → pod logs → collect), combines and diagnoses as the collector does, and tears the lab down.
 * @throws UsageError when a scenario's Kubernetes objects are invalid (found while building)
 */
export async function runLabScenarios(
  scenarios: readonly LabScenario[],
  scan: ScanRef,
  log: (line: string) => void,
): Promise<LabScenarioRun[]> {
  const { startLab, runScenario, LabScenarioError } = await import('../engine/index.js');
  const runs: LabScenarioRun[] = [];
  for (const { name, scenario, dir } of scenarios) {
    log(`lab: building scenario ${name} (network namespaces, DNS servers, kube-proxy NAT)…`);
    const lab = await startLab({ scenario, scenarioDir: dir }).catch((error: unknown) => {
      if (error instanceof LabScenarioError) throw new UsageError(error.message, { cause: error });
      throw error;
    });
    try {
      log(
        `lab: scanning ${name}: dispatching the runner's Jobs through the cluster API, waiting, collecting their signed results…`,
      );
      // The lab serves each metrics scrape at once: a 1 s gap keeps runs quick.
      const run = await runScenario(lab, { scanId: scan.id, probeArgs: ['--metrics-interval-ms', '1000'] });
      const cluster = buildClusterResult({ accountId: LAB_ACCOUNT, region: LAB_REGION, name }, run.checks, {
        scan,
      });
      runs.push({ name, expect: scenario.expect, cluster });
    } finally {
      await lab.stop();
    }
  }
  return runs;
}
