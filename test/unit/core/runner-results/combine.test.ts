import { describe, expect, it } from 'vitest';
import {
  NODE_CHECK_IDS,
  PROBE_CHECK_IDS,
  combineRunnerResults,
} from '../../../../lambdas/core/runner-results/index.js';
import { assessRunnerResults } from '../../../../lambdas/core/results/index.js';
import { KUBE_CHECK_IDS } from '../../../../runner-image/src/probe/index.js';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { RUNNER_RESULT_FORMAT, checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult, RunnerResult } from '../../../../lambdas/core/schema/index.js';

const base = {
  format: RUNNER_RESULT_FORMAT as typeof RUNNER_RESULT_FORMAT,
  scanId: 's',
  clusterId: 'c',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:01Z',
};

const probe: RunnerResult = {
  ...base,
  role: 'probe',
  checks: [
    makeResult('DNS-INTERNAL', { status: 'PASS', evidence: {} }),
    makeResult('DNS-CAPTURE', { status: 'ERROR', evidence: { reason: 'provisional' } }),
  ],
  observations: {
    queries: [
      {
        name: 'a.fleet-dns-probe.cluster.local',
        type: 'A',
        server: '198.18.2.11',
        transport: 'udp',
        sentAtMs: 1,
        dnsId: 7,
        latencyMs: 1,
      },
    ],
    capture: { where: 'probe', packets: [] },
    discovery: { endpoints: [{ ip: '198.18.2.11', pod: 'coredns-a', nodeName: 'node-2' }] },
  },
};

const node = (name: string, checks: CheckResult[]): RunnerResult => ({
  ...base,
  role: 'node',
  nodeName: name,
  checks,
  observations: { capture: { where: name, packets: [] } },
});

describe('combineRunnerResults', () => {
  it('replaces the provisional DNS-CAPTURE with the correlation and keeps the other probe checks', () => {
    const out = combineRunnerResults(probe, [node('node-2', [])]);
    expect(out.map((c) => [c.id, c.status])).toEqual([
      ['DNS-INTERNAL', 'PASS'],
      ['DNS-CAPTURE', 'PASS'],
    ]);
    expect(out.find((c) => c.id === 'DNS-CAPTURE')?.evidence.provisional).toBe(false);
  });

  it('merges node checks across nodes: the worst status wins, evidence per node, resources name the nodes', () => {
    const out = combineRunnerResults(probe, [
      node('node-2', [makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } })]),
      node('node-3', [makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'FAIL', evidence: { delta: 12 } })]),
      node('node-4', [
        makeResult('NODE-LINKLOCAL-ALLOWANCE', {
          status: 'SKIPPED',
          evidence: { reason: 'not an ENA interface' },
        }),
      ]),
    ]);
    const merged = out.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE');
    expect(merged).toMatchObject({
      status: 'FAIL',
      severity: 'high',
      evidence: {
        resources: ['node-3'],
        nodes: {
          'node-2': { status: 'PASS' },
          'node-3': { status: 'FAIL', evidence: { delta: 12 } },
          'node-4': { status: 'SKIPPED' },
        },
      },
    });
  });

  it('is SKIPPED only when every node skipped, with the reason and the nodes', () => {
    const out = combineRunnerResults(probe, [
      node('node-2', [
        makeResult('NODE-CONNTRACK-ALLOWANCE', {
          status: 'SKIPPED',
          evidence: { reason: 'counters absent' },
        }),
      ]),
      node('node-3', [
        makeResult('NODE-CONNTRACK-ALLOWANCE', {
          status: 'SKIPPED',
          evidence: { reason: 'counters absent' },
        }),
      ]),
    ]);
    expect(out.find((c) => c.id === 'NODE-CONNTRACK-ALLOWANCE')).toMatchObject({
      status: 'SKIPPED',
      evidence: { reason: 'node-2, node-3: counters absent' },
    });
  });

  it('is ERROR, never a silent gap, for a CoreDNS node whose agent reported nothing', () => {
    const twoNodes: RunnerResult = {
      ...probe,
      observations: {
        ...probe.observations,
        discovery: {
          endpoints: [
            { ip: '198.18.2.11', pod: 'coredns-a', nodeName: 'node-2' },
            { ip: '198.18.3.11', pod: 'coredns-b', nodeName: 'node-3' },
          ],
        },
      },
    };
    const out = combineRunnerResults(twoNodes, [
      node('node-2', [
        makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } }),
        makeResult('NODE-CONNTRACK-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } }),
      ]),
    ]);
    for (const id of ['NODE-LINKLOCAL-ALLOWANCE', 'NODE-CONNTRACK-ALLOWANCE']) {
      const merged = out.find((c) => c.id === id);
      expect(checkResultSchema.safeParse(merged).success).toBe(true);
      expect(merged).toMatchObject({
        status: 'ERROR',
        evidence: {
          reason: expect.stringMatching(/^node-3: no node-agent result from node-3/),
          nodes: { 'node-2': { status: 'PASS' }, 'node-3': { status: 'ERROR' } },
        },
      });
    }
  });

  it('without any node-agent result: ERROR when CoreDNS pods exist, SKIPPED when there are none', () => {
    const missing = combineRunnerResults(probe, []);
    expect(
      missing
        .filter((c) => c.id.startsWith('NODE-'))
        .map((c) => [c.id, c.status])
        .sort(),
    ).toEqual([
      ['NODE-CONNTRACK-ALLOWANCE', 'ERROR'],
      ['NODE-LINKLOCAL-ALLOWANCE', 'ERROR'],
    ]);
    for (const c of missing) expect(checkResultSchema.safeParse(c).success).toBe(true);

    const noCoredns: RunnerResult = {
      ...probe,
      observations: { ...probe.observations, discovery: { endpoints: [] } },
    };
    const skipped = combineRunnerResults(noCoredns, []).filter((c) => c.id.startsWith('NODE-'));
    expect(skipped).toHaveLength(2);
    for (const c of skipped)
      expect(c).toMatchObject({
        status: 'SKIPPED',
        evidence: { reason: expect.stringMatching(/no CoreDNS pods/) },
      });
  });
});

