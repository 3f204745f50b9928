/**
 * A readable terminal table of one cluster's results: check id, status, severity and a one-line
 * summary, then the diagnosis. Plain text (no colour codes), so it pipes and diffs cleanly.
 */
import type { CheckResult, ClusterResult } from '../../core/schema/index.js';

/** Longest summary shown per row; the JSON format has everything. */
const SUMMARY_WIDTH = 110;

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const cluster = result.cluster;
  const out = [
    `Cluster ${cluster.id}${cluster.version ? ` (Kubernetes ${cluster.version})` : ''}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'Diagnosis:',
    ...result.diagnosis.map(
      (d) =>
        `  ${d.cause} (${d.confidence})${d.checks.length > 0 ? ` [${d.checks.join(', ')}]` : ''}: ${oneLine(d.summary, 200)}`,
    ),
  ];
  return `${out.join('\n')}\n`;
}
