/**
 * The runner's results out of its pods' logs (design.md, "The in-cluster runner"): per pod, bound
 * the log's size, reassemble the framed lines, verify HMAC, scan id, cluster id and role, and keep
 * what is usable; for every role (or node) whose result is not, the reason in checks.md's words
 * ("Runner failures") — ready for `combineRunnerResults(probe, nodes, failures)`. Pure: the caller
 * reads the logs (`readNamespacedPodLog`) and passes the text.
 */
import { decodeResultFrames, verifyRunnerResult } from '../../core/runner-results/index.js';
import type { NodeAgentFailure, ResultKey, RunnerFailures } from '../../core/runner-results/index.js';
import type { RunnerResult } from '../../core/schema/index.js';

/** One pod's log: `undefined` when it could not be read. */
export interface RunnerPodLog {
  readonly log: string | undefined;
  /**
   * What the Job's status said, when it did not succeed (`runnerJobStatus(…).reason`, e.g.
   * `deadline exceeded after 120 s`): it leads the reason when the log gives no usable result.
   */
  readonly jobReason?: string;
}

export interface NodeAgentPodLog extends RunnerPodLog {
  /** the node the agent ran on */
  readonly node: string;
}

export interface RunnerResultsFromLogsInput {
  /** the probe pod's log; absent: no probe pod was found */
  readonly probe?: RunnerPodLog;
  readonly nodeAgents: readonly NodeAgentPodLog[];
  readonly scanId: string;
  readonly clusterId: string;
  /** the per-scan HMAC key from the Secret the dispatcher created */
  readonly key: ResultKey;
  /** largest log, and largest inflated result document, accepted per pod @default 16 MiB */
  readonly maxBytes?: number;
}

export interface RunnerResultsFromLogs {
  /** the probe's verified result, when usable */
  readonly probe?: RunnerResult;
  /** the node agents' verified results (one per node, `nodeName` set) */
  readonly nodes: RunnerResult[];
  /** why the probe's or a node agent's result is unusable */
  readonly failures: RunnerFailures & { readonly nodes: readonly NodeAgentFailure[] };
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

type Outcome =
  { readonly ok: true; readonly result: RunnerResult } | { readonly ok: false; readonly reason: string };

function readOne(
  pod: RunnerPodLog,
  role: RunnerResult['role'],
  input: RunnerResultsFromLogsInput,
  maxBytes: number,
): Outcome {
  const fail = (reason: string): Outcome => ({
    ok: false,
    reason: pod.jobReason !== undefined ? `${pod.jobReason}; ${reason}` : reason,
  });
  if (pod.log === undefined) return fail('the pod log could not be read');
  // Bounded before anything else: a huge log is refused without being scanned or inflated.
  if (pod.log.length > maxBytes || Buffer.byteLength(pod.log, 'utf8') > maxBytes)
    return fail(`log larger than ${maxBytes} bytes`);
  const decoded = decodeResultFrames(pod.log, { maxBytes });
  if (!decoded.ok) return fail(decoded.error);
  let verified;
  try {
    verified = verifyRunnerResult(decoded.document, {
      key: input.key,
      scanId: input.scanId,
      clusterId: input.clusterId,
      role,
    });
  } catch (err) {
    // a key the signer refuses (too short): the collector's configuration, said, not thrown
    return fail(`the result key is unusable: ${err instanceof Error ? err.message : String(err)}`);
  }
  return verified.ok ? verified : fail(verified.reason);
}

/** Reads every runner pod's log into usable results and failure reasons. Never throws. */
export function runnerResultsFromLogs(input: RunnerResultsFromLogsInput): RunnerResultsFromLogs {
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  let probe: RunnerResult | undefined;
  let probeFailure: string | undefined;
  if (input.probe === undefined) probeFailure = 'no probe pod was found';
  else {
    const outcome = readOne(input.probe, 'probe', input, maxBytes);
    if (outcome.ok) probe = outcome.result;
    else probeFailure = outcome.reason;
  }

  const usable = new Map<string, RunnerResult>();
  const failed = new Map<string, string>();
  for (const agent of input.nodeAgents) {
    if (usable.has(agent.node)) continue;
    const outcome = readOne(agent, 'node', input, maxBytes);
    if (!outcome.ok) {
      failed.set(agent.node, outcome.reason);
      continue;
    }
    const named = outcome.result.nodeName;
    if (named !== undefined && named !== agent.node) {
      failed.set(agent.node, `result for another node: it belongs to node ${named}, not ${agent.node}`);
      continue;
    }
    usable.set(agent.node, { ...outcome.result, nodeName: agent.node });
    failed.delete(agent.node);
  }
  return {
    ...(probe ? { probe } : {}),
    nodes: [...usable.values()],
    failures: {
      ...(probeFailure !== undefined ? { probe: probeFailure } : {}),
      nodes: [...failed].map(([node, reason]) => ({ node, reason })),
    },
  };
}
