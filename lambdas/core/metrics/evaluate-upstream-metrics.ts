/**
 * DNS-UPSTREAM-METRICS (checks.md § B): two scrapes of each CoreDNS pod's `:9153/metrics`, some
 * seconds apart, turned into rates — SERVFAIL and NXDOMAIN shares of responses, upstream
 * health-check failures, `max_concurrent` rejects — and an estimate of the packets per second
 * each CoreDNS ENI sends to the VPC resolver, against its 1024 packets/s limit.
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { corednsCounters, counterIncrease } from './coredns-counters.js';
import type { CorednsCounters } from './coredns-counters.js';
import { parsePrometheusText } from './parse-prometheus-text.js';

/** The VPC resolver accepts at most 1024 packets per second from each ENI. */
export const VPC_RESOLVER_PPS_LIMIT = 1024;

/** One scrape of a pod's metrics endpoint. */
export interface MetricsScrape {
  readonly text: string;
  /** epoch ms when the scrape was taken */
  readonly atMs: number;
}

/** What the runner collected from one CoreDNS pod. */
export interface CorednsPodMetrics {
  readonly pod: string;
  readonly podIp: string;
  readonly node?: string;
  /** the ENI that owns the pod's IP, when known (the runner usually does not know it) */
  readonly eni?: string;
  readonly first?: MetricsScrape;
  readonly second?: MetricsScrape;
  /** why the scrapes are missing (connection refused, timeout, HTTP 404 …) */
  readonly error?: string;
}

export interface UpstreamMetricsOptions {
  /** @default 1024 */
  readonly ppsLimit?: number;
  /** WARN above this share of the limit. @default 0.5 */
  readonly warnFraction?: number;
  /** FAIL above this share of the limit. @default 0.8 */
  readonly failFraction?: number;
  /** WARN above this SERVFAIL share of responses. @default 0.01 */
  readonly servfailShare?: number;
  /** WARN above this NXDOMAIN share of responses (search-list amplification). @default 0.5 */
  readonly nxdomainShare?: number;
  /**
   * Upstream addresses that are the VPC resolver (VPC base +2; the link-local 169.254.169.253
   * and fd00:ec2::253 always count). When empty, every upstream request counts against the
   * limit — an upper bound, said in the notes.
   * @default []
   */
  readonly vpcResolverAddresses?: readonly string[];
}

/** The kinds of finding this check can raise, as machine-readable evidence (diagnosis reads them). */
export type UpstreamMetricsFindingKind =
  'servfail-share' | 'nxdomain-share' | 'healthcheck-failures' | 'max-concurrent-rejects' | 'upstream-pps';

export interface UpstreamMetricsFinding {
  readonly kind: UpstreamMetricsFindingKind;
  readonly level: 'WARN' | 'FAIL';
  readonly message: string;
  /** pods (or ENIs for `upstream-pps`) concerned */
  readonly resources: readonly string[];
}

const LINK_LOCAL_RESOLVERS = ['169.254.169.253', 'fd00:ec2::253'];

