import { describe, expect, it } from 'vitest';
import { parseResolvConf } from '../../../../lambdas/core/dns/index.js';
import { evaluateResolvConf, readNodeLocalCorefile } from '../../../../runner-image/src/probe/index.js';
import { evaluateLatency } from '../../../../runner-image/src/probe/checks/latency.js';
import { evaluatePerEndpoint } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import type { EndpointProbe } from '../../../../runner-image/src/probe/checks/per-endpoint.js';
import { latencyStats, pairSignature } from '../../../../lambdas/core/dns/index.js';
import type { DnsOutcome } from '../../../../runner-image/src/dns/index.js';

const conf = (text: string) => ({ ok: true as const, value: parseResolvConf(text) });
const POD_RESOLV =
  'search default.svc.cluster.local svc.cluster.local cluster.local ec2.internal\nnameserver 10.100.0.10\noptions ndots:5\n';
const base = {
  path: '/etc/resolv.conf',
  clusterIp: '10.100.0.10',
  nodeLocalAddresses: ['169.254.20.10'],
  externalName: 'amazon.com',
};

describe('evaluateResolvConf (DNS-RESOLV-CONF)', () => {
  it('passes the Kubernetes default with the amplification as evidence (checks.md: 10 queries)', () => {
    const r = evaluateResolvConf({ ...base, conf: conf(POD_RESOLV) });
    expect(r).toMatchObject({
      status: 'PASS',
      evidence: { ndots: 5, search: expect.any(Array), amplification: { queriesPerLookup: 10 } },
    });
  });

  it('passes a NodeLocal link-local nameserver', () => {
    expect(evaluateResolvConf({ ...base, conf: conf('nameserver 169.254.20.10\n') }).status).toBe('PASS');
  });

  it('fails when the nameserver is neither the ClusterIP nor NodeLocal', () => {
    const r = evaluateResolvConf({ ...base, conf: conf('nameserver 10.0.0.2\n') });
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { problem: expect.stringMatching(/10\.0\.0\.2 is neither/) },
    });
  });

  it('warns on options past glibc caps and on non-cluster fallback nameservers', () => {
    const r = evaluateResolvConf({
      ...base,
      conf: conf('nameserver 10.100.0.10\nnameserver 8.8.8.8\noptions timeout:60\n'),
    });
    expect(r.status).toBe('WARN');
    expect(r.evidence.problems).toEqual([
      expect.stringMatching(/timeout:60/),
      expect.stringMatching(/8\.8\.8\.8/),
    ]);
  });

  it('is ERROR when the file cannot be read or the ClusterIP is unknown', () => {
    expect(evaluateResolvConf({ ...base, conf: { ok: false, error: 'no such file' } })).toMatchObject({
      status: 'ERROR',
      evidence: { reason: 'could not read /etc/resolv.conf: no such file' },
    });
    expect(evaluateResolvConf({ ...base, clusterIp: undefined, conf: conf(POD_RESOLV) }).status).toBe(
      'ERROR',
    );
  });
});

const answer = (ms: number): DnsOutcome => ({
  outcome: 'answer',
  rcode: 'NXDOMAIN',
  answers: [],
  truncated: false,
  latencyMs: ms,
});
const timeout: DnsOutcome = { outcome: 'timeout', latencyMs: 2000 };

describe('evaluateLatency (DNS-LATENCY)', () => {
  const thresholds = { internalP99WarnMs: 500, externalP99WarnMs: 500, timeoutFailShare: 0.05 };
  const round = (samples: DnsOutcome[], pairs = pairSignature([], null)) => ({
    target: { address: '10.100.0.10', role: 'clusterIP' as const },
    stats: latencyStats(samples),
    pairs,
  });

  it('passes fast answers, warns on a slow p99, fails on timeouts', () => {
    expect(evaluateLatency([round(Array.from({ length: 20 }, () => answer(2)))], thresholds, {}).status).toBe(
      'PASS',
    );
    const slow = evaluateLatency(
      [round([...Array.from({ length: 19 }, () => answer(2)), answer(900)])],
      thresholds,
      {},
    );
    expect(slow).toMatchObject({ status: 'WARN', evidence: { conntrackRaceSignature: false } });
    const lossy = evaluateLatency(
      [round([...Array.from({ length: 18 }, () => answer(2)), timeout, timeout])],
      thresholds,
      {},
    );
    expect(lossy).toMatchObject({
      status: 'FAIL',
      evidence: { conntrackRaceSignature: false, resources: ['10.100.0.10'] },
    });
  });

  it('fails with conntrackRaceSignature when pairs lose exactly one query', () => {
    const pairs = pairSignature(
      Array.from({ length: 5 }, () => ({ first: 'unanswered' as const, second: 'answered' as const })),
      { sent: 10, unanswered: 0 },
    );
    const r = evaluateLatency([round([...Array.from({ length: 15 }, () => answer(1))], pairs)], thresholds, {
      sent: 20,
    });
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { conntrackRaceSignature: true, probeBudget: { sent: 20 } },
    });
  });
});

