/**
 * The collector's view of one cluster's runner results: the probe's checks, with the
 * provisional DNS-CAPTURE replaced by the correlation with the node agents' captures, plus the
 * node checks (NODE-*) merged across nodes — the worst status wins, evidence per node. Roles
 * that gave no usable result are ERRORs with the reason (checks.md, "Runner failures").
 */
import { isCheckId, makeResult } from '../catalog/index.js';
import type { CheckResult, RunnerResult, Status } from '../schema/index.js';
import { correlateCapture, probeDiscoverySchema } from '../capture/index.js';
import { NODE_CHECK_IDS, nodeAgentUnavailableResult, probeUnavailableResults } from './failures.js';
import type { NodeAgentFailure, RunnerFailures } from './failures.js';

/** `reason` and the one-line `summary` of an ERROR or SKIPPED result (the same sentence). */
const withSummary = (reason: string): { reason: string; summary: string } => ({ reason, summary: reason });

/** Worst first: a FAIL anywhere is the cluster's FAIL; SKIPPED only when every node skipped. */
const STATUS_RANK: Record<Status, number> = { FAIL: 0, ERROR: 1, WARN: 2, PASS: 3, SKIPPED: 4 };

/**
 * Combines the probe's result with the node agents' results into the cluster's in-cluster
 * check results. `probe` undefined (no usable probe result): every check the probe runs is
 * ERROR with `failures.probe` as the reason, and the node agents' NODE-* results still count.
 * A node in `failures.nodes`: its NODE-* checks are ERROR with the reason, and DNS-CAPTURE notes
 * the node whose hops it cannot attribute.
 */
export function combineRunnerResults(
  probe: RunnerResult | undefined,
  nodes: readonly RunnerResult[],
  failures: RunnerFailures = {},
): CheckResult[] {
  const reported = new Set(nodes.map((n) => n.nodeName ?? '(unnamed node)'));
  const failedNodes = [
    ...new Map((failures.nodes ?? []).filter((f) => !reported.has(f.node)).map((f) => [f.node, f])).values(),
  ].sort((a, b) => a.node.localeCompare(b.node));
  if (probe === undefined) {
    const out = probeUnavailableResults(failures.probe ?? 'no probe result was collected');
    out.push(...nodeChecks(undefined, nodes, failedNodes));
    return out;
  }
  const out: CheckResult[] = probe.checks.filter((c) => c.id !== 'DNS-CAPTURE' && !c.id.startsWith('NODE-'));
  out.push(withUnattributedNodes(correlateCapture(probe, nodes), failedNodes));
  out.push(...nodeChecks(probe, nodes, failedNodes));
  return out;
}

/** DNS-CAPTURE judged what it could see; it names the nodes whose agents gave no usable result. */
function withUnattributedNodes(capture: CheckResult, failed: readonly NodeAgentFailure[]): CheckResult {
  if (failed.length === 0) return capture;
  const notes = Array.isArray(capture.evidence.notes) ? (capture.evidence.notes as string[]) : [];
  return {
    ...capture,
    evidence: {
      ...capture.evidence,
      ...('provisional' in capture.evidence ? { provisional: false } : {}),
      unattributedNodes: failed.map((f) => f.node),
      notes: [
        ...notes,
        ...failed.map(
          (f) =>
            `node ${f.node}: no usable node-agent result (${f.reason}); losses on its hops cannot be attributed`,
        ),
      ],
    },
  };
}

