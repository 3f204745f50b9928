/**
 * The probe's DNS checks against a scripted DNS client: what each one concludes from the answers
 * it gets (checks.md § B). The real client, budget and servers are in test/integration/runner.
 */
import { describe, expect, it } from 'vitest';
import { parseResolvConf } from '../../../../lambdas/core/dns/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { DnsClient } from '../../../../runner-image/src/dns/index.js';
import type { DnsOutcome, DnsQuery } from '../../../../runner-image/src/dns/index.js';
import { DEFAULT_PROBE_SETTINGS, evaluateResolvConf } from '../../../../runner-image/src/probe/index.js';
import type { ProbeContext } from '../../../../runner-image/src/probe/context.js';
import {
  checkExternal,
  checkInternal,
  internalAnswerOk,
} from '../../../../runner-image/src/probe/checks/resolution.js';
import {
  checkNodeLocal,
  nodeLocalProbeAddress,
} from '../../../../runner-image/src/probe/checks/nodelocal.js';

const KUBERNETES_IP = '10.100.0.1';
const CLUSTER_IP = '10.100.0.10';

const answer = (answers: string[], rcode = 'NOERROR'): DnsOutcome => ({
  outcome: 'answer',
  rcode,
  answers,
  truncated: false,
  latencyMs: 1,
});

/** A DNS client that answers from `script` and records what was asked. */
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

describe('DNS-INTERNAL: the answer must equal the kubernetes Service ClusterIP', () => {
  it('accepts exactly the expected address (a CNAME on the way is not the answer)', () => {
    expect(internalAnswerOk(answer([KUBERNETES_IP]), KUBERNETES_IP)).toBe(true);
    expect(
      internalAnswerOk(answer(['kubernetes.default.svc.cluster.local', KUBERNETES_IP]), KUBERNETES_IP),
    ).toBe(true);
  });

  it('rejects a foreign address beside the right one, a wrong one, and an empty NOERROR', () => {
    expect(internalAnswerOk(answer([KUBERNETES_IP, '10.0.9.9']), KUBERNETES_IP)).toBe(false);
    expect(internalAnswerOk(answer(['10.0.9.9']), KUBERNETES_IP)).toBe(false);
    expect(internalAnswerOk(answer([]), KUBERNETES_IP)).toBe(false);
  });

  it('FAILs with clusterIpFailed when the ClusterIP answers a stale address too', async () => {
    const ctx = ctxWith(() => answer([KUBERNETES_IP, '10.100.7.7']));
    const { result } = await checkInternal(
      ctx,
      { ok: true, value: CLUSTER_IP },
      { ok: true, value: KUBERNETES_IP },
    );
    expect(result).toMatchObject({
      status: 'FAIL',
      evidence: { clusterIpFailed: true, expected: KUBERNETES_IP },
    });
    expect(ctx.asked.every((q) => q.transport === 'udp' && q.server === CLUSTER_IP)).toBe(true);
  });
});

describe('DNS-EXTERNAL: FAIL on SERVFAIL/timeout only', () => {
  it('PASSes an NXDOMAIN answer (the upstream answered) with a note about the name', async () => {
    const r = await checkExternal(
      ctxWith(() => answer([], 'NXDOMAIN')),
      { ok: true, value: CLUSTER_IP },
    );
    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({
      status: 'PASS',
      evidence: { rcode: 'NXDOMAIN', latencyMs: 1, notes: [expect.stringMatching(/does not exist/)] },
    });
  });

  it('FAILs on SERVFAIL and on timeout, with the rcode and time as evidence', async () => {
    const servfail = await checkExternal(
      ctxWith(() => answer([], 'SERVFAIL')),
      { ok: true, value: CLUSTER_IP },
    );
    expect(servfail).toMatchObject({ status: 'FAIL', evidence: { rcode: 'SERVFAIL', latencyMs: 1 } });
    const timeout = await checkExternal(
      ctxWith(() => ({ outcome: 'timeout', latencyMs: 2000 })),
      { ok: true, value: CLUSTER_IP },
    );
    expect(timeout).toMatchObject({ status: 'FAIL', evidence: { outcome: 'timeout', afterMs: 2000 } });
  });
});

describe('DNS-RESOLV-CONF: the VPC resolver is not a NodeLocal address', () => {
  const base = {
    path: '/etc/resolv.conf',
    clusterIp: CLUSTER_IP,
    nodeLocalAddresses: ['169.254.20.10'],
    externalName: 'amazon.com',
  };

  it('FAILs a pod whose nameserver is 169.254.169.253 (link-local, but the VPC resolver)', () => {
    const r = evaluateResolvConf({
      ...base,
      conf: { ok: true, value: parseResolvConf('nameserver 169.254.169.253\n') },
    });
    expect(r).toMatchObject({ status: 'FAIL', evidence: { problem: expect.stringMatching(/VPC resolver/) } });
  });

  it('PASSes the other NodeLocal default, 169.254.25.10', () => {
    const r = evaluateResolvConf({
      ...base,
      conf: { ok: true, value: parseResolvConf('nameserver 169.254.25.10\noptions ndots:5\n') },
    });
    expect(r.status).toBe('PASS');
  });

  it('WARNs exactly past the caps: timeout 30, attempts 5, 32 search domains, 2048 characters', () => {
    const at = (text: string) =>
      evaluateResolvConf({ ...base, conf: { ok: true, value: parseResolvConf(text) } });
    const ns = `nameserver ${CLUSTER_IP}\n`;
    expect(at(`${ns}options timeout:30 attempts:5\n`).status).toBe('PASS');
    expect(at(`${ns}options timeout:31\n`).status).toBe('WARN');
    expect(at(`${ns}options attempts:6\n`).status).toBe('WARN');
    const domains = (n: number, len = 3) => Array.from({ length: n }, (_, i) => `d${i}`.padEnd(len, 'x'));
    expect(at(`${ns}search ${domains(32).join(' ')}\n`).status).toBe('PASS');
    expect(at(`${ns}search ${domains(33).join(' ')}\n`).status).toBe('WARN');
    // 8 domains of 255 characters + 7 spaces = 2047; one more character is past 2048
    expect(at(`${ns}search ${domains(8, 255).join(' ')}\n`).status).toBe('PASS');
    expect(at(`${ns}search ${[...domains(7, 255), 'y'.repeat(257)].join(' ')}\n`).status).toBe('WARN');
  });

  it('PASS evidence carries the amplification: ndots:5 with 4 search domains → 10 queries', () => {
    const r = evaluateResolvConf({
      ...base,
      conf: {
        ok: true,
        value: parseResolvConf(
          `search default.svc.cluster.local svc.cluster.local cluster.local ec2.internal\nnameserver ${CLUSTER_IP}\noptions ndots:5\n`,
        ),
      },
    });
    expect(r).toMatchObject({
      status: 'PASS',
      evidence: { ndots: 5, amplification: { queriesPerLookup: 10, names: expect.any(Array) } },
    });
    expect((r.evidence.amplification as { names: string[] }).names).toHaveLength(5);
  });
});

