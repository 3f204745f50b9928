/**
 * `fleet-dns demo`: the product's main job end to end on embedded defaults, for a newcomer with
 * no AWS account — a bundled fleet of 8 clusters scanned through the same code path as
 * `fleet-dns scan` (lab/demo/run-demo.ts says how).
 */
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { REPORT_COMMAND_FORMATS } from '../../lambdas/cli/commands/report.js';
import type { ReportCommandFormat } from '../../lambdas/cli/commands/report.js';
import { parsePort } from '../../lambdas/cli/commands/serve.js';
import { UsageError } from '../../lambdas/cli/errors.js';
import type { CommandContext, CommandRegistrar } from '../../lambdas/cli/program.js';
import { defaultStorePath } from '../../lambdas/store/embedded/index.js';
import { labUnavailableReason } from './lab-scenarios.js';

interface DemoCommandOptions {
  format: ReportCommandFormat;
  lab: boolean;
  store?: string;
  day?: string;
  serve?: boolean;
  port: string;
}

/** The demo's own store, beside the default results store: demo results never mix with a real fleet's. */
export function defaultDemoStorePath(): string {
  return path.join(path.dirname(defaultStorePath()), 'demo.db');
}

export const demoCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('demo')
    .description(
      'Scan a bundled demo fleet (8 clusters, 3 accounts, 2 regions) through the same code path as `fleet-dns scan`, with no AWS account: a fake AWS endpoint on 127.0.0.1, the runner dispatched into each cluster (the netns lab as root, recorded lab runs otherwise), the embedded store, the fleet table, top diagnoses and an HTML report. Run it twice to see a regression.',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(REPORT_COMMAND_FORMATS).default('table'),
    )
    .option(
      '--no-lab',
      'replay recorded lab runs for every cluster instead of running the netns lab (no root needed)',
    )
    .option('--store <path>', `the demo's embedded store (default: ${defaultDemoStorePath()})`)
    .option(
      '--day <n>',
      'the day to play: 1, or 2 with one fault changed (default: 1 on an empty store, else 2)',
    )
    .option('--serve', 'after the scan, serve the API and the HTML report on 127.0.0.1 until Ctrl-C')
    .option('--port <n>', 'the port --serve listens on (0: any free port)', '8080')
    .action(async (options: DemoCommandOptions) => {
      if (options.day !== undefined && !['1', '2'].includes(options.day))
        throw new UsageError(`--day ${JSON.stringify(options.day)}: expected 1 or 2`);
      if (options.serve === true) parsePort(options.port);
      const { runDemo } = await import('../demo/run-demo.js');
      await runDemo(
        {
          format: options.format,
          lab: options.lab,
          store: options.store ?? defaultDemoStorePath(),
          ...(options.day !== undefined ? { day: Number(options.day) } : {}),
          ...(options.serve === true ? { serve: options.port } : {}),
          labUnavailable: labUnavailableReason(),
        },
        ctx,
      );
    });
};