/** The NODE-* checks: per node, merged; ERROR for failed and silent CoreDNS nodes. */
function nodeChecks(
  probe: RunnerResult | undefined,
  nodes: readonly RunnerResult[],
  failedNodes: readonly NodeAgentFailure[],
): CheckResult[] {
  const out: CheckResult[] = [];
  const byId = new Map<string, { node: string; check: CheckResult }[]>();
  for (const n of nodes) {
    for (const check of n.checks) {
      if (!check.id.startsWith('NODE-')) continue;
      const list = byId.get(check.id) ?? [];
      list.push({ node: n.nodeName ?? '(unnamed node)', check });
      byId.set(check.id, list);
    }
  }
  // A CoreDNS node whose agent reported nothing: its counters were not collected (ERROR, never
  // a silent gap). No CoreDNS pods at all: nothing to evaluate (SKIPPED).
  const discovery = probeDiscoverySchema.safeParse(
    (probe?.observations as Record<string, unknown> | undefined)?.discovery,
  );
  const endpoints = discovery.success ? (discovery.data.endpoints ?? []) : undefined;
  const reported = new Set([
    ...nodes.map((n) => n.nodeName ?? '(unnamed node)'),
    ...failedNodes.map((f) => f.node),
  ]);
  const silent = [
    ...new Set((endpoints ?? []).map((e) => e.nodeName).filter((n): n is string => n !== undefined)),
  ]
    .filter((n) => !reported.has(n))
    .sort();
  for (const id of NODE_CHECK_IDS) {
    const list = byId.get(id) ?? [];
    for (const f of failedNodes) list.push({ node: f.node, check: nodeAgentUnavailableResult(id, f) });
    for (const node of silent) {
      list.push({
        node,
        check: makeResult(id, {
          status: 'ERROR',
          evidence: {
            node,
            ...withSummary(
              `no node-agent result from ${node}, which hosts CoreDNS: its ENA counters were not collected`,
            ),
          },
        }),
      });
    }
    if (list.length > 0) byId.set(id, list);
    else if (nodes.length === 0) {
      out.push(
        endpoints !== undefined && endpoints.length === 0
          ? makeResult(id, {
              status: 'SKIPPED',
              evidence: withSummary('no CoreDNS pods to evaluate: no node hosts CoreDNS'),
            })
          : makeResult(id, {
              status: 'ERROR',
              evidence: withSummary(
                'no node-agent result: the ENA counters of the CoreDNS nodes were not collected',
              ),
            }),
      );
    }
  }
  for (const [id, list] of [...byId.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(mergeNodeCheck(id, list));
  }
  return out;
}

function mergeNodeCheck(id: string, list: readonly { node: string; check: CheckResult }[]): CheckResult {
  const sorted = [...list].sort((a, b) => STATUS_RANK[a.check.status] - STATUS_RANK[b.check.status]);
  const worst = sorted[0] as { node: string; check: CheckResult };
  const status = worst.check.status;
  const atWorst = sorted.filter((e) => e.check.status === status);
  const perNode = Object.fromEntries(
    list.map((e) => [e.node, { status: e.check.status, evidence: e.check.evidence }]),
  );
  const resources =
    status === 'FAIL' || status === 'WARN'
      ? [
          ...new Set(
            atWorst.flatMap((e) => {
              const r = (e.check.evidence as { resources?: unknown }).resources;
              return Array.isArray(r) && r.every((x) => typeof x === 'string') && r.length
                ? (r as string[])
                : [e.node];
            }),
          ),
        ]
      : undefined;
  const reasons = atWorst
    .map((e) => (e.check.evidence as { reason?: unknown }).reason)
    .filter((r): r is string => typeof r === 'string');
  const reason =
    status === 'ERROR' || status === 'SKIPPED'
      ? reasons.length
        ? `${atWorst.map((e) => e.node).join(', ')}: ${reasons[0]}`
        : `no node could evaluate ${id}`
      : undefined;
  // One line across the nodes: the worst nodes' own summaries, and how many nodes were evaluated.
  const summaries = atWorst
    .map((e) => (e.check.evidence as { summary?: unknown }).summary)
    .filter((x): x is string => typeof x === 'string');
  const summary =
    reason ??
    `${summaries.length ? summaries.join('; ') : `${status} on ${atWorst.map((e) => e.node).join(', ')}`}${
      list.length > atWorst.length
        ? ` (${list.length - atWorst.length} other node(s): ${[...new Set(sorted.slice(atWorst.length).map((e) => e.check.status))].join('/')})`
        : ''
    }`;
  const evidence: Record<string, unknown> = {
    summary,
    nodes: perNode,
    ...(resources ? { resources } : {}),
    ...(reason !== undefined ? { reason } : {}),
  };
  if (!isCheckId(id)) return { ...worst.check, evidence };
  return makeResult(id, { status, severity: worst.check.severity, evidence });
}
