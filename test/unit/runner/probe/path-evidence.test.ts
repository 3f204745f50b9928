/**
 * What the probe checks write for the diagnosis to lay each symptom at the right cause's door
 * (evidence-conventions.ts), judged per target: DNS-TCP-FALLBACK only where UDP answers,
 * DNS-PER-ENDPOINT not counting the conntrack race against pods, DNS-LATENCY naming the targets
 * that time out, DNS-INTERNAL/EXTERNAL saying whether anything answered — and the one-line
 * `evidence.summary` every check result carries for the terminal table.
 */
import { describe, expect, it } from 'vitest';
import { latencyStats, pairSignature, parseResolvConf } from '../../../../lambdas/core/dns/index.js';
import type { PairSample } from '../../../../lambdas/core/dns/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import type { DnsClient, DnsOutcome, DnsQuery } from '../../../../runner-image/src/dns/index.js';
import { DEFAULT_PROBE_SETTINGS, evaluateResolvConf } from '../../../../runner-image/src/probe/index.js';
import type { ProbeContext, ProbeTarget } from '../../../../runner-image/src/probe/context.js';
import { checkExternal, checkInternal } from '../../../../runner-image/src/probe/checks/resolution.js';
import { evaluatePerEndpoint } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import type { EndpointProbe } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import {
  checkTcpFallback,
  evaluateTcpFallback,
} from '../../../../runner-image/src/probe/checks/tcp-fallback.js';
import { evaluateLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import type { TargetLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import { checkNodeLocal } from '../../../../runner-image/src/probe/checks/nodelocal.js';
import { kubeChecksUnavailable } from '../../../../runner-image/src/probe/kube-checks.js';

const CLUSTER_IP = '10.100.0.10';
const KUBERNETES_IP = '10.100.0.1';
const CIP: ProbeTarget = { address: CLUSTER_IP, role: 'clusterIP' };
const POD_A: ProbeTarget = { address: '10.0.1.11', role: 'pod', pod: 'coredns-a' };
const POD_B: ProbeTarget = { address: '10.0.2.12', role: 'pod', pod: 'coredns-b' };

const answer = (answers: string[] = [], rcode = 'NXDOMAIN', latencyMs = 2): DnsOutcome => ({
  outcome: 'answer',
  rcode,
  answers,
  truncated: false,
  latencyMs,
});
const TIMEOUT: DnsOutcome = { outcome: 'timeout', latencyMs: 2000 };
const ONE_SIDED = (): PairSample[] =>
  Array.from({ length: 5 }, () => ({ first: 'answered', second: 'unanswered' }) as PairSample);

/** A DNS client answering from `script`, recording what was asked. */
function ctxWith(script: (q: DnsQuery) => DnsOutcome): ProbeContext & { asked: DnsQuery[] } {
  const asked: DnsQuery[] = [];
  const client = Object.assign(
    async (q: DnsQuery): Promise<DnsOutcome> => {
      asked.push(q);
      return script(q);
    },
    {
      queryPair: async () => {
        throw new Error('not used');
      },
    },
  ) as DnsClient;
  return { client, settings: DEFAULT_PROBE_SETTINGS, randomLabel: () => 'abc123', asked };
}

/** A latency round: 10 singles (the first `singlesLost` unanswered) and 5 pairs. */
function round(target: ProbeTarget, singlesLost = 0, pairs?: PairSample[]): TargetLatency {
  const singles = Array.from({ length: 10 }, (_, i) =>
    i < singlesLost ? TIMEOUT : answer([], 'NXDOMAIN', 2),
  );
  const ps =
    pairs ??
    Array.from(
      { length: 5 },
      () =>
        (singlesLost === 10
          ? { first: 'unanswered', second: 'unanswered' }
          : { first: 'answered', second: 'answered' }) as PairSample,
    );
  const pairOutcomes = ps.flatMap((p) => [
    p.first === 'answered' ? answer([], 'NXDOMAIN', 1) : TIMEOUT,
    p.second === 'answered' ? answer([], 'NXDOMAIN', 1) : TIMEOUT,
  ]);
  return {
    target,
    stats: latencyStats([...singles, ...pairOutcomes]),
    pairs: pairSignature(ps, { sent: 10, unanswered: singlesLost }),
  };
}
const THRESHOLDS = { internalP99WarnMs: 500, externalP99WarnMs: 500, timeoutFailShare: 0.05 };

const summaryOf = (r: CheckResult): string => (r.evidence as { summary?: string }).summary ?? '';

describe('DNS-TCP-FALLBACK: FAIL only where UDP answers and TCP does not, target by target', () => {
  it('a pod dropping UDP and TCP alike is no TCP finding, nor the round-robin ClusterIP whose TCP query landed on it', async () => {
    // the shape of the coredns-pod-dropping lab: coredns-b drops everything
    const ctx = ctxWith(
      (q) =>
        q.server === POD_A.address ? answer() : TIMEOUT /* the ClusterIP's TCP query went to coredns-b */,
    );
    const r = await checkTcpFallback(
      ctx,
      [CIP, POD_A, POD_B],
      new Map([
        [CLUSTER_IP, true],
        [POD_A.address, true],
        [POD_B.address, false],
      ]),
    );
    expect(ctx.asked.every((q) => q.transport === 'tcp')).toBe(true);
    expect(r.status).toBe('PASS');
    expect(r.evidence.resources).toBeUndefined();
    expect(r.evidence.notes).toEqual([
      expect.stringMatching(/^10\.100\.0\.10: a pod behind it does not answer UDP \(coredns-b\)/),
      expect.stringMatching(/^coredns-b \(10\.0\.2\.12\): UDP does not answer either/),
    ]);
  });

  it('mixed UDP results through the ClusterIP (round-robin onto a dropping pod) are no evidence either', () => {
    const r = evaluateTcpFallback([
      { target: CIP, udp: { sent: 21, answered: 11 }, tcp: TIMEOUT },
      { target: POD_A, udp: { sent: 22, answered: 22 }, tcp: answer() },
    ]);
    expect(r).toMatchObject({ status: 'PASS', evidence: { targets: [{ judged: false }, { judged: true }] } });
  });

  it('a pod answering only part of its UDP queries is not judged; nothing judged at all is ERROR', () => {
    const r = evaluateTcpFallback([{ target: POD_A, udp: { sent: 22, answered: 15 }, tcp: TIMEOUT }]);
    expect(r).toMatchObject({
      status: 'ERROR',
      evidence: { reason: expect.stringMatching(/could not be judged/) },
    });
  });

  it('UDP answering (a stray loss within the tolerance) and TCP timing out: FAIL, naming each target', () => {
    const r = evaluateTcpFallback([
      { target: CIP, udp: { sent: 21, answered: 21 }, tcp: TIMEOUT },
      { target: POD_A, udp: { sent: 22, answered: 21 }, tcp: TIMEOUT },
      { target: POD_B, udp: true, tcp: { outcome: 'error', error: 'connection refused', latencyMs: 1 } },
    ]);
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { resources: [CLUSTER_IP, 'coredns-a', 'coredns-b'] },
    });
    expect(summaryOf(r)).toMatch(/^TCP failed where UDP answers: 10\.100\.0\.10 \(timed out\)/);
  });

  it('the ClusterIP alone failing TCP while every pod answers both is FAIL on the ClusterIP', () => {
    const r = evaluateTcpFallback([
      { target: CIP, udp: { sent: 21, answered: 21 }, tcp: TIMEOUT },
      { target: POD_A, udp: { sent: 22, answered: 22 }, tcp: answer() },
      { target: POD_B, udp: { sent: 22, answered: 22 }, tcp: answer() },
    ]);
    expect(r).toMatchObject({ status: 'FAIL', evidence: { resources: [CLUSTER_IP] } });
  });
});

