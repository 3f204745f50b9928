/**
 * Running lab scenarios from the CLI (`fleet-dns demo`, `fleet-dns lab run`): the real runner in
 * the netns DNS lab, results shaped as cluster results of a made-up lab account.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClusterResult } from '../core/results/index.js';
import type { ClusterResult, ScanRef } from '../core/schema/index.js';
import { UsageError } from './errors.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCENARIO_DIR = path.join(REPO_ROOT, 'lab', 'scenarios');
/** The lab plays clusters of a made-up account (the cluster id pattern wants 12 digits). */
export const LAB_ACCOUNT = '000000000000';
/** …and of a made-up region: `000000000000:lab:<scenario>` reads as a lab cluster wherever it shows. */
export const LAB_REGION = 'lab';

/** Names of the scenarios in lab/scenarios (file names without extension). */
export function labScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
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

/**
 * Builds each scenario's lab, runs the node agents and the probe, combines and diagnoses as the
 * collector does, and tears the lab down. Unknown scenario names are a usage error.
 */
export async function runLabScenarios(
  names: readonly string[],
  scan: ScanRef,
  log: (line: string) => void,
): Promise<ClusterResult[]> {
  const known = labScenarioNames();
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new UsageError(`unknown lab scenario ${unknown.join(', ')} (known: ${known.join(', ')})`);
  // Loaded only when the lab runs: it pulls in the fake API server and the lab engine.
  const { loadScenario } = await import('../../lab/scenarios/schema.js');
  const { startLab, runScenario } = await import('../../lab/engine/index.js');
  const results: ClusterResult[] = [];
  for (const name of names) {
    const file = [`${name}.yaml`, `${name}.yml`, `${name}.json`]
      .map((f) => path.join(SCENARIO_DIR, f))
      .find((f) => existsSync(f))!;
    const { scenario, dir } = loadScenario(file);
    log(`lab: building scenario ${name} (network namespaces, DNS servers, kube-proxy NAT)…`);
    const lab = await startLab({ scenario, scenarioDir: dir });
    try {
      log(`lab: running the runner (node agents + probe) in scenario ${name}…`);
      // The lab serves each metrics scrape at once: a 1 s gap keeps runs quick.
      const run = await runScenario(lab, { scanId: scan.id, probeArgs: ['--metrics-interval-ms', '1000'] });
      results.push(
        buildClusterResult({ accountId: LAB_ACCOUNT, region: LAB_REGION, name }, run.checks, { scan }),
      );
    } finally {
      await lab.stop();
    }
  }
  return results;
}
