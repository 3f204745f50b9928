/**
 * A readable terminal table of one cluster's results: check id, status, severity and a one-line
 * summary, then the diagnosis. Plain text (no colour codes), so it pipes and diffs cleanly.
 */
import type { CheckResult, ClusterResult } from '../../core/schema/index.js';
import { alignedTable, oneLine } from './text-table.js';

/** Longest summary shown per row; the JSON format has everything. */
const SUMMARY_WIDTH = 110;

/** The line a person reads for a check: its evidence summary, else its reason, else its title. */
export function checkSummary(check: CheckResult): string {
  const evidence = check.evidence as { summary?: unknown; reason?: unknown };
  if (typeof evidence.summary === 'string') return evidence.summary;
  if (typeof evidence.reason === 'string') return evidence.reason;
  return check.title ?? '';
}

/** Renders the cluster result as an aligned table followed by the diagnosis. */
export function formatCheckTable(result: ClusterResult): string {
  const header = ['CHECK', 'STATUS', 'SEVERITY', 'SUMMARY'];
  const rows = result.checks.map((c) => [
    c.id,
    c.muted ? `${c.status} (muted)` : c.status,
    c.severity,
    oneLine(checkSummary(c), SUMMARY_WIDTH),
  ]);
  const cluster = result.cluster;
  const out = [
    `Cluster ${cluster.id}${cluster.version ? ` (Kubernetes ${cluster.version})` : ''}`,
    '',
    ...alignedTable(header, rows),
    '',
    'Diagnosis:',
    ...result.diagnosis.map(
      (d) =>
        `  ${d.cause} (${d.confidence})${d.checks.length > 0 ? ` [${d.checks.join(', ')}]` : ''}: ${oneLine(d.summary, 200)}`,
    ),
  ];
  return `${out.join('\n')}\n`;
}
