/**
 * Text files the lab serves or writes: a healthy CoreDNS `/metrics` page (Prometheus text
 * format, CoreDNS ≥ 1.7 names) and the ENA statistics file the node agent reads.
 *
 * @see https://coredns.io/plugins/metrics/
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html
 */

/** Counter values of one CoreDNS metrics page (what a scenario's rates are built from). */
export interface CorednsCounterValues {
  readonly requests: number;
  readonly noerror: number;
  readonly nxdomain: number;
  readonly servfail: number;
  readonly forwarded: number;
}

/** A CoreDNS ≥ 1.11 metrics page with the given counter values. */
export function corednsMetricsText(v: CorednsCounterValues): string {
  return [
    "# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
    '# TYPE coredns_build_info gauge',
    'coredns_build_info{goversion="go1.22.7",revision="",version="1.11.4"} 1',
    '# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.',
    '# TYPE coredns_dns_requests_total counter',
    `coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",view="",zone="."} ${v.requests}`,
    '# HELP coredns_dns_responses_total Counter of response status codes.',
    '# TYPE coredns_dns_responses_total counter',
    `coredns_dns_responses_total{plugin="",rcode="NOERROR",server="dns://:53",view="",zone="."} ${v.noerror}`,
    `coredns_dns_responses_total{plugin="",rcode="NXDOMAIN",server="dns://:53",view="",zone="."} ${v.nxdomain}`,
    `coredns_dns_responses_total{plugin="",rcode="SERVFAIL",server="dns://:53",view="",zone="."} ${v.servfail}`,
    '# HELP coredns_proxy_request_duration_seconds Histogram of the time each request took.',
    '# TYPE coredns_proxy_request_duration_seconds histogram',
    `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",to="198.18.0.2:53"} ${v.forwarded}`,
    '# HELP coredns_proxy_healthcheck_failures_total Count of failed health checks per upstream.',
    '# TYPE coredns_proxy_healthcheck_failures_total counter',
    'coredns_proxy_healthcheck_failures_total{proxy_name="forward",to="198.18.0.2:53"} 0',
    '# HELP coredns_forward_max_concurrent_rejects_total Counter of the number of queries rejected because the concurrent queries were at maximum.',
    '# TYPE coredns_forward_max_concurrent_rejects_total counter',
    'coredns_forward_max_concurrent_rejects_total 0',
    '',
  ].join('\n');
}

/**
 * A healthy CoreDNS's two scrapes: about 100 responses between them, 10 % NXDOMAIN, no
 * SERVFAIL, a few dozen forwarded upstream.
 */
export function defaultCorednsMetrics(): string[] {
  return [
    corednsMetricsText({ requests: 12000, noerror: 10800, nxdomain: 1200, servfail: 0, forwarded: 3000 }),
    corednsMetricsText({ requests: 12100, noerror: 10890, nxdomain: 1210, servfail: 0, forwarded: 3030 }),
  ];
}

/**
 * The ENA statistics file the node agent reads instead of `ethtool -S` (veth has no ENA
 * counters): `{ interfaces: { eth0: { before: {…}, after: {…} } } }`, the agent reading
 * `before` at the start of the scan and `after` at the end (runner-image/src/node/ena-stats.ts).
 */
export function enaStatsFile(ena: {
  readonly interface: string;
  readonly before: Readonly<Record<string, number>>;
  readonly after: Readonly<Record<string, number>>;
}): string {
  return `${JSON.stringify({ interfaces: { [ena.interface]: { before: ena.before, after: ena.after } } }, null, 2)}\n`;
}
