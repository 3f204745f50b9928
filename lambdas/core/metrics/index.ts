/**
 * CoreDNS metrics: a Prometheus text-format reader, the CoreDNS counter families across metric
 * generations, and the DNS-UPSTREAM-METRICS evaluation.
 */
export { parsePrometheusText } from './parse-prometheus-text.js';
export type {
  ParsedPrometheusText,
  PrometheusSample,
  PrometheusParseIssue,
  ParsePrometheusOptions,
} from './parse-prometheus-text.js';
export {
  corednsCounters,
  counterIncrease,
  REQUEST_METRICS,
  RESPONSE_METRICS,
  UPSTREAM_METRICS,
  HEALTHCHECK_FAILURE_METRICS,
  HEALTHCHECK_BROKEN_METRICS,
  MAX_CONCURRENT_REJECT_METRICS,
} from './coredns-counters.js';
export type { CorednsCounters, CounterFamily, CounterSeries } from './coredns-counters.js';
export { evaluateUpstreamMetrics, VPC_RESOLVER_PPS_LIMIT } from './evaluate-upstream-metrics.js';
export type {
  CorednsPodMetrics,
  MetricsScrape,
  UpstreamMetricsOptions,
  UpstreamMetricsFinding,
  UpstreamMetricsFindingKind,
} from './evaluate-upstream-metrics.js';