describe('DNS-PER-ENDPOINT: a pod fails on its own queries, not on the conntrack race', () => {
  const ok = answer([KUBERNETES_IP], 'NOERROR');
  const ext = answer(['205.251.242.103'], 'NOERROR');
  const input = (probes: EndpointProbe[], rounds: TargetLatency[]) => ({
    endpoints: { ok: true as const, value: probes.map((p) => p.target) },
    probes,
    latency: new Map(rounds.map((r) => [r.target.address, r.stats])),
    pairs: new Map(rounds.map((r) => [r.target.address, r.pairs])),
    kubernetesIp: KUBERNETES_IP,
    timeoutFailShare: 0.05,
  });

  it('one-sided A/AAAA pair losses under the race signature do not fail a pod', () => {
    const rounds = [round(POD_A, 0, ONE_SIDED()), round(POD_B, 0, ONE_SIDED())];
    expect(rounds.every((r) => r.pairs.signature)).toBe(true);
    const r = evaluatePerEndpoint(
      input(
        [
          { target: POD_A, internal: ok, external: ext },
          { target: POD_B, internal: ok, external: ext },
        ],
        rounds,
      ),
    );
    expect(r).toMatchObject({
      status: 'PASS',
      evidence: { allPodsAnswered: true, failedPods: [], pods: [{ raceLosses: 5 }, { raceLosses: 5 }] },
    });
    expect(summaryOf(r)).toBe(
      "coredns-a answered 17 of 22 queries (5 one-sided A/AAAA pair losses, DNS-LATENCY's); coredns-b answered 17 of 22 queries (5 one-sided A/AAAA pair losses, DNS-LATENCY's)",
    );
  });

  it('a pod losing its own single queries still fails, naming what failed', () => {
    const rounds = [round(POD_A), round(POD_B, 10)];
    const r = evaluatePerEndpoint(
      input(
        [
          { target: POD_A, internal: ok, external: ext },
          { target: POD_B, internal: TIMEOUT, external: TIMEOUT },
        ],
        rounds,
      ),
    );
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: {
        allPodsAnswered: false,
        failedPods: [
          { address: POD_B.address, pod: 'coredns-b', failed: ['internal', 'external', 'latency'] },
        ],
        resources: ['coredns-b'],
      },
    });
    expect(summaryOf(r)).toBe(
      'coredns-b (10.0.2.12) answered 0 of 22 queries (internal timed out, external timed out); coredns-a answered 22 of 22 queries',
    );
  });

  it('without the signature one-sided losses are ordinary losses of the pod', () => {
    // singles lose as much as the pairs: independent loss, no race
    const lossy = round(POD_B, 4, [
      { first: 'answered', second: 'unanswered' },
      { first: 'unanswered', second: 'answered' },
      { first: 'answered', second: 'answered' },
      { first: 'answered', second: 'answered' },
      { first: 'answered', second: 'answered' },
    ]);
    expect(lossy.pairs.signature).toBe(false);
    const r = evaluatePerEndpoint(input([{ target: POD_B, internal: ok, external: ext }], [lossy]));
    expect(r).toMatchObject({ status: 'FAIL', evidence: { failedPods: [{ failed: ['latency'] }] } });
  });
});

