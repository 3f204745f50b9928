/**
 * `fleet-dns demo`: a whole fleet scan with no AWS account, through the same code path as a real
 * `fleet-dns scan` (lambdas/cli/commands/scan.ts → the fleet-scan handlers in process):
 *
 * - the AWS side through the real collectors against the fake AWS endpoint on 127.0.0.1
 *   (lab/fake-aws; `AWS_ENDPOINT_URL_*`, static fake keys, no metadata lookups), 3 accounts
 *   entered by AssumeRole like a member fleet;
 * - the in-cluster side dispatched into each cluster's fake Kubernetes API: as root with the lab's
 *   packages, the `live` clusters are netns labs where the real runner probes real DNS servers;
 *   every other cluster (all of them without root) replays a recorded lab run (replay-cluster.ts),
 *   and the output says which;
 * - results into the embedded store (a demo store beside the real one), then the fleet table, the
 *   top diagnoses and the HTML report's path; `--serve` serves the API and the report after.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReport, worstClustersFirst } from '../../lambdas/core/report/index.js';
import type { ReportModel } from '../../lambdas/core/report/index.js';
import { EXIT } from '../../lambdas/cli/errors.js';
import type { CommandContext } from '../../lambdas/cli/program.js';
import { runScan } from '../../lambdas/cli/commands/scan.js';
import type { ScanOptions } from '../../lambdas/cli/commands/scan.js';
import type { ReportCommandFormat } from '../../lambdas/cli/commands/report.js';
import { serve } from '../../lambdas/cli/commands/serve.js';
import { parseRunnerHandlerConfig } from '../../lambdas/handlers/config.js';
import type { RunnerHandlerConfig } from '../../lambdas/handlers/config.js';
import { openEmbeddedStore } from '../../lambdas/store/embedded/index.js';
import { startFakeAwsEndpoint } from '../fake-aws/index.js';
import type { FakeAwsEndpoint } from '../fake-aws/index.js';
import {
  DEMO_ACCOUNTS,
  DEMO_FLEET,
  DEMO_HOME_ACCOUNT,
  DEMO_HOME_REGION,
  DEMO_REGIONS,
  demoClusterId,
  demoWorlds,
  recordedRunInRegion,
} from './demo-fleet.js';
import type { DemoClusterApi, DemoClusterSpec } from './demo-fleet.js';
import { loadRecordedRun } from './recorded-runs.js';
import type { RecordedRun } from './recorded-runs.js';
import { startReplayCluster } from './replay-cluster.js';
import { repoRoot } from '../repo-root.js';

const REPO_ROOT = repoRoot();
/** The image name the runner Jobs carry in the demo (nothing pulls it). */
const DEMO_RUNNER_IMAGE = 'fleet-dns.demo.invalid/fleet-dns-runner:demo';

export interface DemoOptions {
  readonly format: ReportCommandFormat;
  /** false with --no-lab: replay every cluster */
  readonly lab: boolean;
  /** the demo store @default demo.db beside the default results store */
  readonly store: string;
  /** 1: the first day; 2: one fault changed (a regression) @default 1 on an empty store, else 2 */
  readonly day?: number;
  /** serve the API and the report on 127.0.0.1 after the scan; the port (0: any) */
  readonly serve?: string;
  /** why the lab cannot run here (undefined: it can) */
  readonly labUnavailable: string | undefined;
}

