import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  corednsCounters,
  counterIncrease,
  parsePrometheusText,
} from '../../../../lambdas/core/metrics/index.js';

const fixture = readFileSync(
  new URL('../../../fixtures/kube/incluster-metrics-coredns-1.11.txt', import.meta.url),
  'utf8',
);

describe('parsePrometheusText', () => {
  it('reads a CoreDNS 1.11 scrape: samples, labels, TYPE lines, exponents and +Inf buckets', () => {
    const parsed = parsePrometheusText(fixture);

    expect(parsed.errors).toEqual([]);
    expect(parsed.truncated).toBe(false);
    expect(parsed.types.coredns_dns_requests_total).toBe('counter');
    expect(parsed.types.coredns_proxy_request_duration_seconds).toBe('histogram');
    const requests = parsed.samples.filter((s) => s.name === 'coredns_dns_requests_total');
    expect(requests.map((s) => s.value)).toEqual([10240, 10100, 12]);
    expect(requests[0]!.labels).toEqual({
      family: '1',
      proto: 'udp',
      server: 'dns://:53',
      type: 'A',
      view: '',
      zone: '.',
    });
    expect(parsed.samples.find((s) => s.name === 'go_memstats_alloc_bytes')?.value).toBe(12345678);
    const inf = parsed.samples.find((s) => s.labels.le === '+Inf' && s.name.startsWith('coredns_proxy'));
    expect(inf?.value).toBe(4400);
  });

  it('handles escapes in label values, spaces, timestamps and special values', () => {
    const parsed = parsePrometheusText(
      'm{a="x\\"y",b="line\\nnext",c="back\\\\slash" , } 1 1700000000000\nn NaN\no -Inf\np +Inf\nq 1e-3\r\n',
    );

    expect(parsed.errors).toEqual([]);
    expect(parsed.samples[0]).toEqual({
      name: 'm',
      labels: { a: 'x"y', b: 'line\nnext', c: 'back\\slash' },
      value: 1,
      timestampMs: 1700000000000,
    });
    expect(Number.isNaN(parsed.samples[1]!.value)).toBe(true);
    expect(parsed.samples.slice(2).map((s) => s.value)).toEqual([-Infinity, Infinity, 0.001]);
  });

  it.each([
    ['{a="b"} 1', /metric name/],
    ['m{a=b} 1', /not quoted/],
    ['m{a="b} 1', /unterminated/],
    ['m{a="b" c="d"} 1', /expected "," or "}"/],
    ['m', /no value/],
    ['m 0x10', /not a number/],
    ['m 1 2 3', /unexpected text/],
    ['m 1 soon', /timestamp/],
  ])('reports %j with its line number and keeps going', (line, message) => {
    const parsed = parsePrometheusText(`ok 1\n${line}\nalso_ok 2\n`);

    expect(parsed.samples.map((s) => s.name)).toEqual(['ok', 'also_ok']);
    expect(parsed.errors).toEqual([{ line: 2, message: expect.stringMatching(message) }]);
  });

  it('turns an HTML error page into zero samples and errors, not an exception', () => {
    const parsed = parsePrometheusText('<html><body>404 page not found</body></html>');

    expect(parsed.samples).toEqual([]);
    expect(parsed.errors.length).toBe(1);
  });

  it('stops at maxSamples and says so', () => {
    const parsed = parsePrometheusText('a 1\nb 2\nc 3\n', { maxSamples: 2 });

    expect(parsed.samples).toHaveLength(2);
    expect(parsed.truncated).toBe(true);
  });

  it('never throws on any input, and every sample has a name and a number (fuzz)', () => {
    const promish = fc.stringMatching(/^[a-z_{}="\\, \n0-9.+#-]{0,200}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), promish), (text) => {
        const parsed = parsePrometheusText(text);
        for (const s of parsed.samples) {
          expect(s.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
          expect(typeof s.value).toBe('number');
        }
        expect(() => corednsCounters(parsed)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what a writer of the format wrote (fuzz round trip)', () => {
    const labelValue = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
        fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), labelValue, { maxKeys: 4 }),
        fc.double({ noNaN: true }),
        (name, labels, value) => {
          const escaped = Object.entries(labels)
            .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
            .join(',');
          const text = `${name}{${escaped}} ${value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value)}\n`;
          const parsed = parsePrometheusText(text);
          expect(parsed.errors).toEqual([]);
          expect(parsed.samples).toEqual([
            { name, labels: { ...labels }, value: Object.is(value, -0) ? 0 : value /* String(-0) is "0" */ },
          ]);
        },
      ),
    );
  });
});

describe('corednsCounters and counterIncrease', () => {
  it('picks the 1.11 names from a real-shaped scrape', () => {
    const counters = corednsCounters(parsePrometheusText(fixture));

    expect(counters.requests?.metric).toBe('coredns_dns_requests_total');
    expect(counters.responses?.metric).toBe('coredns_dns_responses_total');
    expect(counters.upstream?.metric).toBe('coredns_proxy_request_duration_seconds_count');
    expect(counters.maxConcurrentRejects?.metric).toBe('coredns_forward_max_concurrent_rejects_total');
    expect(counters.healthcheckFailures).toBeUndefined();
  });

  it('prefers the newer name when both the deprecated and the new one are exported (no double count)', () => {
    const counters = corednsCounters(
      parsePrometheusText(
        'coredns_forward_requests_total{to="10.0.0.2:53"} 100\ncoredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",to="10.0.0.2:53"} 100\n',
      ),
    );

    expect(counters.upstream?.metric).toBe('coredns_proxy_request_duration_seconds_count');
    expect(counters.upstream?.series).toHaveLength(1);
  });

  it('counts a counter that went down as a reset (its new value is the increase)', () => {
    const before = corednsCounters(
      parsePrometheusText(
        'coredns_dns_requests_total{type="A"} 500\ncoredns_dns_requests_total{type="AAAA"} 10\n',
      ),
    );
    const after = corednsCounters(
      parsePrometheusText(
        'coredns_dns_requests_total{type="A"} 20\ncoredns_dns_requests_total{type="AAAA"} 15\ncoredns_dns_requests_total{type="SRV"} 3\n',
      ),
    );

    expect(counterIncrease(before.requests, after.requests)).toEqual({ increase: 20 + 5 + 3, resets: 1 });
  });
});
