import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { assessRunnerResults } from '../../../../lambdas/core/results/index.js';
import { RUNNER_RESULT_FORMAT } from '../../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../../lambdas/core/schema/index.js';

const base = {
  format: RUNNER_RESULT_FORMAT as typeof RUNNER_RESULT_FORMAT,
  scanId: 's',
  clusterId: '111122223333:eu-west-1:lab',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:01Z',
};

const probe: RunnerResult = {
  ...base,
  role: 'probe',
  checks: [
    makeResult('DNS-INTERNAL', { status: 'FAIL', evidence: { summary: 'internal names time out' } }),
    makeResult('DNS-CAPTURE', { status: 'ERROR', evidence: { reason: 'provisional' } }),
  ],
  observations: {
    queries: [],
    capture: { where: 'probe', packets: [] },
    discovery: { endpoints: [{ ip: '198.18.2.11', pod: 'coredns-a', nodeName: 'node-2' }] },
  },
};

describe('assessRunnerResults', () => {
  it('combines the probe and node results as the collector does and diagnoses the combination', () => {
    const node: RunnerResult = {
      ...base,
      role: 'node',
      nodeName: 'node-2',
      checks: [makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { delta: 0 } })],
      observations: { capture: { where: 'node-2', packets: [] } },
    };
    const { checks, diagnosis } = assessRunnerResults(probe, [node]);
    expect(checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['DNS-INTERNAL', 'DNS-CAPTURE', 'NODE-LINKLOCAL-ALLOWANCE']),
    );
    // the probe's provisional DNS-CAPTURE is replaced by the correlation with the node captures
    expect(checks.filter((c) => c.id === 'DNS-CAPTURE')).toHaveLength(1);
    expect(checks.find((c) => c.id === 'DNS-CAPTURE')?.evidence.reason).not.toBe('provisional');
    expect(diagnosis.length).toBeGreaterThan(0);
    expect(diagnosis.map((d) => d.cause)).not.toContain('healthy');
  });

  it('names the silent CoreDNS node when its agent reported nothing', () => {
    const { checks } = assessRunnerResults(probe, []);
    expect(checks.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')).toMatchObject({ status: 'ERROR' });
  });
});
