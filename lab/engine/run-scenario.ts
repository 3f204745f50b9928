/**
 * One scan of a built lab through the production path (issue 17: "the lab goes through the same
 * path"): the dispatcher of lambdas/kube creates the scan's Secret and Jobs through the fake
 * Kubernetes API, the lab's Job controller and kubelet (./runner-jobs.ts) run the real runner for
 * each Job, the collector waits for the probe Job, stops the node agents, reads and verifies the
 * signed results from the pod logs and deletes the scan's objects; then lambdas/core combines and
 * diagnoses, as the collect Lambda does. Optionally captures the probe pod's traffic with
 * tcpdump on its node (the benchmark's `probe_qps_max`).
 *
 * @see ./run-by-hand.ts for the runner started by hand (no API in between)
 */
import path from 'node:path';
import { assessRunnerResults } from '../../lambdas/core/results/index.js';
import type { RunnerFailures } from '../../lambdas/core/runner-results/index.js';
import type { CheckResult, DiagnosisItem, RunnerResult } from '../../lambdas/core/schema/index.js';
import { createKubeClient, runRunnerScan } from '../../lambdas/kube/index.js';
import type { RunnerScan } from '../../lambdas/kube/index.js';
import type { RequestLog } from '../fake-kube-api/index.js';
import { LabError } from './errors.js';
import { LAB_SCANNER_USER } from './lab.js';
import type { Lab } from './lab.js';
import { startProbeCapture } from './probe-capture.js';
import { LAB_LATENCY_WARN_ARGS } from './run-by-hand.js';
import { startRunnerJobs } from './runner-jobs.js';
import { repoRoot } from '../repo-root.js';

const REPO_ROOT = repoRoot();

/** The image the lab's Jobs name (the lab runs `runnerCommand` for it; nothing is pulled). */
export const LAB_RUNNER_IMAGE = 'fleet-dns.lab.invalid/fleet-dns-runner:lab';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** @default `lab-<timestamp>` */
  readonly scanId?: string;
  /** extra `runner probe` arguments (after the scenario's `probe.args`) */
  readonly probeArgs?: readonly string[];
  /** capture the probe pod's DNS traffic on its node with tcpdump; @default false */
  readonly captureProbeTraffic?: boolean;
  /**
   * How to start the runner (both roles), e.g. `[process.execPath, 'runner-image/dist/runner.mjs']`
   * for the bundle the image ships; @default `node --import tsx runner-image/src/main.ts`
   */
  readonly runnerCommand?: readonly string[];
  /** @default the repository this file is in */
  readonly repoRoot?: string;
  /** how often the wait loop reads the runner's status @default 500 */
  readonly pollMs?: number;
}

/** Kubernetes API requests, by verb (`create`, `get`, `list`, `log`, `delete`, …). */
export type ApiRequestCounts = Record<string, number>;

/** The scanner's requests of one scan, by phase: dispatch, the wait loop (status polls), collect. */
export interface ScanApiRequests {
  readonly dispatch: ApiRequestCounts;
  readonly wait: ApiRequestCounts;
  readonly collect: ApiRequestCounts;
  readonly total: ApiRequestCounts;
  /** status reads of the wait loop (each: list jobs, list pods, list events) */
  readonly statusPolls: number;
}

/** What one scan produced. */
export interface ScenarioRun {
  /** the probe's verified result; absent when the probe gave none (see `failures`) */
  readonly probe?: RunnerResult;
  readonly nodes: RunnerResult[];
  /** the roles that gave no usable result, and why (checks.md "Runner failures") */
  readonly failures: RunnerFailures;
  /** the cluster's in-cluster checks, as the collector combines them */
  readonly checks: CheckResult[];
  readonly diagnosis: DiagnosisItem[];
  /** dispatch, wait and collect as lambdas/kube saw them */
  readonly scan: RunnerScan;
  /** first dispatch request → results collected and the scan's objects deleted */
  readonly scanWallMs: number;
  /** the probe container's wall time, spawn to exit (undefined when it never ran) */
  readonly probeWallMs?: number;
  /** peak resident set of the probe process (VmHWM), sampled while it ran */
  readonly probePeakRssMb?: number;
  /** probe pod → port 53 queries in the busiest one-second window of the capture (with captureProbeTraffic) */
  readonly probeQpsMax?: number;
  /** the capture file, when captureProbeTraffic (inside the lab's work directory) */
  readonly probePcap?: string;
  readonly probeStderr: string;
  /** the scanner's requests to the Kubernetes API (not the runner's), by phase */
  readonly apiRequests: ScanApiRequests;
  /** `Kind namespace/name` of fleet-dns objects still in the API after the scan (should be none) */
  readonly leftovers: string[];
  /** what the lab's kubelet could not do */
  readonly kubeletProblems: readonly string[];
}

/** `create`, `get`, `list`, `watch`, `log`, `delete`, `deletecollection`, `update`, `patch`. */
export function requestVerb(r: Pick<RequestLog, 'method' | 'path' | 'query'>): string {
  const segments = r.path.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  if (last === 'log') return 'log';
  // /api/v1/namespaces/NS/pods → a collection; /api/v1/namespaces/NS/pods/NAME → one object
  const core = segments[0] === 'api';
  const rest = segments.slice(core ? 2 : 3);
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const named = namespaced ? rest.length >= 4 : rest.length >= 2;
  switch (r.method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return r.query.watch === 'true' || r.query.watch === '1' ? 'watch' : named ? 'get' : 'list';
  }
}