/** One demo cluster at run time: its API, the token the scanner uses there, and how it runs. */
interface RunningCluster {
  readonly spec: DemoClusterSpec;
  readonly id: string;
  readonly run: RecordedRun;
  readonly api: DemoClusterApi;
  readonly token: string;
  readonly mode: 'lab' | 'replay';
  stop(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function startReplay(spec: DemoClusterSpec): Promise<RunningCluster> {
  const id = demoClusterId(spec);
  const run = recordedRunInRegion(loadRecordedRun(spec.scenario), spec.region);
  const replay = await startReplayCluster(run, id);
  return {
    spec,
    id,
    run,
    api: { endpoint: replay.api.url, caData: b64(replay.api.caPem) },
    token: replay.api.token,
    mode: 'replay',
    stop: () => replay.stop(),
  };
}

/** A live lab cluster: the scenario's netns lab, the real runner started for each Job. */
async function startLive(spec: DemoClusterSpec): Promise<RunningCluster & { config: RunnerHandlerConfig }> {
  const { startLab } = await import('../engine/index.js');
  const { startRunnerJobs } = await import('../engine/runner-jobs.js');
  const { LAB_LATENCY_WARN_ARGS } = await import('../engine/run-by-hand.js');
  const { loadScenario } = await import('../scenarios/schema.js');
  const id = demoClusterId(spec);
  const loaded = loadScenario(path.join(REPO_ROOT, 'lab', 'scenarios', `${spec.scenario}.yaml`));
  const scenario = { ...loaded.scenario, cluster: { ...loaded.scenario.cluster, id } };
  const lab = await startLab({ scenario, scenarioDir: loaded.dir });
  const jobs = startRunnerJobs(lab, {
    runnerCommand: [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'runner-image/src/main.ts')],
    faults: scenario.runnerJobs,
    // the CoreDNS metrics scraped 1 s apart (the lab serves each scrape at once), lab latency thresholds
    probeArgs: [...LAB_LATENCY_WARN_ARGS, ...scenario.probe.args, '--metrics-interval-ms', '1000'],
    repoRoot: REPO_ROOT,
  });
  const deadline = scenario.runnerJobs.activeDeadlineSeconds;
  return {
    spec,
    id,
    run: {
      scenario: spec.scenario,
      objects: lab.objects,
      pods: lab.pods.map((p) => ({ name: p.name, namespace: p.namespace, node: p.node, address: p.address })),
      probe: loadRecordedRun(spec.scenario).probe,
      nodes: [],
    },
    api: { endpoint: lab.apiUrlFromHost, caData: b64(lab.api.caPem) },
    token: lab.scannerToken,
    mode: 'lab',
    config: parseRunnerHandlerConfig({
      RUNNER_IMAGE: DEMO_RUNNER_IMAGE,
      RUNNER_CLUSTER_DOMAIN: scenario.cluster.domain,
      RUNNER_ACTIVE_DEADLINE_SECONDS: String(deadline),
      RUNNER_COLLECT_DEADLINE_SECONDS: String(deadline + 30),
      RUNNER_TTL_SECONDS_AFTER_FINISHED: String(Math.max(900, deadline + 60)),
    }),
    stop: async () => {
      await jobs.stop();
      await lab.stop();
    },
  };
}

/** The day to play: as asked, else 1 on a store without a demo scan and 2 after one. */
async function dayOf(options: DemoOptions): Promise<number> {
  if (options.day !== undefined) return options.day;
  const store = openEmbeddedStore({ path: options.store });
  try {
    return (await store.getSummary()) === null ? 1 : 2;
  } finally {
    await store.close();
  }
}

/** The process environment for the scan: the fake AWS endpoint, its static keys, no ~/.aws. */
function withEnvironment<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return body().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** The top diagnoses: each unhealthy cluster's first cause, worst clusters first. */
export function topDiagnoses(model: ReportModel, limit = 6): string[] {
  const lines: string[] = [];
  for (const c of worstClustersFirst(model)) {
    const item = c.diagnosis?.find((d) => d.cause !== 'healthy');
    if (item === undefined) continue;
    lines.push(`  ${c.cluster.id}  ${item.cause} (${item.confidence}): ${item.summary}`);
    if (lines.length >= limit) break;
  }
  return lines;
}

/** Runs the demo; see the module comment. */
export async function runDemo(options: DemoOptions, ctx: CommandContext): Promise<void> {
  const day = await dayOf(options);
  const live = options.lab && options.labUnavailable === undefined;
  if (!options.lab) ctx.note('in-cluster half: replaying recorded lab runs for every cluster (--no-lab)');
  else if (!live)
    ctx.note(
      `in-cluster half: replaying recorded lab runs for every cluster (${options.labUnavailable ?? ''}); as root with the lab's packages, 3 clusters run the real runner in the netns lab`,
    );
  const clusters: RunningCluster[] = [];
  let endpoint: FakeAwsEndpoint | undefined;
  try {
    let config: RunnerHandlerConfig | undefined;
    for (const spec of DEMO_FLEET) {
      if (live && spec.live === true) {
        ctx.progress(`building the netns lab for ${spec.name} (${spec.scenario})…`);
        const started = await startLive(spec);
        config ??= started.config;
        clusters.push(started);
      } else clusters.push(await startReplay(spec));
    }
    const labNames = clusters.filter((c) => c.mode === 'lab').map((c) => c.spec.name);
    if (labNames.length > 0)
      ctx.note(
        `in-cluster half: the real runner in the netns lab for ${labNames.join(', ')}; recorded lab runs replayed for the other ${clusters.length - labNames.length} clusters`,
      );
    ctx.note(
      `day ${day}: ${DEMO_FLEET.length} clusters in ${DEMO_ACCOUNTS.length} accounts × ${DEMO_REGIONS.length} regions${day >= 2 ? ' (one fault changed since day 1)' : ''}`,
    );
    const byId = new Map(clusters.map((c) => [c.id, c]));
    endpoint = await startFakeAwsEndpoint(
      demoWorlds(
        day,
        new Map(clusters.map((c) => [c.id, c.run])),
        new Map(clusters.map((c) => [c.id, c.api])),
      ),
      { currentAccountId: DEMO_HOME_ACCOUNT },
    );
    const tokenOf = (region: string, name: string) =>
      [...byId.values()].find((c) => c.spec.region === region && c.spec.name === name)?.token ?? '';
    mkdirSync(path.dirname(options.store), { recursive: true });
    const scanOptions: ScanOptions = {
      accounts: DEMO_ACCOUNTS.map((a) => a.id).join(','),
      regions: DEMO_REGIONS.join(','),
      cluster: [],
      roleName: 'fleet-dns-scanner',
      inCluster: true,
      runnerImage: DEMO_RUNNER_IMAGE,
      store: options.store,
      format: options.format,
      concurrency: '4',
      clusterConcurrency: '8',
      pollInterval: '500',
    };
    const fake = endpoint;
    const scan = await withEnvironment({ ...fake.env, AWS_REGION: DEMO_HOME_REGION }, () =>
      runScan(
        scanOptions,
        { ...ctx, setExit: () => undefined },
        {
          runnerTokenProvider: async ({ region, clusterName }) => tokenOf(region, clusterName),
          tokenFactory: async ({ region, clusterName }) => ({
            token: tokenOf(region, clusterName),
            expiresAt: new Date(Date.now() + 10 * 60_000),
          }),
          ...(config !== undefined ? { runnerConfig: config } : {}),
        },
      ),
    );
    ctx.note(`AWS side: ${fake.calls().length} requests to the fake AWS endpoint on 127.0.0.1`);
    const html = path.join(path.dirname(options.store), 'demo-report.html');
    writeFileSync(html, renderReport(scan.model, 'html'));
    if (options.format === 'table') {
      const top = topDiagnoses(scan.model);
      ctx.printText(
        `\nTop diagnoses:\n${top.length > 0 ? top.join('\n') : '  none: every cluster is healthy'}\n\nHTML report: ${html}\n${day === 1 ? 'Run the demo again (or with --day 2) to see a regression.\n' : ''}`,
      );
    } else ctx.note(`HTML report: ${html}`);
    ctx.setExit(scan.interrupted ? EXIT.INTERRUPTED : EXIT.OK);
  } finally {
    await endpoint?.close();
    for (const c of clusters) await c.stop();
  }
  if (options.serve !== undefined) {
    ctx.note('serving the API and the report on 127.0.0.1 until Ctrl-C');
    // its results only: a POST /scans here would scan a real account, not the demo fleet
    await serve({ port: options.serve, store: options.store, startScans: false }, ctx, (port) => {
      const base = `http://127.0.0.1:${port}`;
      ctx.printTextToStderr(
        [
          'try:',
          `  curl -s ${base}/summary`,
          `  curl -s '${base}/clusters?status=FAIL'`,
          `  curl -s '${base}/clusters/111111111111:eu-west-1:payments-prod/gate?targetVersion=1.32'`,
          `  curl -s '${base}/reports/compliance?format=html' > fleet.html`,
          '',
        ].join('\n'),
      );
    });
  }
}
