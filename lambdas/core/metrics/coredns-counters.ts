/**
 * The CoreDNS counters DNS-UPSTREAM-METRICS reads, across the metric names CoreDNS has used:
 *
 * | what | ≥ 1.11 | 1.7 – 1.10 | < 1.7 (and the `proxy` plugin, < 1.6) |
 * |---|---|---|---|
 * | client requests | `coredns_dns_requests_total` | same | `coredns_dns_request_count_total` |
 * | responses by rcode | `coredns_dns_responses_total{rcode}` | same | `coredns_dns_response_rcode_count_total{rcode}` |
 * | upstream requests | `coredns_proxy_request_duration_seconds_count{to}` | `coredns_forward_requests_total{to}` | `coredns_forward_request_count_total{to}`, `coredns_proxy_request_count_total{to}` |
 * | health-check failures | `coredns_proxy_healthcheck_failures_total` | `coredns_forward_healthcheck_failures_total` | `coredns_forward_healthcheck_failure_count_total` |
 * | max_concurrent rejects | `coredns_forward_max_concurrent_rejects_total` | same | — |
 *
 * Each is read from the first name present, so a CoreDNS that exports both the deprecated and
 * the new name (1.11 does for a while) is not counted twice.
 *
 * @see https://coredns.io/plugins/metrics/
 * @see https://coredns.io/plugins/forward/#metrics
 * @see https://github.com/coredns/coredns/blob/master/notes/coredns-1.7.0.md (the metric renames)
 */
import type { ParsedPrometheusText, PrometheusSample } from './parse-prometheus-text.js';

export const REQUEST_METRICS = ['coredns_dns_requests_total', 'coredns_dns_request_count_total'] as const;
export const RESPONSE_METRICS = [
  'coredns_dns_responses_total',
  'coredns_dns_response_rcode_count_total',
] as const;
export const UPSTREAM_METRICS = [
  'coredns_proxy_request_duration_seconds_count',
  'coredns_forward_requests_total',
  'coredns_forward_request_count_total',
  'coredns_proxy_request_count_total',
] as const;
export const HEALTHCHECK_FAILURE_METRICS = [
  'coredns_proxy_healthcheck_failures_total',
  'coredns_forward_healthcheck_failures_total',
  'coredns_forward_healthcheck_failure_count_total',
] as const;
export const HEALTHCHECK_BROKEN_METRICS = ['coredns_forward_healthcheck_broken_total'] as const;
export const MAX_CONCURRENT_REJECT_METRICS = ['coredns_forward_max_concurrent_rejects_total'] as const;

/** One counter series: its labels and value. */
export interface CounterSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The series of one counter family in a scrape, and which name it was read from. */
export interface CounterFamily {
  readonly metric: string;
  readonly series: readonly CounterSeries[];
}

/** What one scrape says, family by family (absent when CoreDNS exports none of the names). */
export interface CorednsCounters {
  readonly requests?: CounterFamily;
  readonly responses?: CounterFamily;
  readonly upstream?: CounterFamily;
  readonly healthcheckFailures?: CounterFamily;
  readonly healthcheckBroken?: CounterFamily;
  readonly maxConcurrentRejects?: CounterFamily;
}

function firstFamily(
  byName: ReadonlyMap<string, PrometheusSample[]>,
  names: readonly string[],
): CounterFamily | undefined {
  for (const metric of names) {
    const samples = byName.get(metric);
    if (samples && samples.length > 0) {
      return {
        metric,
        series: samples
          .filter((s) => Number.isFinite(s.value))
          .map((s) => ({ labels: s.labels, value: s.value })),
      };
    }
  }
  return undefined;
}

/** Picks the CoreDNS counter families out of a parsed scrape. */
export function corednsCounters(parsed: ParsedPrometheusText): CorednsCounters {
  const byName = new Map<string, PrometheusSample[]>();
  for (const s of parsed.samples) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const families = {
    requests: firstFamily(byName, REQUEST_METRICS),
    responses: firstFamily(byName, RESPONSE_METRICS),
    upstream: firstFamily(byName, UPSTREAM_METRICS),
    healthcheckFailures: firstFamily(byName, HEALTHCHECK_FAILURE_METRICS),
    healthcheckBroken: firstFamily(byName, HEALTHCHECK_BROKEN_METRICS),
    maxConcurrentRejects: firstFamily(byName, MAX_CONCURRENT_REJECT_METRICS),
  };
  return Object.fromEntries(Object.entries(families).filter(([, v]) => v !== undefined)) as CorednsCounters;
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The increase of a counter family between two scrapes, series by series. A series whose value
 * went down was reset (the pod restarted): its increase is its new value, as Prometheus's
 * `increase()` assumes. A series that appears only in the second scrape started from zero.
 */
export function counterIncrease(
  before: CounterFamily | undefined,
  after: CounterFamily | undefined,
  filter: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): { readonly increase: number; readonly resets: number } {
  if (after === undefined) return { increase: 0, resets: 0 };
  const previous = new Map<string, number>();
  // Before and after must be the same metric name; a CoreDNS upgraded between scrapes is a reset.
  if (before !== undefined && before.metric === after.metric) {
    for (const s of before.series) previous.set(seriesKey(s.labels), s.value);
  }
  let increase = 0;
  let resets = 0;
  for (const s of after.series) {
    if (!filter(s.labels)) continue;
    const prev = previous.get(seriesKey(s.labels));
    if (prev === undefined) increase += s.value;
    else if (s.value >= prev) increase += s.value - prev;
    else {
      increase += s.value;
      resets++;
    }
  }
  return { increase, resets };
}
