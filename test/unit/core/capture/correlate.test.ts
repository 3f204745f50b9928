import { describe, expect, it } from 'vitest';
import { correlateCapture } from '../../../../lambdas/core/capture/index.js';
import { CAPTURE_HOPS } from '../../../../lambdas/core/diagnosis/evidence-conventions.js';
import { diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import { RUNNER_RESULT_FORMAT } from '../../../../lambdas/core/schema/index.js';
import type { CapturedPacket, ProbeQuery, RunnerResult } from '../../../../lambdas/core/schema/index.js';

const CLUSTER_IP = '198.19.0.10';
const POD_A = '198.18.2.11';
const POD_B = '198.18.2.12';
const CLIENT = '198.18.1.5';

type Fate = 'answered' | 'lost-on-path' | 'unanswered-at-node' | 'answer-lost' | 'never-sent';

interface Spec {
  readonly server: string;
  readonly fate: Fate;
  /** the pod a ClusterIP query was DNATed to */
  readonly via?: string;
  readonly transport?: 'udp' | 'tcp';
  /** the zone of the probe name @default 'cluster.local' */
  readonly zone?: string;
}

/** Builds a probe result and one node result (node-2, hosting both pods) from query fates. */
function scenario(specs: readonly Spec[], withNode = true): { probe: RunnerResult; nodes: RunnerResult[] } {
  const queries: ProbeQuery[] = [];
  const client: CapturedPacket[] = [];
  const node: CapturedPacket[] = [];
  specs.forEach((s, i) => {
    const name = `q${i}.fleet-dns-probe.${s.zone ?? 'cluster.local'}`;
    const dnsId = 1000 + i;
    const transport = s.transport ?? 'udp';
    const answered = s.fate === 'answered';
    queries.push({
      name,
      type: 'A',
      server: s.server,
      transport,
      sentAtMs: i,
      dnsId,
      srcPort: 40000 + i,
      ...(answered ? { latencyMs: 1, rcode: 'NXDOMAIN' } : { error: 'timeout' }),
    });
    const pod = s.via ?? s.server;
    const q = {
      name,
      type: 'A',
      dnsId,
      transport,
      qr: 'query' as const,
      tsMs: i,
      srcPort: 40000 + i,
      dstPort: 53,
    };
    const r = { ...q, qr: 'response' as const, rcode: 'NXDOMAIN', srcPort: 53, dstPort: 40000 + i };
    if (s.fate !== 'never-sent') client.push({ ...q, src: CLIENT, dst: s.server });
    if (answered) client.push({ ...r, src: s.server, dst: CLIENT });
    if (s.fate === 'answered' || s.fate === 'unanswered-at-node' || s.fate === 'answer-lost')
      node.push({ ...q, src: CLIENT, dst: pod });
    if (s.fate === 'answered' || s.fate === 'answer-lost') node.push({ ...r, src: pod, dst: CLIENT });
  });
  const base = {
    format: RUNNER_RESULT_FORMAT as typeof RUNNER_RESULT_FORMAT,
    scanId: 's',
    clusterId: 'c',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    checks: [],
  };
  const probe: RunnerResult = {
    ...base,
    role: 'probe',
    nodeName: 'node-1',
    observations: {
      queries,
      capture: { where: 'probe pod', packets: client },
      discovery: {
        clusterIp: CLUSTER_IP,
        endpoints: [
          { ip: POD_A, pod: 'coredns-a', nodeName: 'node-2' },
          { ip: POD_B, pod: 'coredns-b', nodeName: 'node-2' },
        ],
      },
    },
  };
  const nodes: RunnerResult[] = withNode
    ? [
        {
          ...base,
          role: 'node',
          nodeName: 'node-2',
          observations: { capture: { where: 'node-2 uplink', packets: node } },
        },
      ]
    : [];
  return { probe, nodes };
}

describe('correlateCapture', () => {
  it('passes when every probe query was answered, with the per-hop counts as evidence', () => {
    const { probe, nodes } = scenario([
      { server: CLUSTER_IP, via: POD_A, fate: 'answered' },
      { server: POD_B, fate: 'answered' },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r).toMatchObject({
      id: 'DNS-CAPTURE',
      status: 'PASS',
      evidence: { followed: 2, lostAt: {}, nodesCaptured: ['node-2'], provisional: false },
    });
  });

  it.each<[string, Fate, string]>([
    [
      'left the client and never reached the CoreDNS node',
      'lost-on-path',
      CAPTURE_HOPS.neverReachedCorednsNode,
    ],
    ['reached the CoreDNS node and got no answer', 'unanswered-at-node', CAPTURE_HOPS.reachedCorednsNoAnswer],
    ['was answered but the answer never came back', 'answer-lost', CAPTURE_HOPS.answerNeverCameBack],
  ])('fails at the right hop when a query %s', (_what, fate, hop) => {
    const { probe, nodes } = scenario([
      { server: POD_A, fate: 'answered' },
      { server: POD_B, fate },
      { server: POD_B, fate },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r.status).toBe('FAIL');
    expect(r.evidence.lostAt).toEqual({ [hop]: 2 });
    expect((r.evidence.examples as Record<string, unknown[]>)[hop]).toHaveLength(2);
  });

  it('names the pod at fault when queries reach its node unanswered, so the diagnosis confirms coredns-pod', () => {
    const { probe, nodes } = scenario([
      { server: POD_A, fate: 'answered' },
      { server: POD_B, fate: 'unanswered-at-node' },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r.evidence.resources).toEqual(['coredns-b']);
    expect(diagnose([r])).toMatchObject([
      { cause: 'coredns-pod', confidence: 'confirmed', resources: ['coredns-b'] },
    ]);
  });

  it("a lost external query that reached the CoreDNS node is the upstream's hop when that name fails through every pod", () => {
    const { probe, nodes } = scenario([
      { server: POD_A, fate: 'answered' },
      { server: POD_B, fate: 'answered' },
      { server: POD_A, fate: 'unanswered-at-node', zone: 'amazon.com' },
      { server: POD_B, fate: 'unanswered-at-node', zone: 'amazon.com' },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r).toMatchObject({
      status: 'FAIL',
      evidence: {
        lostAt: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 2 },
        upstreamLosses: { [CAPTURE_HOPS.reachedCorednsNoAnswer]: 2 },
        clientNode: 'node-1',
      },
    });
    // no pod is at fault
    expect(r.evidence.resources).toBeUndefined();
    expect(r.evidence.notes).toEqual(expect.arrayContaining([expect.stringMatching(/the upstream's hop/)]));
  });

  it('the same loss is the pod when another pod answers that external name', () => {
    const { probe, nodes } = scenario([
      { server: POD_A, fate: 'answered', zone: 'amazon.com' },
      { server: POD_B, fate: 'unanswered-at-node', zone: 'amazon.com' },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r.evidence).toMatchObject({ upstreamLosses: {}, resources: ['coredns-b'] });
  });

  it('attributes a lost ClusterIP query only when every CoreDNS node was captured', () => {
    const { probe, nodes } = scenario([{ server: CLUSTER_IP, fate: 'lost-on-path' }]);
    expect(correlateCapture(probe, nodes).evidence.lostAt).toEqual({
      [CAPTURE_HOPS.neverReachedCorednsNode]: 1,
    });
    const discovery = probe.observations.discovery as { endpoints: { nodeName: string }[] };
    discovery.endpoints[1]!.nodeName = 'node-3'; // a CoreDNS node without a node agent
    const r = correlateCapture(probe, nodes);
    expect(r).toMatchObject({
      status: 'ERROR',
      evidence: { reason: expect.stringMatching(/paths the node captures do not cover/) },
    });
  });

  it('is ERROR (never a guessed FAIL) in the probe alone when queries went unanswered', () => {
    const { probe } = scenario([{ server: POD_B, fate: 'lost-on-path' }], false);
    const r = correlateCapture(probe, []);
    expect(r).toMatchObject({
      status: 'ERROR',
      evidence: { provisional: true, counts: { 'hop-unknown': 1 } },
    });
    expect(r.evidence.reason).toMatch(/no CoreDNS-node capture is available/);
  });

  it('follows only unique-name UDP queries, and notes queries not seen leaving the client', () => {
    const { probe, nodes } = scenario([
      { server: POD_A, fate: 'answered' },
      { server: POD_A, fate: 'answered', transport: 'tcp' },
      { server: POD_A, fate: 'never-sent' },
    ]);
    const r = correlateCapture(probe, nodes);
    expect(r.evidence.followed).toBe(2);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not seen leaving the probe pod/),
        expect.stringMatching(/1 query not followed/),
      ]),
    );
  });

  it('is SKIPPED when the capture was disabled and ERROR when it failed', () => {
    const { probe } = scenario([{ server: POD_A, fate: 'answered' }]);
    const disabled = {
      ...probe,
      observations: {
        ...probe.observations,
        capture: {
          where: 'probe pod',
          packets: [],
          disabled: true,
          error: 'capture disabled (--capture-interface none)',
        },
      },
    };
    expect(correlateCapture(disabled, [])).toMatchObject({
      status: 'SKIPPED',
      evidence: { reason: 'capture disabled (--capture-interface none)' },
    });
    const failed = {
      ...probe,
      observations: {
        ...probe.observations,
        capture: {
          where: 'probe pod',
          packets: [],
          error: 'tcpdump not found (install the tcpdump package)',
        },
      },
    };
    expect(correlateCapture(failed, [])).toMatchObject({
      status: 'ERROR',
      evidence: { reason: expect.stringMatching(/tcpdump not found/) },
    });
  });
});
