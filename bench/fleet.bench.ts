/**
 * `npm run -s bench -- fleet [TIME_SCALE] [CLUSTERS] [BASELINE_TIME_SCALE] [BASELINE_EVERY] [child|inline]`
 * (defaults 0.5 1000 5 25 child): a fleet scan of CLUSTERS (1,000) clusters
 * in 50 accounts × 4 regions through the real orchestration (runInProcessScan: discover → the
 * Distributed Map's account×region items → collect-region → the inline Map → store → summarize)
 * against the fake AWS endpoint on 127.0.0.1 (in a child process, so its wire serde is not charged
 * to the scan's CPU; `inline` runs it in this process), which throttles like AWS (EC2's per-account×region
 * bucket, 100 burst / 20 per s; EKS 10 / 10 per s), answers RequestLimitExceeded /
 * ThrottlingException on the wire, and adds 30–80 ms of latency per call — so the real SDK's
 * retries and our limiter both run. The in-cluster phase is simulated: the runner-lab's 7.8 s
 * (first dispatch → collected) per cluster, spent in the inline Map's slot before the cluster's
 * result is stored. Everything runs TIME_SCALE× faster (buckets, latencies, the limiter's clock,
 * the runner time): the figures are simulated seconds, wall × TIME_SCALE.
 *
 * In the same run, a naive baseline: one item and one cluster at a time, no limiter, no per-VPC
 * sharing (each cluster describes its VPC afresh), measured on a sample of accounts and scaled
 * to the fleet by its cluster count (it is serial, so its time is a sum). Last, the peak RSS of
 * one collect-region invocation for the largest account×region, in a child process.
 * The lower bound and the reasoning are in docs/scale.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RateLimiters } from '../lambdas/aws/index.js';
import type { ApiLimiter, RateLimitOptions } from '../lambdas/aws/index.js';
import type { ScanCaches } from '../lambdas/aws/collect/scan-caches.js';
import { PromiseCache } from '../lambdas/aws/promise-cache.js';
import { runInProcessScan } from '../lambdas/handlers/in-process-scan.js';
import type { ScanScopeConfig } from '../lambdas/handlers/pipeline-config.js';
import { openEmbeddedStore } from '../lambdas/store/embedded/index.js';
import type { ResultStore } from '../lambdas/store/index.js';
import { buildCluster, buildVpc, startFakeAwsEndpoint } from '../lab/fake-aws/index.js';
import type { FakeAwsCall, FakeCluster, FakeRegionWorld, FakeVpc } from '../lab/fake-aws/index.js';
import { clustersOf, designMinimumCalls, fleetLowerBound, fleetShape } from './fleet-model.js';
import type { ItemSpec, ItemWork, LowerBoundModel } from './fleet-model.js';
import type { Benchmark, BenchFigures } from './run.js';

export const CENTRAL_ACCOUNT = '999900000000';
export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
export const accountId = (i: number) => String(100_000_000_000 + i);
export const HOME_REGION = 'eu-west-1';
/** runner-lab: one lab scan, first dispatch request → results collected (bench/runner-lab.bench.ts) */
const RUNNER_SECONDS = 7.8;
/** the CDK defaults (lib/config.ts, cdk.json) and RateLimiters' (lambdas/aws/rate-limit) */
const MAP_CONCURRENCY = 40;
const CLUSTER_CONCURRENCY = 4;
const LIMITER_SHARE = 0.5;
export const FLEET_LATENCY_MS = { min: 30, max: 80 };

/**
 * Where every cluster's API endpoint points: a closed port on 127.0.0.1, so the AWS-side cluster
 * API reads fail fast as "unreachable" (the Kubernetes facts are SKIPPED; the in-cluster phase
 * is simulated anyway) — the cluster APIs are not what this benchmark measures.
 */
const NO_CLUSTER_API = 'https://127.0.0.1:9';

