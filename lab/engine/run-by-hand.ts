/**
 * Runs the real runner in a built lab BY HAND, without the Kubernetes API in between (what
 * `runScenario` replaced; kept for the runner-lab benchmark, which compares the two):  node agents
 * (`runner node`, hostNetwork) in every node that hosts CoreDNS, capturing on the node's uplink
 * and reading the scenario's ENA counters; then `runner probe` inside the probe pod's namespace;
 * then the collector's combination and diagnosis (lambdas/core). Optionally captures the probe
 * pod's traffic with tcpdump on its node (the benchmark's `probe_qps_max`).
 *
 * @see ../../runner-image/src/main.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assessRunnerResults } from '../../lambdas/core/results/index.js';
import { formatSchemaError, runnerResultSchema } from '../../lambdas/core/schema/index.js';
import type { CheckResult, DiagnosisItem, RunnerResult } from '../../lambdas/core/schema/index.js';
import { LabError } from './errors.js';
import { inNetns, run, startProcess, vmHwmKb } from './exec.js';
import type { LabProcess } from './exec.js';
import type { Lab } from './lab.js';
import { startProbeCapture } from './probe-capture.js';
import { repoRoot } from '../repo-root.js';

const REPO_ROOT = repoRoot();

/**
 * The lab's DNS-LATENCY thresholds: 1000 ms for both name classes, not the product's 100/500 ms.
 * Lab namespaces share a small, often busy machine (CI runs unit tests beside the lab), where a
 * scheduling hiccup alone can push the max of 20 loopback queries past 100 ms; a scenario about
 * latency sets its own through `probe.args`, which come after these and win
 * (upstream-slow.yaml judges external names at the product's 500 ms).
 */
export const LAB_LATENCY_WARN_ARGS = [
  '--internal-latency-warn-ms',
  '1000',
  '--external-latency-warn-ms',
  '1000',
];

/** Options of {@link runByHand}. */
export interface RunByHandOptions {
  /** @default `lab-<timestamp>` */
  readonly scanId?: string;
  /** extra `runner probe` arguments (the scenario's `probe.args` come first) */
  readonly probeArgs?: readonly string[];
  /** start node agents on the CoreDNS nodes; @default true */
  readonly nodeAgents?: boolean;
  /** capture the probe pod's DNS traffic on its node with tcpdump; @default false */
  readonly captureProbeTraffic?: boolean;
  /** @default 120000 */
  readonly probeTimeoutMs?: number;
  /**
   * How to start the runner (both roles), e.g. `[process.execPath, 'runner-image/dist/runner.mjs']`
   * for the bundle the image ships; @default `node --import tsx runner-image/src/main.ts`
   */
  readonly runnerCommand?: readonly string[];
  /** How to start the runner for the probe role only; @default `runnerCommand` */
  readonly probeCommand?: readonly string[];
  /** @default the repository this file is in */
  readonly repoRoot?: string;
}

/** What one run produced. */
export interface ByHandRun {
  readonly probe: RunnerResult;
  readonly nodes: RunnerResult[];
  /** the cluster's in-cluster checks, as the collector combines them */
  readonly checks: CheckResult[];
  readonly diagnosis: DiagnosisItem[];
  /** wall time of `runner probe`, from spawn to exit */
  readonly probeWallMs: number;
  /** peak resident set of the probe process (VmHWM), sampled while it ran */
  readonly probePeakRssMb?: number;
  /** probe pod → port 53 queries in the busiest one-second window of the capture (with captureProbeTraffic) */
  readonly probeQpsMax?: number;
  /** the capture file, when captureProbeTraffic (inside the lab's work directory) */
  readonly probePcap?: string;
  readonly probeStderr: string;
}

function readResult(file: string, who: string, stderr: string): RunnerResult {
  if (!existsSync(file))
    throw new LabError(
      `${who} wrote no result (${file}); its stderr: ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  const parsed = runnerResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new LabError(
      `${who}'s result does not match the runner result schema: ${formatSchemaError(parsed.error)}`,
    );
  return parsed.data;
}

