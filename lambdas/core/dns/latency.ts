/**
 * Latency statistics of probe queries: nearest-rank percentiles and a fixed-bucket histogram,
 * so evidence from different clusters and scans compares bucket by bucket.
 */

/** Upper bounds (ms, inclusive) of the histogram buckets; the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

export interface LatencyStats {
  /** answered queries */
  readonly count: number;
  readonly timeouts: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** bucket label (`≤1ms` … `>5000ms`) → answered queries in it */
  readonly histogram: Readonly<Record<string, number>>;
}

/** Nearest-rank percentile of an ascending list (`null` when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

function bucketLabel(ms: number): string {
  for (const bound of LATENCY_BUCKETS_MS) if (ms <= bound) return `≤${bound}ms`;
  return `>${LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]}ms`;
}

/** Statistics over query outcomes; non-finite or negative latencies are ignored. */
export function latencyStats(
  samples: readonly { readonly outcome: 'answer' | 'timeout' | 'error'; readonly latencyMs?: number }[],
): LatencyStats {
  const answered: number[] = [];
  let timeouts = 0;
  let errors = 0;
  for (const s of samples) {
    if (s.outcome === 'timeout') timeouts += 1;
    else if (s.outcome === 'error') errors += 1;
    else if (s.latencyMs !== undefined && Number.isFinite(s.latencyMs) && s.latencyMs >= 0)
      answered.push(s.latencyMs);
  }
  answered.sort((a, b) => a - b);
  const histogram: Record<string, number> = {};
  for (const ms of answered) {
    const label = bucketLabel(ms);
    histogram[label] = (histogram[label] ?? 0) + 1;
  }
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
  return {
    count: answered.length,
    timeouts,
    errors,
    p50Ms: round(percentile(answered, 50)),
    p95Ms: round(percentile(answered, 95)),
    p99Ms: round(percentile(answered, 99)),
    maxMs: round(answered.length ? (answered[answered.length - 1] as number) : null),
    histogram,
  };
}