describe('evaluatePerEndpoint (DNS-PER-ENDPOINT)', () => {
  const ok: DnsOutcome = {
    outcome: 'answer',
    rcode: 'NOERROR',
    answers: ['10.100.0.1'],
    truncated: false,
    latencyMs: 1,
  };
  const servfail: DnsOutcome = {
    outcome: 'answer',
    rcode: 'SERVFAIL',
    answers: [],
    truncated: false,
    latencyMs: 1,
  };
  const probe = (pod: string, internal: DnsOutcome, external: DnsOutcome): EndpointProbe => ({
    target: { address: `10.0.0.${pod.length}${pod.at(-1) === 'a' ? 1 : 2}`, role: 'pod', pod },
    internal,
    external,
  });
  const input = (probes: EndpointProbe[]) => ({
    endpoints: { ok: true as const, value: probes.map((p) => p.target) },
    probes,
    latency: new Map(),
    kubernetesIp: '10.100.0.1',
    timeoutFailShare: 0.05,
  });

  it('names the failing pod', () => {
    const r = evaluatePerEndpoint(input([probe('coredns-a', ok, ok), probe('coredns-b', timeout, ok)]));
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { allPodsAnswered: false, resources: ['coredns-b'] },
    });
  });

  it("PASSes with a note when the external name fails through every pod: the upstream's, no pod named (checks.md § B)", () => {
    const r = evaluatePerEndpoint(
      input([probe('coredns-a', ok, servfail), probe('coredns-b', ok, servfail)]),
    );
    expect(r).toMatchObject({
      status: 'PASS',
      evidence: {
        allPodsAnswered: true,
        externalFailedThroughEveryPod: true,
        failedPods: [],
        notes: [expect.stringMatching(/upstream's failure, not a pod's/)],
      },
    });
    expect(r.evidence.resources).toBeUndefined();
  });

  it('an external name failing through every pod names only the pods that fail something else', () => {
    const r = evaluatePerEndpoint(
      input([probe('coredns-a', ok, servfail), probe('coredns-b', timeout, servfail)]),
    );
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: {
        externalFailedThroughEveryPod: true,
        resources: ['coredns-b'],
        failedPods: [{ pod: 'coredns-b', failed: ['internal'] }],
      },
    });
  });

  it("an external name failing through one pod while another answers it is that pod's failure", () => {
    const r = evaluatePerEndpoint(input([probe('coredns-a', ok, ok), probe('coredns-b', ok, servfail)]));
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { resources: ['coredns-b'], failedPods: [{ pod: 'coredns-b', failed: ['external'] }] },
    });
  });

  it('FAILs when every pod fails, naming every pod, and then no pod counts as answering', () => {
    const r = evaluatePerEndpoint(
      input([probe('coredns-a', timeout, timeout), probe('coredns-b', timeout, timeout)]),
    );
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: { allPodsAnswered: false, resources: ['coredns-a', 'coredns-b'] },
    });
  });

  it('is SKIPPED without endpoints and ERROR when they could not be read', () => {
    expect(evaluatePerEndpoint(input([])).status).toBe('SKIPPED');
    expect(evaluatePerEndpoint({ ...input([]), endpoints: { ok: false, error: 'forbidden' } })).toMatchObject(
      { status: 'ERROR', evidence: { reason: 'forbidden' } },
    );
  });
});

describe('readNodeLocalCorefile', () => {
  const NODELOCAL = `cluster.local:53 {
    errors
    cache { success 9984 30 }
    reload
    loop
    bind 169.254.20.10 __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ { force_tcp }
}
in-addr.arpa:53 {
    bind 169.254.20.10 __PILLAR__DNS__SERVER__
    forward . 10.0.0.2
}
.:53 {
    bind 169.254.20.10 __PILLAR__DNS__SERVER__
    forward . __PILLAR__UPSTREAM__SERVERS__
}`;

  it('reads interception of the ClusterIP and cluster zones forwarding elsewhere', () => {
    const view = readNodeLocalCorefile(NODELOCAL, {
      clusterDomain: 'cluster.local',
      clusterIp: '10.100.0.10',
      acceptable: ['10.100.0.10'],
    });
    expect(view.interceptsClusterIP).toBe(true);
    expect(view.strayZones).toEqual([{ zone: 'in-addr.arpa.', forwarders: ['10.0.0.2'] }]);
  });

  it('does not count the root zone forwarding to the node resolv.conf as stray, nor a bind-less file as intercepting', () => {
    const view = readNodeLocalCorefile(
      'cluster.local:53 {\n forward . 10.100.0.10\n}\n.:53 {\n forward . /etc/resolv.conf\n}',
      { clusterDomain: 'cluster.local', clusterIp: '10.100.0.10', acceptable: ['10.100.0.10'] },
    );
    expect(view.strayZones).toEqual([]);
    expect(view.interceptsClusterIP).toBeUndefined();
  });
});
