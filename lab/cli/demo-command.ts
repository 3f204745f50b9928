/**
 * `fleet-dns demo`: the whole product on embedded defaults, for a newcomer with no AWS account.
 *
 * 1. The AWS side: the network audit over a small embedded fleet of snapshots (lab/demo/fleet/),
 *    shaped exactly as the collectors produce them from live AWS.
 * 2. The in-cluster side, when this machine can build the netns lab (root + iproute2, iptables,
 *    dnsmasq, tcpdump): the real runner against real DNS servers, kernel NAT and packet capture,
 *    in lab scenarios (lab/scenarios/). Otherwise it says why it was left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { Command } from 'commander';
import { auditNetworkFleet, buildFleetReport } from '../../lambdas/core/results/index.js';
import type { ClusterResult, CoverageGap, ScanRef } from '../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../lambdas/core/snapshot/index.js';
import type { NetworkSnapshot } from '../../lambdas/core/snapshot/index.js';
import { EXIT } from '../../lambdas/cli/errors.js';
import { formatFleetTable } from '../../lambdas/cli/format/fleet-table.js';
import {
  LAB_ACCOUNT,
  LAB_REGION,
  labUnavailableReason,
  loadLabScenarios,
  runLabScenarios,
} from './lab-scenarios.js';
import type { CommandContext, CommandRegistrar } from '../../lambdas/cli/program.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_FLEET_DIR = path.join(REPO_ROOT, 'lab', 'demo', 'fleet');
/** Lab scenarios the demo runs: a healthy cluster and two classic faults. */
export const DEMO_SCENARIOS = ['healthy', 'coredns-pod-dropping', 'kube-proxy-dnat-missing'] as const;

interface DemoOptions {
  format: 'table' | 'json';
  lab: boolean;
  scenario?: string[];
}

/** The embedded demo fleet: every `*.snapshot.json` of `dir`, in file-name order. */
export function readDemoFleet(dir = DEMO_FLEET_DIR): NetworkSnapshot[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.snapshot.json'))
    .sort()
    .map((file) => parseNetworkSnapshot(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))));
}

export const demoCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('demo')
    .description(
      'audit an embedded demo fleet (no AWS account needed) and, as root, run the in-cluster runner in the netns DNS lab',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--no-lab', 'skip the in-cluster part (the netns lab)')
    .option('--scenario <name...>', `lab scenarios to run (default: ${DEMO_SCENARIOS.join(', ')})`)
    .action(async (opts: DemoOptions) => {
      const scan: ScanRef = { id: `demo-${Date.now()}`, startedAt: new Date().toISOString() };
      ctx.progress('auditing the embedded demo fleet (security groups, NACLs, VPC resolver, add-ons)…');
      const clusters: ClusterResult[] = auditNetworkFleet(readDemoFleet(), scan);
      const gaps: CoverageGap[] = [];
      if (opts.lab) {
        const why = labUnavailableReason();
        if (why) {
          ctx.note(`in-cluster demo skipped: ${why}; the AWS-side audit ran.`);
          gaps.push({ scope: 'account', accountId: LAB_ACCOUNT, region: LAB_REGION, reason: why });
        } else {
          const scenarios = await loadLabScenarios(opts.scenario ?? DEMO_SCENARIOS);
          clusters.push(...(await runLabScenarios(scenarios, scan, ctx.progress)).map((run) => run.cluster));
        }
      }
      const report = buildFleetReport({
        scan: { ...scan, finishedAt: new Date().toISOString() },
        clusters,
        gaps,
      });
      if (opts.format === 'json') ctx.printJson(report);
      else ctx.printText(formatFleetTable(report.clusters));
      ctx.setExit(EXIT.OK);
    });
};