/** The fake worlds of the fleet's items. */
export function fleetWorlds(items: readonly ItemSpec[]): FakeRegionWorld[] {
  return items.map((item, i) => {
    const account = accountId(item.accountIndex);
    const region = REGIONS[item.regionIndex]!;
    const vpcs: FakeVpc[] = [];
    const clusters: FakeCluster[] = [];
    let n = 0;
    item.vpcs.forEach((spec, v) => {
      const names = Array.from({ length: spec.clusters }, () => `eks-${i}-${n++}`);
      const vpc = buildVpc({
        vpcId: `vpc-f${i}x${v}`,
        octet: v,
        accountId: account,
        region,
        clusters: names.map((name) => ({ name, nodes: 3 })),
        otherEnis: spec.otherEnis,
      });
      vpcs.push(vpc);
      clusters.push(
        ...names.map((name) =>
          buildCluster({ name, accountId: account, region, vpc, endpoint: NO_CLUSTER_API }),
        ),
      );
    });
    return { accountId: account, region, vpcs, clusters };
  });
}

/** A clock running `k`× faster than the process's (the limiter's buckets). */
const scaledClock = (k: number) => ({
  now: () => performance.now() * k,
  sleep: async (ms: number) => {
    await sleep(ms / k);
  },
});

/**
 * One RateLimiters per account×region, as deployed: each collect-region Lambda invocation owns
 * one item and builds its own (so account and global concurrency are per invocation).
 */
class PerInvocationLimiters extends RateLimiters {
  readonly #each = new Map<string, ApiLimiter>();
  constructor(private readonly perItem: RateLimitOptions) {
    super(perItem);
  }
  override forAccountRegion(account: string, region: string): ApiLimiter {
    const key = `${account}/${region}`;
    let l = this.#each.get(key);
    if (!l) {
      l = new RateLimiters(this.perItem).forAccountRegion(account, region);
      this.#each.set(key, l);
    }
    return l;
  }
}

/** A cache that never caches: every cluster describes its VPC afresh (the baseline). */
class NoCache<V> extends PromiseCache<V> {
  override getOrLoad(_key: string, load: () => Promise<V>): Promise<V> {
    return load();
  }
}
const noSharing = (): ScanCaches => ({
  vpcNetworks: new NoCache(),
  prefixLists: new NoCache(),
  addonVersions: new NoCache(),
});

/** An ERROR check that an AWS call caused (throttled past its retries, or any AWS error). */
const AWS_FAILURE =
  /RequestLimitExceeded|ThrottlingException|Rate exceeded|Request limit exceeded|\b(ec2|eks):[A-Z]\w+/;

/**
 * The store, with the simulated in-cluster phase spent before each cluster's result is put, and
 * the clusters whose result holds an ERROR an AWS call caused counted in `awsFailed`.
 */
