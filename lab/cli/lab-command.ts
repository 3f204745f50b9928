/**
 * `fleet-dns lab list` and `fleet-dns lab run SCENARIO…`: reproduce a DNS fault locally with the
 * real runner against real DNS servers, kernel NAT and packet capture (lab.md), and judge each
 * scenario's `expect` block as the lab test suite does (conventions.md, `lab run` row). Needs root.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { ScanRef } from '../../lambdas/core/schema/index.js';
import { judgeScenario } from '../engine/judge.js';
import type { ScenarioJudgement } from '../engine/judge.js';
import { CliError, EXIT } from '../../lambdas/cli/errors.js';
import { formatFleetTable } from '../../lambdas/cli/format/fleet-table.js';
import { oneLine } from '../../lambdas/cli/format/text-table.js';
import {
  labScenarioNames,
  labUnavailableReason,
  loadLabScenarios,
  runLabScenarios,
} from './lab-scenarios.js';

import type { CommandContext, CommandRegistrar } from '../../lambdas/cli/program.js';

interface LabRunOptions {
  format: 'table' | 'json';
  ignoreExitCode?: boolean;
}

export const labCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  const lab = program.command('lab').description('the netns DNS lab: reproduce DNS faults locally (root)');
  lab
    .command('list')
    .description('list the lab scenarios (lab/scenarios)')
    .action(() => {
      ctx.printText(`${labScenarioNames().join('\n')}\n`);
      ctx.setExit(EXIT.OK);
    });
  lab
    .command('run')
    .description(
      "build each scenario, run the in-cluster runner in it, print checks, diagnosis and whether the scenario's expect block held (exit 3 when not)",
    )
    .argument('<scenario...>', 'scenario names (see `fleet-dns lab list`) or paths to scenario files')
    .addOption(
      new Option('--format <format>', 'output format (json: results on stdout, the judgement on stderr)')
        .choices(['table', 'json'])
        .default('table'),
    )
    .option('--ignore-exit-code', 'exit 0 even when an expectation did not hold')
    .action(async (args: string[], opts: LabRunOptions) => {
      const scenarios = await loadLabScenarios(args);
      const why = labUnavailableReason();
      if (why) throw new CliError(`cannot build the lab here: ${why}`, EXIT.TOOL_ERROR);
      const scan: ScanRef = { id: `lab-${Date.now()}`, startedAt: new Date().toISOString() };
      const runs = await runLabScenarios(scenarios, scan, ctx.progress);
      const judged = runs.map((run) => ({ name: run.name, ...judgeScenario(run.expect, run.cluster) }));
      const text = judged.map(formatJudgement).join('');
      if (opts.format === 'json') {
        ctx.printJson(runs.map((r) => r.cluster));
        ctx.printTextToStderr(text);
      } else {
        ctx.printText(`${formatFleetTable(runs.map((r) => r.cluster))}\n${text}`);
      }
      ctx.setExit(judged.every((j) => j.held) || opts.ignoreExitCode ? EXIT.OK : EXIT.FINDINGS);
    });
};

/** The scenario's verdict line, then one line per expectation; a line that did not hold says what the run showed. */
function formatJudgement({ name, held, verdicts }: { name: string } & ScenarioJudgement): string {
  const notHeld = verdicts.filter((v) => !v.held).length;
  const head = held
    ? `lab ${name}: expect held (${verdicts.length} of ${verdicts.length})`
    : `lab ${name}: expect did NOT hold (${notHeld} of ${verdicts.length} not held)`;
  const lines = verdicts.map((v) =>
    v.held ? `  held      ${v.expectation}` : `  NOT HELD  ${v.expectation}; got ${oneLine(v.reason, 160)}`,
  );
  return `${[head, ...lines].join('\n')}\n`;
}
