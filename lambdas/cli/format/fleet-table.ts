/**
 * A fleet at a glance: one row per cluster with its status counts and leading diagnosis, then the
 * clusters that need attention with the checks that failed or warned. Plain text, pipes cleanly.
 */
import type { ClusterResult, Status } from '../../core/schema/index.js';
import { checkSummary } from './check-table.js';

const STATUS_COLUMNS: readonly Status[] = ['PASS', 'WARN', 'FAIL', 'ERROR', 'SKIPPED'];

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Renders several cluster results as a fleet summary followed by per-cluster detail. */
export function formatFleetTable(clusters: readonly ClusterResult[]): string {
  const rows = clusters.map((c) => {
    const counts = STATUS_COLUMNS.map((s) =>
      String(c.checks.filter((r) => !r.muted && r.status === s).length),
    );
    const lead = c.diagnosis[0];
    return [c.cluster.id, ...counts, lead ? `${lead.cause} (${lead.confidence})` : ''];
  });
  const out = table(['CLUSTER', ...STATUS_COLUMNS, 'DIAGNOSIS'], rows);
  for (const c of clusters) {
    const notable = c.checks.filter((r) => !r.muted && r.status !== 'PASS' && r.status !== 'SKIPPED');
    if (notable.length === 0) continue;
    out.push('', `${c.cluster.id}`);
    for (const r of notable) out.push(`  ${r.status.padEnd(5)} ${r.id}: ${oneLine(checkSummary(r), 120)}`);
    for (const d of c.diagnosis) out.push(`  → ${d.cause} (${d.confidence}): ${oneLine(d.summary, 150)}`);
  }
  return `${out.join('\n')}\n`;
}
