import { describe, expect, it } from 'vitest';
import { evaluateUpstreamMetrics } from '../../../../lambdas/core/metrics/index.js';
import type { CorednsPodMetrics } from '../../../../lambdas/core/metrics/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';

type Generation = '1.11' | '1.7' | 'pre-1.7';

interface Counts {
  readonly noerror?: number;
  readonly nxdomain?: number;
  readonly servfail?: number;
  /** upstream requests per `to` */
  readonly upstream?: Record<string, number>;
  readonly healthcheckFailures?: number;
  readonly rejects?: number;
}

/** CoreDNS /metrics text as each generation names its counters. */
function corednsMetrics(gen: Generation, c: Counts): string {
  const noerror = c.noerror ?? 0;
  const nx = c.nxdomain ?? 0;
  const sf = c.servfail ?? 0;
  const total = noerror + nx + sf;
  const lines: string[] = [];
  if (gen === 'pre-1.7') {
    lines.push(
      `coredns_dns_request_count_total{family="1",proto="udp",server="dns://:53",zone="."} ${total}`,
    );
    for (const [rcode, n] of [
      ['NOERROR', noerror],
      ['NXDOMAIN', nx],
      ['SERVFAIL', sf],
    ] as const) {
      lines.push(`coredns_dns_response_rcode_count_total{rcode="${rcode}",server="dns://:53",zone="."} ${n}`);
    }
    for (const [to, n] of Object.entries(c.upstream ?? {}))
      lines.push(`coredns_forward_request_count_total{to="${to}"} ${n}`);
    if (c.healthcheckFailures !== undefined)
      lines.push(
        `coredns_forward_healthcheck_failure_count_total{to="10.0.0.2:53"} ${c.healthcheckFailures}`,
      );
    return `${lines.join('\n')}\n`;
  }
  lines.push('# TYPE coredns_dns_requests_total counter');
  lines.push(
    `coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",zone="."} ${total}`,
  );
  for (const [rcode, n] of [
    ['NOERROR', noerror],
    ['NXDOMAIN', nx],
    ['SERVFAIL', sf],
  ] as const) {
    lines.push(
      `coredns_dns_responses_total{plugin="forward",rcode="${rcode}",server="dns://:53",zone="."} ${n}`,
    );
  }
  for (const [to, n] of Object.entries(c.upstream ?? {})) {
    lines.push(
      gen === '1.11'
        ? `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",to="${to}"} ${n}`
        : `coredns_forward_requests_total{to="${to}"} ${n}`,
    );
  }
  if (c.healthcheckFailures !== undefined) {
    lines.push(
      gen === '1.11'
        ? `coredns_proxy_healthcheck_failures_total{proxy_name="forward",to="10.0.0.2:53"} ${c.healthcheckFailures}`
        : `coredns_forward_healthcheck_failures_total{to="10.0.0.2:53"} ${c.healthcheckFailures}`,
    );
  }
  lines.push(`coredns_forward_max_concurrent_rejects_total ${c.rejects ?? 0}`);
  return `${lines.join('\n')}\n`;
}

const T0 = 1_700_000_000_000;

function pod(
  name: string,
  node: string,
  gen: Generation,
  before: Counts,
  after: Counts,
  seconds = 10,
): CorednsPodMetrics {
  return {
    pod: name,
    podIp: `198.18.1.${name.length}`,
    node,
    first: { text: corednsMetrics(gen, before), atMs: T0 },
    second: { text: corednsMetrics(gen, after), atMs: T0 + seconds * 1000 },
  };
}

const quiet: Counts = { noerror: 1000, nxdomain: 100, servfail: 0, upstream: { '10.0.0.2:53': 500 } };
const plus = (c: Counts, d: Counts): Counts => ({
  noerror: (c.noerror ?? 0) + (d.noerror ?? 0),
  nxdomain: (c.nxdomain ?? 0) + (d.nxdomain ?? 0),
  servfail: (c.servfail ?? 0) + (d.servfail ?? 0),
  upstream: Object.fromEntries(
    Object.keys({ ...c.upstream, ...d.upstream }).map((k) => [
      k,
      (c.upstream?.[k] ?? 0) + (d.upstream?.[k] ?? 0),
    ]),
  ),
  healthcheckFailures: (c.healthcheckFailures ?? 0) + (d.healthcheckFailures ?? 0),
  rejects: (c.rejects ?? 0) + (d.rejects ?? 0),
});