/** `to` labels are `10.0.0.2:53`, `[fd00:ec2::253]:53` or, for old versions, a bare address. */
function upstreamAddress(to: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(to);
  if (bracketed) return (bracketed[1] ?? '').toLowerCase();
  const v4 = /^([\d.]+)(?::\d+)?$/.exec(to);
  if (v4) return v4[1] ?? to;
  return to.replace(/^[a-z]+:\/\//, '').toLowerCase();
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function rcodeIs(rcode: string): (labels: Readonly<Record<string, string>>) => boolean {
  return (labels) => labels.rcode === rcode;
}

interface PodRates {
  readonly pod: string;
  readonly podIp: string;
  readonly node?: string;
  readonly eniKey: string;
  readonly intervalSeconds: number;
  readonly metricNames: Record<string, string>;
  readonly requestsPerSecond?: number;
  readonly responses: number;
  readonly servfail: number;
  readonly nxdomain: number;
  readonly servfailShare?: number;
  readonly nxdomainShare?: number;
  readonly upstreamPerSecond?: number;
  readonly upstreamPerSecondAll?: number;
  readonly upstreamTargets: readonly string[];
  readonly healthcheckFailures: number;
  readonly healthcheckBroken: number;
  readonly maxConcurrentRejects: number;
  readonly counterResets: number;
}

/**
 * Evaluates DNS-UPSTREAM-METRICS from two scrapes per CoreDNS pod.
 *
 * Upstream packets/s: each forwarded UDP query is one packet to the upstream, so the rate of
 * upstream requests is the packet rate the 1024/s limit counts (TCP adds packets: a floor, not a
 * ceiling). Pods are grouped by ENI when it is known, otherwise by node — CoreDNS pods on one
 * node may share an ENI, so grouping by node is the cautious estimate.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-limits
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/scale-cluster-services.html
 * @see https://coredns.io/plugins/metrics/
 */
export function evaluateUpstreamMetrics(
  pods: readonly CorednsPodMetrics[],
  options: UpstreamMetricsOptions = {},
): CheckResult {
  const limit = options.ppsLimit ?? VPC_RESOLVER_PPS_LIMIT;
  const warnAt = limit * (options.warnFraction ?? 0.5);
  const failAt = limit * (options.failFraction ?? 0.8);
  const servfailMax = options.servfailShare ?? 0.01;
  const nxdomainMax = options.nxdomainShare ?? 0.5;
  const vpcList = options.vpcResolverAddresses ?? [];
  const vpcResolvers = new Set([...LINK_LOCAL_RESOLVERS, ...vpcList].map((a) => a.toLowerCase()));
  const thresholds = {
    ppsLimit: limit,
    warnPps: warnAt,
    failPps: failAt,
    servfailShare: servfailMax,
    nxdomainShare: nxdomainMax,
  };

  if (pods.length === 0) {
    const reason = 'no CoreDNS pods to evaluate';
    return makeResult('DNS-UPSTREAM-METRICS', {
      status: 'SKIPPED',
      evidence: { summary: reason, reason, thresholds },
    });
  }

  const notes: string[] = [];
  const unusable: { pod: string; reason: string }[] = [];
  const rates: PodRates[] = [];

  for (const p of pods) {
    if (p.error !== undefined || p.first === undefined || p.second === undefined) {
      unusable.push({ pod: p.pod, reason: p.error ?? 'only one scrape was taken' });
      continue;
    }
    const seconds = (p.second.atMs - p.first.atMs) / 1000;
    if (!(seconds > 0)) {
      unusable.push({ pod: p.pod, reason: 'the two scrapes were not taken apart in time' });
      continue;
    }
    const a = parsePrometheusText(p.first.text);
    const b = parsePrometheusText(p.second.text);
    const before: CorednsCounters = corednsCounters(a);
    const after: CorednsCounters = corednsCounters(b);
    if (after.requests === undefined && after.responses === undefined) {
      const why =
        b.samples.length === 0
          ? `no Prometheus samples in the response${b.errors[0] ? ` (line ${b.errors[0].line}: ${b.errors[0].message})` : ''}`
          : 'no coredns_dns_* request or response counters (is the `prometheus` plugin enabled?)';
      unusable.push({ pod: p.pod, reason: why });
      continue;
    }
    const resets: number[] = [];
    const inc = (
      family: keyof CorednsCounters,
      filter?: (labels: Readonly<Record<string, string>>) => boolean,
    ): number => {
      const r = counterIncrease(before[family], after[family], filter);
      resets.push(r.resets);
      return r.increase;
    };
    const requests = inc('requests');
    const responses = inc('responses');
    const servfail = inc('responses', rcodeIs('SERVFAIL'));
    const nxdomain = inc('responses', rcodeIs('NXDOMAIN'));
    const upstreamAll = inc('upstream');
    const upstreamVpc = inc('upstream', (labels) => vpcResolvers.has(upstreamAddress(labels.to ?? '')));
    const metricNames: Record<string, string> = {};
    for (const [k, v] of Object.entries(after)) if (v) metricNames[k] = v.metric;
    const targets = [
      ...new Set((after.upstream?.series ?? []).map((s) => s.labels.to).filter((t) => t !== undefined)),
    ];
    const counterResets = resets.reduce((x, y) => x + y, 0);
    if (counterResets > 0)
      notes.push(`${p.pod}: ${counterResets} counter(s) reset between the scrapes (pod restarted?)`);
    rates.push({
      pod: p.pod,
      podIp: p.podIp,
      ...(p.node !== undefined && { node: p.node }),
      eniKey: p.eni ?? (p.node !== undefined ? `node/${p.node}` : `pod/${p.pod}`),
      intervalSeconds: round(seconds),
      metricNames,
      ...(after.requests !== undefined && { requestsPerSecond: round(requests / seconds) }),
      responses,
      servfail,
      nxdomain,
      ...(responses > 0 && {
        servfailShare: round(servfail / responses, 4),
        nxdomainShare: round(nxdomain / responses, 4),
      }),
      ...(after.upstream !== undefined && {
        upstreamPerSecond: round((vpcList.length > 0 ? upstreamVpc : upstreamAll) / seconds),
        upstreamPerSecondAll: round(upstreamAll / seconds),
      }),
      upstreamTargets: targets,
      healthcheckFailures: inc('healthcheckFailures'),
      healthcheckBroken: inc('healthcheckBroken'),
      maxConcurrentRejects: inc('maxConcurrentRejects'),
      counterResets,
    });
  }

  if (rates.length === 0) {
    const reason = `no usable CoreDNS metrics from any of ${pods.length} pod(s): ${unusable
      .map((u) => `${u.pod}: ${u.reason}`)
      .join('; ')}`;
    return makeResult('DNS-UPSTREAM-METRICS', {
      status: 'ERROR',
      evidence: {
        summary: reason,
        reason,
        unusable,
        thresholds,
      },
    });
  }
  for (const u of unusable) notes.push(`${u.pod}: metrics not usable (${u.reason}); rates exclude it`);
  if (vpcList.length === 0) {
    notes.push(
      'VPC resolver address not given: every upstream request is counted against the 1024 packets/s limit (an upper bound)',
    );
  }
  if (rates.some((r) => r.eniKey.startsWith('node/'))) {
    notes.push('ENIs not known in-cluster: pods are grouped by node (pods on one node may share an ENI)');
  }

  const findings: UpstreamMetricsFinding[] = [];
  const servfailPods = rates.filter((r) => (r.servfailShare ?? 0) > servfailMax);
  if (servfailPods.length > 0) {
    findings.push({
      kind: 'servfail-share',
      level: 'WARN',
      message: `SERVFAIL above ${servfailMax * 100} % of responses on ${servfailPods
        .map((r) => `${r.pod} (${round((r.servfailShare ?? 0) * 100, 1)} %)`)
        .join(', ')}`,
      resources: servfailPods.map((r) => r.pod),
    });
  }
  const nxPods = rates.filter((r) => (r.nxdomainShare ?? 0) > nxdomainMax);
  if (nxPods.length > 0) {
    findings.push({
      kind: 'nxdomain-share',
      level: 'WARN',
      message: `NXDOMAIN above ${nxdomainMax * 100} % of responses on ${nxPods
        .map((r) => `${r.pod} (${round((r.nxdomainShare ?? 0) * 100, 1)} %)`)
        .join(', ')}: typical of search-list amplification (ndots:5)`,
      resources: nxPods.map((r) => r.pod),
    });
  }
  const hcPods = rates.filter((r) => r.healthcheckFailures > 0 || r.healthcheckBroken > 0);
  if (hcPods.length > 0) {
    findings.push({
      kind: 'healthcheck-failures',
      level: 'WARN',
      message: `forward health checks failed during the scan on ${hcPods
        .map(
          (r) =>
            `${r.pod} (${r.healthcheckFailures} failures${r.healthcheckBroken > 0 ? `, all upstreams down ${r.healthcheckBroken}×` : ''})`,
        )
        .join(', ')}`,
      resources: hcPods.map((r) => r.pod),
    });
  }
  const rejectPods = rates.filter((r) => r.maxConcurrentRejects > 0);
  if (rejectPods.length > 0) {
    findings.push({
      kind: 'max-concurrent-rejects',
      level: 'WARN',
      message: `queries refused at max_concurrent on ${rejectPods.map((r) => `${r.pod} (${r.maxConcurrentRejects})`).join(', ')}`,
      resources: rejectPods.map((r) => r.pod),
    });
  }

  const byEni = new Map<string, PodRates[]>();
  for (const r of rates) byEni.set(r.eniKey, [...(byEni.get(r.eniKey) ?? []), r]);
  const enis = [...byEni.entries()].map(([eni, list]) => {
    const known = list.filter((r) => r.upstreamPerSecond !== undefined);
    return {
      eni,
      pods: list.map((r) => r.pod),
      ...(known.length > 0 && {
        upstreamPacketsPerSecond: round(known.reduce((s, r) => s + (r.upstreamPerSecond ?? 0), 0)),
      }),
      ...(known.length > 0 && {
        shareOfLimit: round(known.reduce((s, r) => s + (r.upstreamPerSecond ?? 0), 0) / limit, 4),
      }),
    };
  });
  if (rates.every((r) => r.upstreamPerSecond === undefined)) {
    notes.push(
      'no forward/proxy upstream counters: CoreDNS forwarded nothing since start, or forwards with another plugin',
    );
  }
  const hot = enis.filter((e) => (e.upstreamPacketsPerSecond ?? 0) > warnAt);
  if (hot.length > 0) {
    const failing = hot.some((e) => (e.upstreamPacketsPerSecond ?? 0) > failAt);
    findings.push({
      kind: 'upstream-pps',
      level: failing ? 'FAIL' : 'WARN',
      message: `estimated upstream packets/s above ${round(((failing ? failAt : warnAt) / limit) * 100, 1)} % of ${limit}: ${hot
        .map((e) => `${e.eni} ${e.upstreamPacketsPerSecond}/s (${e.pods.join(', ')})`)
        .join('; ')}`,
      resources: hot.map((e) => e.eni),
    });
  }

  const status = findings.some((f) => f.level === 'FAIL') ? 'FAIL' : findings.length > 0 ? 'WARN' : 'PASS';
  const pps = findings.find((f) => f.kind === 'upstream-pps');
  const anyUpstream = rates.some((r) => r.upstreamPerSecond !== undefined);
  // One line: the busiest ENI's upstream rate and the cluster-wide SERVFAIL / NXDOMAIN shares.
  const responses = rates.reduce((n, r) => n + r.responses, 0);
  const share = (k: 'servfail' | 'nxdomain'): string =>
    responses > 0 ? `${round((rates.reduce((n, r) => n + r[k], 0) / responses) * 100, 1)} %` : 'n/a';
  const busiest = [...enis].sort(
    (a, b) => (b.upstreamPacketsPerSecond ?? 0) - (a.upstreamPacketsPerSecond ?? 0),
  )[0];
  const overview = `${rates.length} pod(s) scraped; upstream ${
    busiest?.upstreamPacketsPerSecond !== undefined
      ? `${busiest.upstreamPacketsPerSecond} packets/s on the busiest ${busiest.eni} (limit ${limit})`
      : 'packets/s unknown'
  }; SERVFAIL ${share('servfail')}, NXDOMAIN ${share('nxdomain')} of responses`;
  return makeResult('DNS-UPSTREAM-METRICS', {
    status,
    evidence: {
      summary: findings.length > 0 ? `${findings.map((f) => f.message).join('; ')} (${overview})` : overview,
      // Read by the diagnosis (lambdas/core/diagnosis/evidence-conventions.ts).
      ...(anyUpstream && { upstreamPpsVerdict: pps?.level ?? 'PASS' }),
      nxdomainShareVerdict: findings.some((f) => f.kind === 'nxdomain-share') ? 'WARN' : 'PASS',
      resources: [...new Set(findings.flatMap((f) => f.resources))],
      pods: rates.map(({ eniKey: _eniKey, ...r }) => r),
      enis,
      findings,
      thresholds,
      ...(unusable.length > 0 && { unusable }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