describe('K8S-NODELOCAL-DNS', () => {
  const iptablesModeCorefile = `cluster.local:53 {
    cache 30
    bind 169.254.25.10 ${CLUSTER_IP}
    forward . __PILLAR__CLUSTER__DNS__ { force_tcp }
}
.:53 {
    bind 169.254.25.10 ${CLUSTER_IP}
    forward . __PILLAR__UPSTREAM__SERVERS__
}`;
  const input = {
    daemonSet: { ok: true as const, value: true },
    corefile: iptablesModeCorefile,
    linkLocalNameservers: [] as string[],
    clusterIp: CLUSTER_IP,
    acceptableForwarders: [],
    kubernetesIp: KUBERNETES_IP,
    nodeName: 'node-1',
  };

  it('probes the link-local address its Corefile binds when resolv.conf keeps the ClusterIP (iptables mode)', async () => {
    expect(nodeLocalProbeAddress(input, '169.254.20.10')).toBe('169.254.25.10');
    expect(nodeLocalProbeAddress({ linkLocalNameservers: ['169.254.20.10'] }, '169.254.99.99')).toBe(
      '169.254.20.10',
    );
    const ctx = ctxWith((q) =>
      q.server === '169.254.25.10' ? answer([KUBERNETES_IP]) : { outcome: 'timeout', latencyMs: 2000 },
    );
    const r = await checkNodeLocal(ctx, input);
    expect(r.result).toMatchObject({
      status: 'PASS',
      evidence: { address: '169.254.25.10', interceptsClusterIP: true, nodeName: 'node-1' },
    });
    expect(r.interceptsClusterIP).toBe(true);
  });

  it('records interceptsClusterIP as null when its Corefile cannot tell', async () => {
    const ctx = ctxWith(() => answer([KUBERNETES_IP]));
    const r = await checkNodeLocal(ctx, {
      ...input,
      corefile: undefined,
      corefileError: 'node-local-dns ConfigMap: forbidden (403)',
      linkLocalNameservers: ['169.254.20.10'],
    } as unknown as Parameters<typeof checkNodeLocal>[1]);
    expect(r.result.status).toBe('PASS');
    expect(r.result.evidence).toHaveProperty('interceptsClusterIP', null);
  });

  it('is SKIPPED when the only link-local nameserver is the VPC resolver and there is no DaemonSet', async () => {
    const ctx = ctxWith(() => answer([KUBERNETES_IP]));
    const r = await checkNodeLocal(ctx, {
      ...input,
      daemonSet: { ok: true, value: false },
      linkLocalNameservers: ['169.254.169.253'],
    });
    expect(r.result).toMatchObject({
      status: 'SKIPPED',
      evidence: { reason: expect.stringMatching(/not installed/) },
    });
    expect(ctx.asked).toEqual([]);
  });

  it('WARNs when a cluster zone forwards elsewhere than kube-dns / kube-dns-upstream / CoreDNS, not for `.` to resolv.conf', async () => {
    const ctx = ctxWith(() => answer([KUBERNETES_IP]));
    const stray = await checkNodeLocal(ctx, {
      ...input,
      corefile: `cluster.local:53 {\n bind 169.254.20.10\n forward . 10.0.0.2\n}\n.:53 {\n bind 169.254.20.10\n forward . /etc/resolv.conf\n}`,
      acceptableForwarders: ['10.100.0.11'],
    });
    expect(stray.result).toMatchObject({
      status: 'WARN',
      evidence: {
        strayZones: [{ zone: 'cluster.local.', forwarders: ['10.0.0.2'] }],
        interceptsClusterIP: false,
      },
    });
    const fine = await checkNodeLocal(ctx, {
      ...input,
      corefile: `cluster.local:53 {\n bind 169.254.20.10\n forward . 10.100.0.11\n}\n.:53 {\n bind 169.254.20.10\n forward . /etc/resolv.conf\n}`,
      acceptableForwarders: ['10.100.0.11'],
    });
    expect(fine.result.status).toBe('PASS');
  });

  it('FAILs when present but not answering on the probe pod node', async () => {
    const r = await checkNodeLocal(
      ctxWith(() => ({ outcome: 'timeout', latencyMs: 2000 })),
      input,
    );
    expect(r.result).toMatchObject({
      status: 'FAIL',
      evidence: { resources: ['169.254.25.10 on node-1'], interceptsClusterIP: true },
    });
  });
});