describe('DNS-LATENCY: which targets time out, which show the race', () => {
  it('names the timing-out targets, leaving out one-sided pair losses the signature accounts for', () => {
    const r = evaluateLatency([round(CIP, 10), round(POD_A, 0, ONE_SIDED()), round(POD_B)], THRESHOLDS, {
      sent: 60,
    });
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: {
        conntrackRaceSignature: true,
        raceTargets: [POD_A.address],
        timeoutTargets: [CLUSTER_IP],
        timeoutsByTarget: {
          [CLUSTER_IP]: { role: 'clusterIP', sent: 20, unanswered: 20, raceLosses: 0, overThreshold: true },
          [POD_A.address]: { role: 'pod', pod: 'coredns-a', sent: 20, unanswered: 0, raceLosses: 5 },
          [POD_B.address]: { role: 'pod', sent: 20, unanswered: 0, overThreshold: false },
        },
      },
    });
    expect(summaryOf(r)).toMatch(
      /^A\/AAAA pair race signature on coredns-a \(10\.0\.1\.11\); 10\.100\.0\.10 20 of 20 unanswered \(internal p50 .* ms, p99 .* ms; 25 timeouts of 60; 5 of 15 A\/AAAA pairs one-sided\)$/,
    );
  });

  it('a PASS summary: percentiles, timeouts and pairs', () => {
    const r = evaluateLatency([round(CIP), round(POD_A)], THRESHOLDS, {});
    expect(r.status).toBe('PASS');
    expect(summaryOf(r)).toMatch(
      /^internal p50 \d+(\.\d+)? ms, p99 \d+(\.\d+)? ms; 0 timeouts of 40; 0 of 10 A\/AAAA pairs one-sided$/,
    );
  });
});

describe('DNS-INTERNAL / DNS-EXTERNAL: whether anything answered through the ClusterIP', () => {
  const clusterIp = { ok: true as const, value: CLUSTER_IP };

  it('noAnswer when every attempt timed out; not when an answer (even SERVFAIL) came back', async () => {
    const silent = await checkInternal(
      ctxWith(() => TIMEOUT),
      clusterIp,
      { ok: true, value: KUBERNETES_IP },
    );
    expect(silent.result).toMatchObject({
      status: 'FAIL',
      evidence: { noAnswer: true, clusterIpFailed: true },
    });
    expect(summaryOf(silent.result)).toBe(
      'kubernetes.default.svc.cluster.local via 10.100.0.10: timed out after 2000 ms (2 attempts)',
    );
    const servfail = await checkExternal(
      ctxWith(() => answer([], 'SERVFAIL')),
      clusterIp,
    );
    expect(servfail).toMatchObject({ status: 'FAIL', evidence: { noAnswer: false } });
    const firstLost = await checkExternal(
      ctxWith((q) => (q.name === 'amazon.com' ? TIMEOUT : answer())),
      clusterIp,
    );
    expect(firstLost).toMatchObject({ status: 'FAIL', evidence: { noAnswer: true } });
    const fine = await checkExternal(
      ctxWith(() => answer(['205.251.242.103'], 'NOERROR', 3)),
      clusterIp,
    );
    expect(summaryOf(fine)).toBe('amazon.com via 10.100.0.10: NOERROR 205.251.242.103 in 3 ms');
  });
});