function countVerbs(requests: readonly RequestLog[]): ApiRequestCounts {
  const counts: ApiRequestCounts = {};
  for (const r of requests) {
    const verb = requestVerb(r);
    counts[verb] = (counts[verb] ?? 0) + 1;
  }
  return counts;
}

/**
 * fleet-dns objects (by the managed-by label) still in the API: Jobs, pods, Secrets, as
 * `Kind namespace/name` — none once a scan was collected and the kubelet ended its pods.
 */
export function leftoverObjects(lab: Lab): string[] {
  return lab.api.store
    .all()
    .filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'fleet-dns')
    .filter((o) => ['Job', 'Pod', 'Secret'].includes(o.kind))
    .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
}

/**
 * Dispatches a scan into `lab` through the fake API, lets the lab run the Jobs, collects, and
 * combines and diagnoses. Runner failures are results (ERRORs with reasons), not exceptions.
 * @throws LabError when the dispatch itself fails (nothing ran) or the lab's kubelet broke
 */
export async function runScenario(lab: Lab, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const scanId = options.scanId ?? `lab-${Date.now()}`;
  const { scenario } = lab;
  const runnerCommand = options.runnerCommand ?? [
    process.execPath,
    '--import',
    'tsx',
    path.join(repoRoot, 'runner-image/src/main.ts'),
  ];
  const jobs = startRunnerJobs(lab, {
    runnerCommand,
    faults: scenario.runnerJobs,
    probeArgs: [...LAB_LATENCY_WARN_ARGS, ...scenario.probe.args, ...(options.probeArgs ?? [])],
    repoRoot,
  });

  // The bench's view of the probe's query rate (probe-capture.ts).
  const probePcap = path.join(lab.workDir, `probe-pod-${scanId}.pcap`);
  const capture = options.captureProbeTraffic ? await startProbeCapture(lab, probePcap) : undefined;

  // The scanner's client, from outside the cluster as the Lambdas are.
  const apis = createKubeClient({
    server: lab.apiUrlFromHost,
    caData: Buffer.from(lab.api.caPem, 'utf8').toString('base64'),
    token: lab.scannerToken,
  });
  const deadline = scenario.runnerJobs.activeDeadlineSeconds;
  const firstRequest = lab.api.requests.length;
  const started = Date.now();
  let scan: RunnerScan;
  let probeQpsMax: number | undefined;
  try {
    scan = await runRunnerScan({
      apis,
      scanId,
      clusterId: scenario.cluster.id,
      settings: {
        image: LAB_RUNNER_IMAGE,
        clusterDomain: scenario.cluster.domain,
        activeDeadlineSeconds: deadline,
        // the wait outlives the Jobs' deadline, so a deadline shows as the Job's, not the wait's
        collectDeadlineSeconds: deadline + 30,
        ttlSecondsAfterFinished: Math.max(900, deadline + 60),
      },
      pollMs: options.pollMs ?? 500,
      // A probe that cannot be pulled or scheduled is reported after 3 s of it, not after the
      // Job's deadline (the `deadline` fault proves that path).
      stuckAfterMs: 3000,
    });
  } catch (error) {
    throw new LabError(
      `dispatching the runner failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  } finally {
    // Deleted pods end after their grace period: wait for the kubelet, then stop watching.
    await jobs.settled(60_000);
    await jobs.stop();
    probeQpsMax = await capture?.stop();
  }
  const scanWallMs = Date.now() - started;
  // The scanner's requests, not the runner's (the probe reads the cluster through the same API
  // with its own ServiceAccount token).
  const scanRequests = lab.api.requests.slice(firstRequest).filter((r) => r.user === LAB_SCANNER_USER);

  const { checks, diagnosis } = assessRunnerResults(scan.probe, scan.nodes, scan.failures);
  const probeContainer = jobs.containers.find((c) => c.role === 'probe');
  return {
    ...(scan.probe ? { probe: scan.probe } : {}),
    nodes: scan.nodes,
    failures: scan.failures,
    checks,
    diagnosis,
    scan,
    scanWallMs,
    ...(probeContainer?.wallMs !== undefined ? { probeWallMs: probeContainer.wallMs } : {}),
    ...(probeContainer?.peakRssMb !== undefined ? { probePeakRssMb: probeContainer.peakRssMb } : {}),
    ...(probeQpsMax !== undefined ? { probeQpsMax, probePcap } : {}),
    probeStderr: probeContainer?.stderr() ?? '',
    apiRequests: {
      dispatch: countVerbs(scanRequests.filter((r) => r.atMs < started + scan.timings.dispatchedMs)),
      wait: countVerbs(
        scanRequests.filter(
          (r) => r.atMs >= started + scan.timings.dispatchedMs && r.atMs < started + scan.timings.doneMs,
        ),
      ),
      collect: countVerbs(scanRequests.filter((r) => r.atMs >= started + scan.timings.doneMs)),
      total: countVerbs(scanRequests),
      statusPolls: scan.wait.polls,
    },
    leftovers: leftoverObjects(lab),
    kubeletProblems: jobs.problems,
  };
}