describe('evaluateUpstreamMetrics (DNS-UPSTREAM-METRICS)', () => {
  it.each(['1.11', '1.7', 'pre-1.7'] as const)('PASS on healthy rates, CoreDNS %s metric names', (gen) => {
    const result = evaluateUpstreamMetrics([
      pod(
        'coredns-a',
        'node-2',
        gen,
        quiet,
        plus(quiet, { noerror: 900, nxdomain: 100, upstream: { '10.0.0.2:53': 300 } }),
      ),
      pod(
        'coredns-b',
        'node-3',
        gen,
        quiet,
        plus(quiet, { noerror: 900, nxdomain: 100, upstream: { '10.0.0.2:53': 300 } }),
      ),
    ]);

    expect(checkResultSchema.safeParse(result).success).toBe(true);
    expect(result.status).toBe('PASS');
    const pods = result.evidence.pods as {
      requestsPerSecond: number;
      upstreamPerSecond: number;
      servfailShare: number;
    }[];
    expect(pods[0]).toMatchObject({
      requestsPerSecond: 100,
      upstreamPerSecond: 30,
      servfailShare: 0,
      nxdomainShare: 0.1,
    });
  });

  it('WARN when SERVFAIL is above 1 % of responses, naming the pod (lab: metrics showing SERVFAIL)', () => {
    const result = evaluateUpstreamMetrics([
      pod('coredns-a', 'node-2', '1.11', quiet, plus(quiet, { noerror: 950, servfail: 50 })),
      pod('coredns-b', 'node-3', '1.11', quiet, plus(quiet, { noerror: 1000 })),
    ]);

    expect(result.status).toBe('WARN');
    expect(result.evidence.findings).toEqual([
      expect.objectContaining({ kind: 'servfail-share', level: 'WARN', resources: ['coredns-a'] }),
    ]);
  });

  it('WARN on NXDOMAIN above half the responses (search-list amplification)', () => {
    const result = evaluateUpstreamMetrics([
      pod('coredns-a', 'node-2', '1.7', quiet, plus(quiet, { noerror: 300, nxdomain: 700 })),
    ]);

    expect(result.status).toBe('WARN');
    expect((result.evidence.findings as { kind: string }[]).map((f) => f.kind)).toEqual(['nxdomain-share']);
    expect(result.evidence).toMatchObject({ nxdomainShareVerdict: 'WARN', upstreamPpsVerdict: 'PASS' });
  });

  it('WARN on health-check failures and max_concurrent rejects during the window', () => {
    const result = evaluateUpstreamMetrics([
      pod(
        'coredns-a',
        'node-2',
        '1.11',
        { ...quiet, healthcheckFailures: 3 },
        plus(quiet, { noerror: 10, healthcheckFailures: 5, rejects: 7 }),
      ),
    ]);

    expect(result.status).toBe('WARN');
    expect((result.evidence.findings as { kind: string }[]).map((f) => f.kind)).toEqual([
      'healthcheck-failures',
      'max-concurrent-rejects',
    ]);
  });

  it('does not count failures that happened before the scan (only the increase)', () => {
    const old: Counts = { ...quiet, servfail: 10_000, healthcheckFailures: 40, rejects: 9 };
    const result = evaluateUpstreamMetrics([
      pod('coredns-a', 'node-2', '1.11', old, plus(old, { noerror: 1000 })),
    ]);

    expect(result.status).toBe('PASS');
  });

  it('WARN above 50 % and FAIL above 80 % of 1024 packets/s, summing pods that share a node', () => {
    const warn = evaluateUpstreamMetrics([
      pod(
        'coredns-a',
        'node-2',
        '1.11',
        quiet,
        plus(quiet, { noerror: 3000, upstream: { '10.0.0.2:53': 3000 } }),
      ),
      pod(
        'coredns-b',
        'node-2',
        '1.11',
        quiet,
        plus(quiet, { noerror: 3000, upstream: { '10.0.0.2:53': 3000 } }),
      ),
    ]);
    expect(warn.status).toBe('WARN');
    expect(warn.evidence.enis).toEqual([
      {
        eni: 'node/node-2',
        pods: ['coredns-a', 'coredns-b'],
        upstreamPacketsPerSecond: 600,
        shareOfLimit: 0.5859,
      },
    ]);

    const fail = evaluateUpstreamMetrics([
      pod(
        'coredns-a',
        'node-2',
        '1.11',
        quiet,
        plus(quiet, { noerror: 9000, upstream: { '10.0.0.2:53': 9000 } }),
      ),
    ]);
    expect(fail.status).toBe('FAIL');
    expect(fail.evidence).toMatchObject({ upstreamPpsVerdict: 'FAIL', resources: ['node/node-2'] });
    expect(warn.evidence.upstreamPpsVerdict).toBe('WARN');
    expect(fail.evidence.findings).toEqual([
      expect.objectContaining({ kind: 'upstream-pps', level: 'FAIL', resources: ['node/node-2'] }),
    ]);
  });

  it('groups by ENI when known and counts only VPC-resolver upstreams when the resolver address is given', () => {
    const busy = plus(quiet, { noerror: 9000, upstream: { '10.0.0.2:53': 1000, '10.50.0.9:53': 8000 } });
    const pods = [{ ...pod('coredns-a', 'node-2', '1.11', quiet, busy), eni: 'eni-0a' }];

    const withResolver = evaluateUpstreamMetrics(pods, { vpcResolverAddresses: ['10.0.0.2'] });
    expect(withResolver.status).toBe('PASS');
    expect(withResolver.evidence.enis).toEqual([
      { eni: 'eni-0a', pods: ['coredns-a'], upstreamPacketsPerSecond: 100, shareOfLimit: 0.0977 },
    ]);

    const without = evaluateUpstreamMetrics(pods);
    expect(without.status).toBe('FAIL');
    expect(without.evidence.notes).toEqual(expect.arrayContaining([expect.stringMatching(/upper bound/)]));
  });

  it('handles a pod restart between scrapes as a counter reset, with a note', () => {
    const result = evaluateUpstreamMetrics([
      pod('coredns-a', 'node-2', '1.11', plus(quiet, { noerror: 99_999 }), quiet),
    ]);

    expect(result.status).toBe('PASS');
    expect(result.evidence.notes).toEqual(expect.arrayContaining([expect.stringMatching(/reset/)]));
  });

  it('SKIPPED with no CoreDNS pods', () => {
    const result = evaluateUpstreamMetrics([]);

    expect(result.status).toBe('SKIPPED');
    expect(result.evidence.reason).toMatch(/no CoreDNS pods/);
  });

  it('ERROR when no pod gave usable metrics, with each reason', () => {
    const result = evaluateUpstreamMetrics([
      { pod: 'coredns-a', podIp: '198.18.1.1', error: 'connect ECONNREFUSED 198.18.1.1:9153' },
      {
        pod: 'coredns-b',
        podIp: '198.18.1.2',
        first: { text: '404 page not found', atMs: T0 },
        second: { text: '404 page not found', atMs: T0 + 5000 },
      },
      {
        pod: 'coredns-c',
        podIp: '198.18.1.3',
        first: { text: 'up 1\n', atMs: T0 },
        second: { text: 'up 1\n', atMs: T0 + 5000 },
      },
    ]);

    expect(checkResultSchema.safeParse(result).success).toBe(true);
    expect(result.status).toBe('ERROR');
    expect(result.evidence.reason).toMatch(/ECONNREFUSED/);
    expect(result.evidence.reason).toMatch(/coredns-b: no Prometheus samples/);
    expect(result.evidence.reason).toMatch(/coredns-c: no coredns_dns_\*/);
  });

  it('evaluates the pods that answered and notes the ones that did not', () => {
    const result = evaluateUpstreamMetrics([
      pod('coredns-a', 'node-2', '1.11', quiet, plus(quiet, { noerror: 10 })),
      { pod: 'coredns-b', podIp: '198.18.1.2', error: 'timeout after 3000 ms' },
    ]);

    expect(result.status).toBe('PASS');
    expect(result.evidence.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/coredns-b: metrics not usable/)]),
    );
  });

  it('rejects scrapes that are not apart in time instead of dividing by zero', () => {
    const p = pod('coredns-a', 'node-2', '1.11', quiet, quiet, 0);

    expect(evaluateUpstreamMetrics([p]).status).toBe('ERROR');
  });
});