describe('every probe check result carries a one-line evidence.summary', () => {
  it('on every status the probe checks produce', async () => {
    const conf = (text: string) => ({ ok: true as const, value: parseResolvConf(text) });
    const resolv = {
      path: '/etc/resolv.conf',
      clusterIp: CLUSTER_IP,
      nodeLocalAddresses: [],
      externalName: 'x.com',
    };
    const nodeLocalInput = {
      daemonSet: { ok: true as const, value: true },
      linkLocalNameservers: ['169.254.20.10'],
      clusterIp: CLUSTER_IP,
      acceptableForwarders: [],
      kubernetesIp: KUBERNETES_IP,
      nodeName: 'node-1',
    };
    const okCtx = ctxWith(() => answer([KUBERNETES_IP], 'NOERROR'));
    const results: CheckResult[] = [
      evaluateResolvConf({ ...resolv, conf: conf(`nameserver ${CLUSTER_IP}\noptions ndots:5\n`) }),
      evaluateResolvConf({ ...resolv, conf: conf(`nameserver ${CLUSTER_IP}\noptions timeout:60\n`) }),
      evaluateResolvConf({ ...resolv, conf: conf('nameserver 10.0.0.2\n') }),
      evaluateResolvConf({ ...resolv, conf: { ok: false, error: 'no such file' } }),
      (await checkInternal(okCtx, { ok: true, value: CLUSTER_IP }, { ok: true, value: KUBERNETES_IP }))
        .result,
      (await checkInternal(okCtx, { ok: false, error: 'no kube-dns' }, { ok: true, value: KUBERNETES_IP }))
        .result,
      await checkExternal(okCtx, { ok: false, error: 'no kube-dns' }),
      evaluatePerEndpoint({
        endpoints: { ok: false, error: 'forbidden' },
        probes: [],
        latency: new Map(),
        kubernetesIp: KUBERNETES_IP,
        timeoutFailShare: 0.05,
      }),
      evaluatePerEndpoint({
        endpoints: { ok: true, value: [] },
        probes: [],
        latency: new Map(),
        kubernetesIp: KUBERNETES_IP,
        timeoutFailShare: 0.05,
      }),
      evaluateTcpFallback([], { unavailable: 'no kube-dns ClusterIP' }),
      evaluateTcpFallback([{ target: POD_A, udp: true, tcp: answer() }]),
      evaluateLatency([], THRESHOLDS, {}),
      evaluateLatency(
        [round(CIP, 0, undefined)].map((r) => ({ ...r, stats: { ...r.stats, p99Ms: 900 } })),
        THRESHOLDS,
        {},
      ),
      (await checkNodeLocal(okCtx, nodeLocalInput)).result,
      (
        await checkNodeLocal(
          ctxWith(() => TIMEOUT),
          nodeLocalInput,
        )
      ).result,
      (
        await checkNodeLocal(okCtx, {
          ...nodeLocalInput,
          daemonSet: { ok: true, value: false },
          linkLocalNameservers: [],
        })
      ).result,
      (
        await checkNodeLocal(okCtx, {
          ...nodeLocalInput,
          daemonSet: { ok: false, error: 'forbidden' },
          linkLocalNameservers: [],
        })
      ).result,
      ...kubeChecksUnavailable('no cluster API configured'),
    ];
    expect([...new Set(results.map((r) => r.status))].sort()).toEqual([
      'ERROR',
      'FAIL',
      'PASS',
      'SKIPPED',
      'WARN',
    ]);
    for (const r of results) {
      const summary = (r.evidence as { summary?: unknown }).summary;
      expect(typeof summary, `${r.id} ${r.status}`).toBe('string');
      expect(summary, `${r.id} ${r.status}`).not.toBe('');
      expect(summary as string, `${r.id} ${r.status}: one line`).not.toMatch(/\n/);
    }
  });
});
