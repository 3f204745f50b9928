/**
 * A fleet at a glance: one row per cluster with its status counts and leading diagnosis, then the
 * clusters that need attention with the checks that failed or warned. Plain text, pipes cleanly.
 */
import type { ClusterResult, Status } from '../../core/schema/index.js';
import { checkSummary } from './check-table.js';
import { alignedTable, oneLine } from './text-table.js';

const STATUS_COLUMNS: readonly Status[] = ['PASS', 'WARN', 'FAIL', 'ERROR', 'SKIPPED'];

/** Renders several cluster results as a fleet summary followed by per-cluster detail. */
export function formatFleetTable(clusters: readonly ClusterResult[]): string {
  const rows = clusters.map((c) => {
    const counts = STATUS_COLUMNS.map((s) =>
      String(c.checks.filter((r) => !r.muted && r.status === s).length),
    );
    const lead = c.diagnosis[0];
    return [c.cluster.id, ...counts, lead ? `${lead.cause} (${lead.confidence})` : ''];
  });
  const out = alignedTable(['CLUSTER', ...STATUS_COLUMNS, 'DIAGNOSIS'], rows);
  for (const c of clusters) {
    const notable = c.checks.filter((r) => !r.muted && r.status !== 'PASS' && r.status !== 'SKIPPED');
    if (notable.length === 0) continue;
    out.push('', `${c.cluster.id}`);
    for (const r of notable) out.push(`  ${r.status.padEnd(5)} ${r.id}: ${oneLine(checkSummary(r), 120)}`);
    for (const d of c.diagnosis) out.push(`  → ${d.cause} (${d.confidence}): ${oneLine(d.summary, 150)}`);
  }
  return `${out.join('\n')}\n`;
}
