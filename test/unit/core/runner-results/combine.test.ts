import { describe, expect, it } from 'vitest';
import { combineRunnerResults } from '../../../../lambdas/core/runner-results/index.js';
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
