/**
 * What the collector could not get from the runner, and the check results that follows from it
 * (checks.md, "Runner failures"): ERROR, never PASS, with `evidence.reason` naming what happened —
 * what Kubernetes said about the Job, or why the pod log's result was refused.
 */
import { CHECK_CATALOG, makeResult } from '../catalog/index.js';
import type { CheckId } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';

/** A node agent whose result is unusable, and why (e.g. `result frame signature does not match`). */
export interface NodeAgentFailure {
  /** the node the agent ran on (the node whose NODE-* checks it runs) */
  readonly node: string;
  readonly reason: string;
}

/** The runner roles that gave no usable result. */
export interface RunnerFailures {
  /** why there is no usable probe result (e.g. `probe pod Pending: ImagePullBackOff for <image>`) */
  readonly probe?: string;
  readonly nodes?: readonly NodeAgentFailure[];
}

/**
 * The checks the probe runs: section B's in-cluster checks and section C's `K8S-NETWORKPOLICY-DNS`
 * and `K8S-COREDNS-RESOURCES` — the catalog's `in-cluster` category, exactly (NODE-* are the
 * node agents', category `node`).
 */
export const PROBE_CHECK_IDS: readonly CheckId[] = CHECK_CATALOG.filter(
  (m) => m.category === 'in-cluster',
).map((m) => m.id as CheckId);

/** The node agents' checks, one result per node hosting CoreDNS (category `node`). */
export const NODE_CHECK_IDS: readonly CheckId[] = CHECK_CATALOG.filter((m) => m.category === 'node').map(
  (m) => m.id as CheckId,
);

/** No usable probe result: every check the probe runs is ERROR, `reason` saying what happened. */
export function probeUnavailableResults(reason: string): CheckResult[] {
  const summary = `no usable probe result: ${reason}`;
  return PROBE_CHECK_IDS.map((id) =>
    makeResult(id, { status: 'ERROR', evidence: { reason, summary, runner: 'probe' } }),
  );
}

/** No usable result from the node agent on `node`: that node's `id` check is ERROR. */
export function nodeAgentUnavailableResult(id: CheckId, failure: NodeAgentFailure): CheckResult {
  return makeResult(id, {
    status: 'ERROR',
    evidence: {
      node: failure.node,
      reason: failure.reason,
      summary: `no usable node-agent result from ${failure.node}: ${failure.reason}`,
      runner: 'node-agent',
    },
  });
}
