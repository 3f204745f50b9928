/**
 * The node-agent role (design.md § The in-cluster runner): runs with hostNetwork on a node that
 * hosts CoreDNS, reads the ENA allowance counters, starts a port-53 capture, turns Ready (a file
 * the Pod's readinessProbe `cat`s) once the capture runs, captures until SIGTERM or its duration,
 * reads the counters again, and reports NODE-LINKLOCAL-ALLOWANCE, NODE-CONNTRACK-ALLOWANCE and
 * the raw capture observations the collector correlates with the probe's queries (DNS-CAPTURE).
 */
import { writeFile } from 'node:fs/promises';
import {
  evaluateConntrackAllowance,
  evaluateLinklocalAllowance,
} from '../../../lambdas/core/incluster/index.js';
import { RUNNER_RESULT_FORMAT, runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import type { EnaCounters, RunnerObservations, RunnerResult } from '../../../lambdas/core/schema/index.js';
import { startCapture } from '../capture/index.js';
import type { CaptureOutcome } from '../capture/index.js';
import { writeRunnerResult } from '../output.js';
import { listPhysicalInterfaces, readEnaStatsFile, readInterfaceWithEthtool } from './ena-stats.js';
import type { InterfaceReading } from './ena-stats.js';
import { NodeAgentError } from './errors.js';

export interface NodeAgentOptions {
  readonly nodeName: string;
  readonly scanId: string;
  readonly clusterId: string;
  /** how long to capture when no SIGTERM comes first */
  readonly durationSeconds: number;
  /** interfaces to read ENA statistics from. @default every physical interface (sysfs) */
  readonly interfaces?: readonly string[];
  /** read the counters from this JSON/YAML file instead of ethtool (the lab's statistics source) */
  readonly enaStatsFile?: string;
  /** interface to capture port 53 on, or `none`. @default 'any' */
  readonly captureInterface?: string;
  /** written (`ready`) once the capture runs, for the Pod's readinessProbe */
  readonly readyFile?: string;
  /** write the plain JSON result here; otherwise framed lines on stdout (the pod log) */
  readonly output?: string;
  /** the per-scan HMAC key; the result is unsigned without it */
  readonly resultKey?: string;
  /** the instance's conntrack allowance, when the dispatcher knows the instance type */
  readonly conntrackAllowance?: number;
  /** stops the capture early (SIGTERM and SIGINT also do) */
  readonly signal?: AbortSignal;
  /** @default 'ethtool' */
  readonly ethtoolPath?: string;
  /** @default 'tcpdump' */
  readonly tcpdumpPath?: string;
  /** @default '/sys/class/net' */
  readonly sysClassNet?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default process.stdout */
  readonly stdout?: { write(text: string): unknown };
  /** handle SIGTERM/SIGINT (off in tests that run in-process). @default true */
  readonly handleSignals?: boolean;
}

interface CounterSnapshot {
  readonly counters: EnaCounters[];
  readonly nonEna: string[];
  readonly errors: string[];
}

async function readCounters(options: NodeAgentOptions, phase: 'before' | 'after'): Promise<CounterSnapshot> {
  let readings: InterfaceReading[];
  if (options.enaStatsFile !== undefined) {
    readings = await readEnaStatsFile(options.enaStatsFile, phase);
  } else {
    const names =
      options.interfaces && options.interfaces.length > 0
        ? options.interfaces
        : (await listPhysicalInterfaces(options.sysClassNet)).map((i) => i.name);
    readings = await Promise.all(names.map((n) => readInterfaceWithEthtool(n, options.ethtoolPath)));
  }
  return {
    counters: readings.flatMap((r) => (r.kind === 'ena' ? [r.counters] : [])),
    nonEna: readings.flatMap((r) => (r.kind === 'not-ena' ? [`${r.interface} (${r.reason})`] : [])),
    errors: readings.flatMap((r) => (r.kind === 'error' ? [`${r.interface}: ${r.error}`] : [])),
  };
}

/**
 * SIGTERM/SIGINT from the moment the agent starts: the collector stops a node agent by deleting
 * its pod, possibly before the capture runs (a probe that failed at once) — the agent must still
 * report then, not die of the default handler.
 */
function stopSignals(enabled: boolean): { readonly stopped: Promise<string>; dispose(): void } {
  if (!enabled) return { stopped: new Promise<string>(() => undefined), dispose: () => undefined };
  let dispose = (): void => undefined;
  const stopped = new Promise<string>((resolve) => {
    const onTerm = (): void => resolve('SIGTERM');
    const onInt = (): void => resolve('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    dispose = () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    };
  });
  return { stopped, dispose: () => dispose() };
}

/** Resolves after `ms`, or earlier when `signal` aborts or `stopped` settles; says which. */
function waitForEnd(ms: number, signal: AbortSignal | undefined, stopped: Promise<string>): Promise<string> {
  return new Promise((resolve) => {
    const finish = (why: string): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = (): void => finish('stopped');
    const timer = setTimeout(() => finish('duration elapsed'), ms);
    if (signal?.aborted) return finish('stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
    void stopped.then(finish);
  });
}

/**
 * Runs the node agent and writes its result (signed when a key is given); returns the document.
 * Never throws for what it finds on the node (a missing ethtool or tcpdump is an ERROR result or
 * a capture error in the observations); throws NodeAgentError for unusable options.
 *
 * @example
 * await runNodeAgent({ nodeName: 'ip-10-0-1-10…', scanId, clusterId, durationSeconds: 120, readyFile: '/tmp/ready' });
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html
 */
export async function runNodeAgent(options: NodeAgentOptions): Promise<RunnerResult> {
  if (!(options.durationSeconds > 0)) throw new NodeAgentError('durationSeconds must be positive');
  if (options.nodeName.trim() === '')
    throw new NodeAgentError('nodeName is required (env NODE_NAME from the downward API)');
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const stop = stopSignals(options.handleSignals ?? true);
  const captureInterface = options.captureInterface ?? 'any';

  let before: CounterSnapshot;
  let capture: Awaited<ReturnType<typeof startCapture>> | undefined;
  let endedBy: string;
  try {
    before = await readCounters(options, 'before');
    capture =
      captureInterface === 'none'
        ? undefined
        : await startCapture({
            interface: captureInterface,
            filter: 'port 53',
            ...(options.tcpdumpPath !== undefined && { tcpdumpPath: options.tcpdumpPath }),
          });
    // Ready only once the capture listens (or could not start): the probe waits for this.
    if (options.readyFile !== undefined) await writeFile(options.readyFile, 'ready\n', 'utf8');
    endedBy = await waitForEnd(options.durationSeconds * 1000, options.signal, stop.stopped);
  } finally {
    stop.dispose();
  }
  const captured: CaptureOutcome | undefined = capture ? await capture.stop() : undefined;
  const after = await readCounters(options, 'after');

  const error = [...before.errors, ...after.errors];
  const input = {
    node: options.nodeName,
    before: before.counters,
    after: after.counters,
    nonEnaInterfaces: [...new Set([...before.nonEna, ...after.nonEna])],
    ...(error.length > 0 && before.counters.length === 0 && { error: error.join('; ') }),
    ...(options.conntrackAllowance !== undefined && { conntrackAllowance: options.conntrackAllowance }),
  };
  const checks = [evaluateLinklocalAllowance(input), evaluateConntrackAllowance(input)];
  if (error.length > 0 && before.counters.length > 0) {
    for (const c of checks)
      c.evidence.notes = [...(c.evidence.notes ?? []), ...error.map((e) => `not read: ${e}`)];
  }

  const observations: RunnerObservations = {
    counters: { before: before.counters, after: after.counters },
    ...(captured !== undefined && {
      capture: {
        where: `node:${options.nodeName}:${captureInterface}`,
        packets: captured.packets,
        ...(captured.truncated && { truncated: true }),
        ...(captured.error !== undefined && { error: captured.error }),
      },
    }),
  };
  const result: RunnerResult = {
    format: RUNNER_RESULT_FORMAT,
    role: 'node',
    scanId: options.scanId,
    clusterId: options.clusterId,
    nodeName: options.nodeName,
    startedAt,
    finishedAt: now().toISOString(),
    checks,
    observations,
    endedBy,
  };
  const valid = runnerResultSchema.safeParse(result);
  if (!valid.success)
    throw new NodeAgentError(`internal: the node result does not match the schema: ${valid.error.message}`);
  return writeRunnerResult(result, {
    ...(options.output !== undefined && { output: options.output }),
    ...(options.resultKey !== undefined && { key: options.resultKey }),
    ...(options.stdout !== undefined && { stdout: options.stdout }),
  });
}
