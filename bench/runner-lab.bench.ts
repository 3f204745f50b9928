/**
 * `npm run -s bench -- runner-lab`: the healthy lab scenario, with the real runner, run twice in
 * one lab — by hand (node agents and probe started directly, results read from `--output`
 * files) and as a scan (dispatch → Jobs run by the lab's kubelet → pod logs → collect).
 *   runner_wall_s       `runner probe` (the bundle the image ships, under plain node) wall time in the scan, spawn to exit (goal ≤ 10)
 *   runner_peak_rss_mb  the probe process's peak RSS in the scan (VmHWM sampled every 50 ms; goal ≤ 100)
 *   probe_qps_max       queries from the probe pod in its busiest one-second window, counted in a
 *                       tcpdump capture on the probe pod's veth (must stay within the budget, 50)
 *   scan_wall_s         first dispatch request → results collected and the scan's objects deleted
 *   direct_wall_s       the by-hand run: node agents started → probe exited → results read
 *   api_requests_*      the scanner's Kubernetes API requests in the scan, by phase and verb (status polls: 3 lists each)
 * Needs root and the lab's Debian packages (lab.md). Extra arguments go to `runner probe`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runByHand, runScenario, startLab } from '../lab/engine/index.js';
import { loadScenario } from '../lab/scenarios/schema.js';
import type { Benchmark } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The runner's own defaults (e.g. CoreDNS metrics scraped twice, 5 s apart): the figures are what a
// scan costs. Extra `runner probe` arguments may be given after the bench name.
const DEFAULT_PROBE_ARGS: string[] = [];

/** `create=4,get=1` */
const verbs = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([verb, n]) => `${verb}=${n}`)
    .join(',');

const bench: Benchmark = {
  description:
    'healthy lab scenario: runner probe wall time, peak RSS, and the highest query rate on the wire',
  async run(args) {
    if (process.getuid?.() !== 0) throw new Error('runner-lab needs root (network namespaces)');
    const { scenario, dir } = loadScenario(path.join(ROOT, 'lab/scenarios/healthy.yaml'));
    const lab = await startLab({ scenario, scenarioDir: dir });
    try {
      const probeArgs = args.length > 0 ? args : DEFAULT_PROBE_ARGS;
      // Measure what the image runs: the one-file bundle under plain node, not tsx.
      const bundle = path.join(lab.workDir, 'runner.mjs');
      execFileSync(process.execPath, [path.join(ROOT, 'runner-image/build.mjs'), '--outfile', bundle], {
        stdio: 'ignore',
      });
      // the Dockerfile's ENTRYPOINT flags (runner-image/Dockerfile)
      const runnerCommand = [process.execPath, '--max-semi-space-size=1', bundle];
      const directStart = Date.now();
      await runByHand(lab, { probeArgs, runnerCommand, scanId: 'bench-by-hand' });
      const directWallMs = Date.now() - directStart;
      const result = await runScenario(lab, {
        captureProbeTraffic: true,
        probeArgs,
        runnerCommand,
        scanId: 'bench-scan',
      });
      const failing = result.checks
        .filter((c) => c.status !== 'PASS' && c.status !== 'SKIPPED')
        .map((c) => `${c.id}=${c.status}`);
      const seconds = (ms: number | undefined): number | string =>
        ms === undefined ? 'unmeasured' : Math.round(ms / 100) / 10;
      return {
        runner_wall_s: seconds(result.probeWallMs),
        runner_peak_rss_mb: result.probePeakRssMb ?? 'unmeasured',
        probe_qps_max: result.probeQpsMax ?? 'unmeasured',
        probe_queries_sent: result.probe?.observations.queries?.length ?? 0,
        scan_wall_s: seconds(result.scanWallMs),
        direct_wall_s: seconds(directWallMs),
        api_requests_dispatch: verbs(result.apiRequests.dispatch),
        api_requests_collect: verbs(result.apiRequests.collect),
        api_requests_per_status_poll: 3,
        status_polls: result.apiRequests.statusPolls,
        api_requests_total: Object.values(result.apiRequests.total).reduce((a, b) => a + b, 0),
        leftovers: result.leftovers.length,
        diagnosis: result.diagnosis.map((d) => d.cause).join(','),
        not_passing: failing.length > 0 ? failing.join(',') : 'none',
        probe_args: probeArgs.join(' '),
      };
    } finally {
      await lab.stop();
    }
  },
};
export default bench;