function withSimulatedRunner(
  store: ResultStore,
  runnerWallMs: number,
): ResultStore & { awsFailed: Set<string> } {
  const awsFailed = new Set<string>();
  return new Proxy(store as ResultStore & { awsFailed: Set<string> }, {
    get(target, prop) {
      if (prop === 'awsFailed') return awsFailed;
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'putClusterResult') {
        return async (...args: Parameters<ResultStore['putClusterResult']>) => {
          const [result] = args;
          // The evidence only: a remediation text may name an action (`eks:DescribeCluster`)
          // without any call having failed.
          if (result.checks.some((c) => c.status === 'ERROR' && AWS_FAILURE.test(JSON.stringify(c.evidence))))
            awsFailed.add(result.cluster.id);
          await sleep(runnerWallMs);
          return target.putClusterResult(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The process's RSS high-water mark, sampled every 25 ms. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

interface ScanRun {
  readonly wallMs: number;
  readonly calls: FakeAwsCall[];
  readonly clusters: number;
  readonly failed: number;
  readonly gaps: number;
  readonly peakRss: number;
  /** CPU seconds the process used (user + system) */
  readonly cpuS: number;
  /** wall ms from the scan's start: discovery done, and per item (`account/region`) its collect-region started and done and its last cluster stored */
  readonly discoveredMs: number;
  readonly startedMs: Map<string, number>;
  readonly collectMs: Map<string, number>;
  readonly itemMs: Map<string, number>;
}

/** The fake AWS the scan talks to: in this process, or in a child of its own. */
interface FleetEndpoint {
  readonly env: Record<string, string>;
  calls(): Promise<FakeAwsCall[]>;
  close(): Promise<void>;
}

async function inProcessEndpoint(worlds: FakeRegionWorld[], k: number): Promise<FleetEndpoint> {
  const endpoint = await startFakeAwsEndpoint(worlds, {
    currentAccountId: CENTRAL_ACCOUNT,
    region: HOME_REGION,
    throttle: {},
    latencyMs: FLEET_LATENCY_MS,
    timeScale: k,
  });
  return { env: endpoint.env, calls: () => Promise.resolve(endpoint.calls()), close: () => endpoint.close() };
}

/** bench/fleet-endpoint-child.ts: the same worlds (fleetShape is deterministic) served from a child. */
async function childEndpoint(k: number, clusters: number, every: number): Promise<FleetEndpoint> {
  const file = fileURLToPath(new URL('./fleet-endpoint-child.ts', import.meta.url));
  const p = spawn(process.execPath, ['--import', 'tsx', file, String(k), String(clusters), String(every)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  p.stdout.on('data', (b: Buffer) => {
    buffer += b.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0 && waiting.length > 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      p.stdout.emit('data', Buffer.alloc(0));
      p.once('exit', (code) => reject(new Error(`fake AWS child exited ${code}`)));
    });
  const { env } = JSON.parse(await nextLine()) as { env: Record<string, string> };
  let calls: FakeAwsCall[] | undefined;
  return {
    env,
    calls: async () => {
      if (!calls) {
        const line = nextLine();
        p.stdin.write('calls\n');
        calls = JSON.parse(await line) as FakeAwsCall[];
      }
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null) resolve();
        else {
          p.once('exit', () => resolve());
          p.kill();
        }
      }),
  };
}

async function scanFleet(
  worlds: FakeRegionWorld[],
  k: number,
  mode: 'designed' | 'baseline',
  dir: string,
  endpoint: FleetEndpoint,
): Promise<ScanRun> {
  const saved = { ...process.env };
  Object.assign(process.env, endpoint.env);
  const store = openEmbeddedStore({ path: path.join(dir, `${mode}.db`) });
  const accounts = [...new Set(worlds.map((w) => w.accountId))];
  const scope: ScanScopeConfig = {
    accounts: { mode: 'list', accounts },
    exclude: [],
    regions: { mode: 'list', regions: [...new Set(worlds.map((w) => w.region))] },
    roleName: 'fleet-dns-scanner',
    homeRegion: HOME_REGION,
  };
  const designed = mode === 'designed';
  const rss = rssSampler();
  const wrapped = withSimulatedRunner(store, (RUNNER_SECONDS * 1000) / k);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let discoveredMs = 0;
  const startedMs = new Map<string, number>();
  const collectMs = new Map<string, number>();
  const lastStored = new Map<string, number>();
  const itemOf = (clusterId: string) => clusterId.split(':').slice(0, 2).join('/');
  try {
    const scan = await runInProcessScan({
      store: wrapped,
      scope,
      runnerSkippedReason: 'bench: the in-cluster phase is simulated',
      regionConcurrency: designed ? MAP_CONCURRENCY : 1,
      clusterConcurrency: designed ? CLUSTER_CONCURRENCY : 1,
      fleet: designed
        ? { limiters: new PerInvocationLimiters({ share: LIMITER_SHARE, clock: scaledClock(k) }) }
        : {
            limiters: new RateLimiters({
              burstCapacity: 1e9,
              refillPerSecond: 1e9,
              share: 1,
              accountConcurrency: 64,
              globalConcurrency: 64,
            }),
            caches: noSharing(),
          },
      tokenFactory: () => Promise.resolve({ token: 'bench', expiresAt: new Date(Date.now() + 600_000) }),
      onProgress: (e) => {
        const t = performance.now() - t0;
        if (e.kind === 'discovered') discoveredMs = t;
        else if (e.kind === 'region-started') startedMs.set(`${e.accountId}/${e.region}`, t);
        else if (e.kind === 'region-collected') collectMs.set(`${e.accountId}/${e.region}`, t);
        else if (e.kind === 'cluster-stored') lastStored.set(itemOf(e.clusterId), t);
      },
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const expected = worlds.reduce((n, w) => n + w.clusters.length, 0);
    const stored = scan.stored.filter((s) => s.outcome === 'stored');
    // Failed: never stored (its item failed), or stored with an ERROR an AWS call caused.
    const errored = wrapped.awsFailed.size;
    return {
      wallMs,
      calls: await endpoint.calls(),
      clusters: stored.length,
      failed: expected - stored.length + errored,
      gaps: scan.summary.gaps,
      peakRss: rss.stop(),
      cpuS: (cpu.user + cpu.system) / 1e6,
      discoveredMs,
      startedMs,
      collectMs,
      itemMs: lastStored,
    };
  } finally {
    rss.stop();
    await store.close();
    process.env = saved;
    await endpoint.close();
  }
}

/** Peak RSS (MB) of one collect-region invocation over `item`, in a child process. */
async function collectRegionRss(world: FakeRegionWorld): Promise<{ peakRssMb: number; beforeRssMb: number }> {
  const endpoint = await startFakeAwsEndpoint([world], {
    currentAccountId: CENTRAL_ACCOUNT,
    region: HOME_REGION,
  });
  try {
    const child = fileURLToPath(new URL('./fleet-collect-child.ts', import.meta.url));
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, world.accountId, world.region], {
        env: { ...process.env, ...endpoint.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      p.stdout.on('data', (b: Buffer) => (text += b.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
    });
    return JSON.parse(out) as { peakRssMb: number; beforeRssMb: number };
  } finally {
    await endpoint.close();
  }
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * When the items ran, in simulated seconds: collect-region's spread and duration (started →
 * collected), the largest item's, and the item that finished last — where the makespan went
 * beyond the lower bound.
 */
function itemTimeline(run: ScanRun, worlds: readonly FakeRegionWorld[], k: number): BenchFigures {
  const s = (ms: number) => round((ms / 1000) * k);
  const keys = worlds.map((w) => `${w.accountId}/${w.region}`);
  const durations = keys
    .filter((key) => run.startedMs.has(key) && run.collectMs.has(key))
    .map((key) => run.collectMs.get(key)! - run.startedMs.get(key)!)
    .sort((a, b) => a - b);
  const at = (p: number) =>
    durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))]!;
  const collected = [...run.collectMs.values()];
  const [lastKey, lastMs] = [...run.itemMs.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  const largest = keys[0]!;
  return {
    first_collect_region_done_s: s(Math.min(...collected)),
    last_collect_region_done_s: s(Math.max(...collected)),
    collect_region_duration_p50_s: s(at(50)),
    collect_region_duration_p90_s: s(at(90)),
    collect_region_duration_max_s: s(durations.at(-1)!),
    largest_item_collect_s: s(run.collectMs.get(largest)! - run.startedMs.get(largest)!),
    largest_item_done_s: s(run.itemMs.get(largest)!),
    last_item_done_s: s(lastMs),
    last_item_started_s: s(run.startedMs.get(lastKey)!),
    last_item_clusters: worlds[keys.indexOf(lastKey)]?.clusters.length ?? 0,
  };
}
/**
 * Simulated seconds per wall second. 0.5: the simulated clock runs at half speed, so the CPU the
 * 40 simulated collect-regions share on this machine weighs half. Even so each gets less CPU than
 * deployed: 40 items on 2 cores are 0.05 core each, 0.1 core per simulated second at 0.5, against
 * the ~0.58 vCPU of a 1,024 MB Lambda (CollectRegion's size). At 1 the largest item collected in
 * 16–24 s against ~10 s alone; at 0.5 in ~10 s. docs/scale.md § Time scale 0.5.
 */
const DEFAULT_TIME_SCALE = 0.5;

const ok = (c: FakeAwsCall) => c.throttled !== true && (c.service === 'ec2' || c.service === 'eks');

const bench: Benchmark = {
  description: 'fleet scan makespan against throttled fake AWS, vs the lower bound and a naive baseline',
  async run(args): Promise<BenchFigures> {
    const k = Number(args[0] ?? DEFAULT_TIME_SCALE);
    const total = Number(args[1] ?? 1000);
    const baselineK = Number(args[2] ?? 5);
    const baselineEvery = Number(args[3] ?? 25);
    // 'child' (default): the fake AWS in a process of its own; 'inline': in this one
    const endpointMode = args[4] ?? 'child';
    const endpointFor = (kk: number, every: number, worldsHere: FakeRegionWorld[]) =>
      endpointMode === 'inline' ? inProcessEndpoint(worldsHere, kk) : childEndpoint(kk, total, every);
    const items = fleetShape({ clusters: total });
    const clusterCount = items.reduce((n, it) => n + clustersOf(it), 0);
    const worlds = fleetWorlds(items);
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-'));
    try {
      const run = await scanFleet(worlds, k, 'designed', dir, await endpointFor(k, 1, worlds));
      const work: ItemWork[] = worlds.map((w, i) => ({
        calls: run.calls.filter((c) => ok(c) && c.accountId === w.accountId && c.region === w.region).length,
        clusters: clustersOf(items[i]!),
      }));
      const model: LowerBoundModel = {
        burst: 100,
        refillPerSecond: 20,
        share: LIMITER_SHARE,
        mapConcurrency: MAP_CONCURRENCY,
        clusterConcurrency: CLUSTER_CONCURRENCY,
        runnerSeconds: RUNNER_SECONDS,
      };
      const lower = fleetLowerBound(work, model);
      const makespan = (run.wallMs / 1000) * k;

      // The baseline, serial: a sample of every `baselineEvery`th account, scaled by clusters
      // (BASELINE_EVERY 0: no baseline and no memory child, for quick looks at the fleet run).
      const sampleAccounts = new Set(
        items.filter((it) => it.accountIndex % baselineEvery === 0).map((it) => it.accountIndex),
      );
      const sample = worlds.filter((_, i) => sampleAccounts.has(items[i]!.accountIndex));
      const sampleClusters = sample.reduce((n, w) => n + w.clusters.length, 0);
      const base =
        baselineEvery > 0
          ? await scanFleet(
              sample,
              baselineK,
              'baseline',
              dir,
              await endpointFor(baselineK, baselineEvery, sample),
            )
          : undefined;
      const baseline = base ? ((base.wallMs / 1000) * baselineK * clusterCount) / sampleClusters : NaN;

      const peakCollect = baselineEvery > 0 ? await collectRegionRss(worlds[0]!) : undefined;
      const timeline = itemTimeline(run, worlds, k);
      const apiCalls = run.calls.filter(ok).length;
      return {
        time_scale: k,
        fake_aws: endpointMode === 'inline' ? 'in the bench process' : 'in a child process',
        clusters: run.clusters,
        items: worlds.length,
        map_concurrency: MAP_CONCURRENCY,
        cluster_concurrency: CLUSTER_CONCURRENCY,
        limiter_share: LIMITER_SHARE,
        fleet_makespan_s: round(makespan),
        fleet_lower_bound_s: round(lower),
        fleet_makespan_ratio: round(makespan / lower, 2),
        api_calls_per_cluster: round(apiCalls / clusterCount, 2),
        design_minimum_calls_per_cluster: round(
          items.reduce((n, it) => n + designMinimumCalls(it), 0) / clusterCount,
          2,
        ),
        throttle_errors_seen: run.calls.filter((c) => c.throttled).length,
        throttle_errors_ec2: run.calls.filter((c) => c.throttled && c.service === 'ec2').length,
        throttle_errors_eks: run.calls.filter((c) => c.throttled && c.service === 'eks').length,
        clusters_failed: run.failed,
        coverage_gaps: run.gaps,
        peak_rss_mb: round(run.peakRss / 2 ** 20),
        cpu_s: round(run.cpuS),
        discover_done_s: round((run.discoveredMs / 1000) * k),
        ...timeline,
        wall_s: round(run.wallMs / 1000),
        ...(base
          ? {
              baseline_time_scale: baselineK,
              baseline_sample_clusters: sampleClusters,
              baseline_sample_wall_s: round(base.wallMs / 1000),
              baseline_sample_cpu_s: round(base.cpuS),
              baseline_api_calls_per_cluster: round(base.calls.filter(ok).length / sampleClusters, 2),
              baseline_throttle_errors_seen: base.calls.filter((c) => c.throttled).length,
              baseline_clusters_failed: base.failed,
              baseline_makespan_s: round(baseline),
              speedup_vs_baseline: round(baseline / makespan, 1),
            }
          : { baseline: 'skipped (BASELINE_EVERY 0)' }),
        largest_item_clusters: worlds[0]!.clusters.length,
        largest_item_enis: worlds[0]!.vpcs.reduce((n, v) => n + v.networkInterfaces.length, 0),
        ...(peakCollect
          ? {
              collect_region_peak_rss_mb: peakCollect.peakRssMb,
              collect_region_rss_before_mb: peakCollect.beforeRssMb,
            }
          : {}),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