async function waitForFile(file: string, timeoutMs: number, proc: LabProcess): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) return true;
    if (proc.child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export { maxInAnySecond } from './probe-capture.js';

/**
 * Runs node agents and the probe in `lab`, then combines and diagnoses.
 * @throws LabError when a runner role exits without a valid result document
 */
export async function runByHand(lab: Lab, options: RunByHandOptions = {}): Promise<ByHandRun> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const scanId = options.scanId ?? `lab-${Date.now()}`;
  const clusterId = lab.scenario.cluster.id;
  const runnerCommand = options.runnerCommand ?? [
    process.execPath,
    '--import',
    'tsx',
    path.join(repoRoot, 'runner-image/src/main.ts'),
  ];
  const runner = (args: string[]): string[] => [...runnerCommand, ...args];
  const outputs = path.join(lab.workDir, `run-${scanId}`);
  await run(['mkdir', '-p', outputs]);

  // Node agents on every node hosting a CoreDNS pod, Ready once their capture runs.
  const agents: { node: string; proc: LabProcess; output: string; readyFile: string }[] = [];
  if (options.nodeAgents ?? true) {
    const corednsNodes = [...new Set(lab.corednsPods.map((p) => p.node))];
    for (const nodeName of corednsNodes) {
      const node = lab.nodes.find((n) => n.name === nodeName);
      if (!node) continue;
      const output = path.join(outputs, `node-${node.netns}.json`);
      const readyFile = path.join(outputs, `node-${node.netns}.ready`);
      const proc = lab.spawn(
        nodeName,
        `node-agent ${nodeName}`,
        runner([
          'node',
          '--node-name',
          nodeName,
          '--scan-id',
          scanId,
          '--cluster-id',
          clusterId,
          '--capture-interface',
          node.uplink,
          '--ready-file',
          readyFile,
          '--output',
          output,
          '--duration-seconds',
          '300',
          ...(node.enaStatsFile ? ['--ena-stats-file', node.enaStatsFile] : []),
        ]),
      );
      agents.push({ node: nodeName, proc, output, readyFile });
    }
    // Started together, waited for together: the probe starts once every capture runs.
    await Promise.all(
      agents.map(async ({ node, proc, readyFile }) => {
        if (!(await waitForFile(readyFile, 20_000, proc))) {
          throw new LabError(
            `node agent on ${node} did not become ready: ${proc.stderr().trim().split('\n').slice(-15).join(' | ')}`,
          );
        }
      }),
    );
  }

  // The bench's view of the probe's query rate (probe-capture.ts).
  const probePcap = path.join(outputs, 'probe-pod.pcap');
  const capture = options.captureProbeTraffic ? await startProbeCapture(lab, probePcap) : undefined;

  // The probe, in the probe pod's namespace.
  const probeOutput = path.join(outputs, 'probe.json');
  const started = Date.now();
  const probe = startProcess(
    'runner probe',
    inNetns(lab.probePod.netns, [
      ...(options.probeCommand ?? runner([])),
      'probe',
      '--kubeconfig',
      lab.kubeconfigPath,
      '--resolv-conf',
      lab.resolvConfPath,
      '--output',
      probeOutput,
      '--scan-id',
      scanId,
      '--cluster-id',
      clusterId,
      '--cluster-domain',
      lab.scenario.cluster.domain,
      '--node-name',
      lab.probePod.node,
      '--capture-interface',
      'eth0',
      ...LAB_LATENCY_WARN_ARGS,
      ...lab.scenario.probe.args,
      ...(options.probeArgs ?? []),
    ]),
    { cwd: repoRoot },
  );
  let peakKb = 0;
  const sampler = setInterval(() => {
    if (probe.child.pid !== undefined) peakKb = Math.max(peakKb, vmHwmKb(probe.child.pid) ?? 0);
  }, 25);
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => void probe.stop(), options.probeTimeoutMs ?? 120_000);
    probe.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  clearInterval(sampler);
  const probeWallMs = Date.now() - started;
  const probeStderr = probe.stderr();

  const probeQpsMax = await capture?.stop();
  await Promise.all(agents.map((agent) => agent.proc.stop(10_000)));

  if (exitCode !== 0)
    throw new LabError(
      `runner probe exited ${exitCode}: ${probeStderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  const probeResult = readResult(probeOutput, 'runner probe', probeStderr);
  const nodeResults = agents.map((a) => readResult(a.output, `node agent on ${a.node}`, a.proc.stderr()));
  const { checks, diagnosis } = assessRunnerResults(probeResult, nodeResults);

  return {
    probe: probeResult,
    nodes: nodeResults,
    checks,
    diagnosis,
    probeWallMs,
    ...(peakKb > 0 ? { probePeakRssMb: Math.round((peakKb / 1024) * 10) / 10 } : {}),
    ...(probeQpsMax !== undefined ? { probeQpsMax, probePcap } : {}),
    probeStderr,
  };
}
