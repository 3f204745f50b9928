/**
 * `fleet-dns lab list` and `fleet-dns lab run SCENARIO…`: reproduce a DNS fault locally with the
 * real runner against real DNS servers, kernel NAT and packet capture (lab.md). Needs root.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { ScanRef } from '../../core/schema/index.js';
import { CliError, EXIT } from '../errors.js';
import { formatFleetTable } from '../format/fleet-table.js';
import { labScenarioNames, labUnavailableReason, runLabScenarios } from '../lab-scenarios.js';
import type { CommandContext, CommandRegistrar } from '../program.js';

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
    .description('build each scenario, run the in-cluster runner in it, print checks and diagnosis')
    .argument('<scenario...>', 'scenario names (see `fleet-dns lab list`)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (names: string[], opts: { format: 'table' | 'json' }) => {
      const why = labUnavailableReason();
      if (why) throw new CliError(`cannot build the lab here: ${why}`, EXIT.TOOL_ERROR);
      const scan: ScanRef = { id: `lab-${Date.now()}`, startedAt: new Date().toISOString() };
      const clusters = await runLabScenarios(names, scan, ctx.progress);
      if (opts.format === 'json') ctx.printJson(clusters);
      else ctx.printText(formatFleetTable(clusters));
      ctx.setExit(EXIT.OK);
    });
};