describe('combineRunnerResults with runner failures (checks.md, "Runner failures")', () => {
  const twoNodeProbe: RunnerResult = {
    ...probe,
    observations: {
      ...probe.observations,
      discovery: {
        endpoints: [
          { ip: '198.18.2.11', pod: 'coredns-a', nodeName: 'node-2' },
          { ip: '198.18.3.11', pod: 'coredns-b', nodeName: 'node-3' },
        ],
      },
    },
  };
  const node2 = node('node-2', [
    makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } }),
    makeResult('NODE-CONNTRACK-ALLOWANCE', { status: 'FAIL', evidence: { delta: 3 } }),
  ]);

  it('the probe set is section B in-cluster plus K8S-NETWORKPOLICY-DNS and K8S-COREDNS-RESOURCES, covering what the probe image runs', () => {
    expect(PROBE_CHECK_IDS).toEqual(
      expect.arrayContaining([...KUBE_CHECK_IDS, 'DNS-CAPTURE', 'DNS-INTERNAL']),
    );
    for (const id of ['K8S-NETWORKPOLICY-DNS', 'K8S-COREDNS-RESOURCES'])
      expect(PROBE_CHECK_IDS).toContain(id);
    for (const id of PROBE_CHECK_IDS) expect(id.startsWith('NODE-') || id.startsWith('NET-')).toBe(false);
    expect([...NODE_CHECK_IDS].sort()).toEqual(['NODE-CONNTRACK-ALLOWANCE', 'NODE-LINKLOCAL-ALLOWANCE']);
  });

  it.each([
    ['probe pod Pending: ImagePullBackOff for registry.example/fleet-dns-runner:1'],
    ['result frame signature does not match (wrong key or altered document)'],
    ['deadline exceeded after 120 s'],
  ])(
    'no usable probe result (%s): every probe check ERROR with the reason; the node agents still count',
    (reason) => {
      const out = combineRunnerResults(undefined, [node2], { probe: reason });
      for (const c of out) expect(checkResultSchema.safeParse(c).success).toBe(true);
      const probeChecks = out.filter((c) => (PROBE_CHECK_IDS as readonly string[]).includes(c.id));
      expect(probeChecks.map((c) => c.id).sort()).toEqual([...PROBE_CHECK_IDS].sort());
      for (const c of probeChecks)
        expect(c).toMatchObject({
          status: 'ERROR',
          evidence: { reason, summary: `no usable probe result: ${reason}` },
        });
      expect(out.find((c) => c.id === 'NODE-CONNTRACK-ALLOWANCE')?.status).toBe('FAIL');
      expect(out.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.status).toBe('PASS');
      expect(out).toHaveLength(PROBE_CHECK_IDS.length + 2);
    },
  );

  it('nothing usable at all: every probe and node check ERROR, no crash, diagnosis never healthy', () => {
    const { checks, diagnosis } = assessRunnerResults(undefined, [], {
      probe: 'no result frames in the pod log',
      nodes: [{ node: 'node-2', reason: 'log larger than 1000 bytes' }],
    });
    expect(new Set(checks.map((c) => c.status))).toEqual(new Set(['ERROR']));
    expect(checks.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.evidence.reason).toBe(
      'node-2: log larger than 1000 bytes',
    );
    expect(diagnosis.map((d) => d.cause)).not.toContain('healthy');
    // and with no reason given at all
    expect(combineRunnerResults(undefined, []).every((c) => c.status === 'ERROR')).toBe(true);
  });

  it("one node agent unusable: that node's NODE-* ERROR with the reason, the other node's counted, DNS-CAPTURE notes the node", () => {
    const reason = 'result incomplete: frame 3 of 4 missing';
    const out = combineRunnerResults(twoNodeProbe, [node2], { nodes: [{ node: 'node-3', reason }] });
    for (const c of out) expect(checkResultSchema.safeParse(c).success).toBe(true);
    expect(out.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')).toMatchObject({
      status: 'ERROR',
      evidence: {
        reason: `node-3: ${reason}`,
        nodes: {
          'node-2': { status: 'PASS' },
          'node-3': {
            status: 'ERROR',
            evidence: {
              node: 'node-3',
              reason,
              summary: `no usable node-agent result from node-3: ${reason}`,
            },
          },
        },
      },
    });
    // a FAIL elsewhere still wins over the missing node's ERROR
    expect(out.find((c) => c.id === 'NODE-CONNTRACK-ALLOWANCE')).toMatchObject({
      status: 'FAIL',
      evidence: { nodes: { 'node-2': { status: 'FAIL' }, 'node-3': { status: 'ERROR' } } },
    });
    // every followed query was answered: the hops it can see are judged (PASS), the node noted
    const capture = out.find((c) => c.id === 'DNS-CAPTURE');
    expect(capture?.status).toBe('PASS');
    expect(capture?.evidence).toMatchObject({
      unattributedNodes: ['node-3'],
      provisional: false,
      notes: expect.arrayContaining([
        expect.stringContaining(`node node-3: no usable node-agent result (${reason})`),
      ]),
    });
    // the silent-node ERROR is not added twice for a node whose failure is known
    expect(
      Object.keys((out.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.evidence.nodes ?? {}) as object),
    ).toEqual(['node-2', 'node-3']);
  });

  it('a query lost towards the unusable node: DNS-CAPTURE cannot name the hop (ERROR, never PASS or a guessed FAIL), NODE-* ERROR per node', () => {
    const lost = { name: 'b.fleet-dns-probe.cluster.local', type: 'A', dnsId: 9 };
    const lossy: RunnerResult = {
      ...twoNodeProbe,
      observations: {
        ...twoNodeProbe.observations,
        queries: [
          ...(twoNodeProbe.observations.queries ?? []),
          { ...lost, server: '198.18.3.11', transport: 'udp', sentAtMs: 2 },
        ],
        capture: {
          where: 'probe',
          packets: [
            {
              ...lost,
              tsMs: 2,
              src: '198.18.9.9',
              dst: '198.18.3.11',
              srcPort: 40000,
              dstPort: 53,
              transport: 'udp',
              qr: 'query',
            },
          ],
        },
      },
    };
    const out = combineRunnerResults(lossy, [], {
      nodes: [
        { node: 'node-3', reason: 'result from another scan: it belongs to scan s0, not s' },
        { node: 'node-2', reason: 'node agent pod Pending: ImagePullBackOff for img' },
      ],
    });
    expect(out.find((c) => c.id === 'DNS-CAPTURE')).toMatchObject({
      status: 'ERROR',
      evidence: { unattributedNodes: ['node-2', 'node-3'] },
    });
    for (const id of NODE_CHECK_IDS)
      expect(out.find((c) => c.id === id)).toMatchObject({
        status: 'ERROR',
        evidence: { nodes: { 'node-2': { status: 'ERROR' }, 'node-3': { status: 'ERROR' } } },
      });
  });
});
