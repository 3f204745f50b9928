import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditNetworkSnapshot } from '../../../../lambdas/core/checks/aws/index.js';
import { auditNetworkCluster, auditNetworkFleet } from '../../../../lambdas/core/results/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import type { NetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';

const fixture = (name: string): NetworkSnapshot =>
  parseNetworkSnapshot(
    JSON.parse(
      readFileSync(new URL(`../../../fixtures/snapshots/${name}.snapshot.json`, import.meta.url), 'utf8'),
    ),
  );

describe('auditNetworkCluster', () => {
  it("is the snapshot's section-A checks under the snapshot's cluster identity, diagnosed", () => {
    const snapshot = fixture('14-nacl-deny-udp53-into-coredns-subnet');
    const result = auditNetworkCluster(snapshot);
    expect(result.cluster).toEqual({
      id: '111122223333:eu-west-1:prod-a',
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod-a',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      version: '1.30',
    });
    expect(result.checks).toEqual(auditNetworkSnapshot(snapshot));
    expect(result.diagnosis[0]).toMatchObject({ cause: 'network-path', confidence: 'confirmed' });
  });

  it('passes the audit options through', () => {
    const snapshot = fixture('15-nacl-ephemeral-partial');
    const udp = (r: ReturnType<typeof auditNetworkCluster>) =>
      r.checks.find((c) => c.id === 'NET-NACL-DNS-UDP');
    expect(udp(auditNetworkCluster(snapshot))?.status).toBe('FAIL');
    expect(udp(auditNetworkCluster(snapshot, { ephemeralRange: { from: 32768, to: 40000 } }))?.status).toBe(
      'PASS',
    );
  });

  it('audits a fleet in the order given, every result in the scan', () => {
    const scan = { id: 'demo-1', startedAt: '2026-01-01T00:00:00Z' };
    const a = fixture('01-healthy-baseline');
    const b: NetworkSnapshot = { ...fixture('02-sg-coredns-ingress-tcp-only'), region: 'cn-north-1' };
    const b2: NetworkSnapshot = { ...b, cluster: { ...b.cluster, arn: undefined } };
    const results = auditNetworkFleet([a, b2], scan);
    expect(results.map((r) => [r.cluster.id, r.cluster.arn, r.scan?.id])).toEqual([
      ['111122223333:eu-west-1:prod-a', 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a', 'demo-1'],
      ['111122223333:cn-north-1:prod-a', 'arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod-a', 'demo-1'],
    ]);
  });
});
