import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { decideGate, GateInputError } from '../../../../lambdas/core/gate/index.js';
import type { DecideGateInput } from '../../../../lambdas/core/gate/index.js';
import { auditNetworkCluster, buildClusterResult } from '../../../../lambdas/core/results/index.js';
import { gateDecisionSchema, SEVERITIES, STATUSES } from '../../../../lambdas/core/schema/index.js';
import type {
  CheckResult,
  ClusterResult,
  GateDecision,
  Severity,
  Status,
} from '../../../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from '../checks/aws/fixtures.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

function check(
  id: CheckId,
  status: Status,
  options: { severity?: Severity; muted?: boolean; summary?: string } = {},
): CheckResult {
  const evidence: Record<string, unknown> =
    status === 'ERROR' || status === 'SKIPPED' ? { reason: `${id} could not run` } : {};
  if (options.summary !== undefined) evidence.summary = options.summary;
  return {
    ...makeResult(id, { status, evidence, ...(options.severity ? { severity: options.severity } : {}) }),
    muted: options.muted ?? false,
    ...(options.muted ? { mutedReason: 'accepted risk' } : {}),
  };
}

function cluster(checks: CheckResult[], finishedHoursAgo: number | null = 1): ClusterResult {
  return buildClusterResult({ accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }, checks, {
    scan: {
      id: 'scan-1',
      startedAt: hoursBefore((finishedHoursAgo ?? 1) + 0.1),
      ...(finishedHoursAgo !== null ? { finishedAt: hoursBefore(finishedHoursAgo) } : {}),
    },
  });
}

/** The decision, validated against the contract's schema every time. */
function gate(input: Partial<DecideGateInput> & { newest: ClusterResult | undefined }): GateDecision {
  const decision = decideGate({ now: NOW, ...input });
  expect(gateDecisionSchema.safeParse(decision).success).toBe(true);
  return decision;
}

const codes = (d: GateDecision) => d.reasons.map((r) => r.code);

/** A cluster result audited from a network-snapshot fixture (its EKS-COREDNS-ADDON evidence is real). */
function fromFixture(name: string, options: { finishedHoursAgo?: number; scanTarget?: string } = {}) {
  const snapshot = parseNetworkSnapshot(fixtureJson(name));
  return auditNetworkCluster(snapshot, {
    scan: {
      id: `scan-${name}`,
      startedAt: hoursBefore((options.finishedHoursAgo ?? 1) + 0.1),
      finishedAt: hoursBefore(options.finishedHoursAgo ?? 1),
    },
    ...(options.scanTarget ? { targetVersion: options.scanTarget } : {}),
  });
}

describe('decideGate: the rules of checks.md § Gate, in order', () => {
  it('1. no scan → unknown (no-scan), scan null', () => {
    const d = gate({ newest: undefined });
    expect(d).toEqual({
      decision: 'unknown',
      reasons: [{ code: 'no-scan', message: 'no scan of this cluster is stored' }],
      scan: null,
    });
  });

  it('2. a stale scan → unknown (stale), its failures listed too: not fail', () => {
    const newest = cluster([check('NET-SG-DNS-UDP', 'FAIL', { summary: 'node → coredns blocked' })], 30);
    const d = gate({ newest });
    expect(d.decision).toBe('unknown');
    expect(codes(d)).toEqual(['stale', 'check-failed']);
    expect(d.reasons[0]!.message).toBe(
      `the newest scan scan-1 finished ${hoursBefore(30)}, 30 h ago: older than the 24 h freshness limit`,
    );
    expect(d.reasons[1]).toEqual({
      code: 'check-failed',
      checkId: 'NET-SG-DNS-UDP',
      message: 'NET-SG-DNS-UDP FAIL (high): node → coredns blocked',
    });
    expect(d.scan).toEqual({ id: 'scan-1', finishedAt: hoursBefore(30) });
  });

  it('2. a stale scan without failures → unknown (stale) alone, even when it has WARNs and ERRORs', () => {
    const newest = cluster(
      [check('NET-DHCP-OPTIONS', 'WARN'), check('K8S-DNS-SERVICE', 'ERROR'), check('NET-SG-DNS-UDP', 'PASS')],
      25,
    );
    expect(codes(gate({ newest }))).toEqual(['stale']);
  });

  it('2. the freshness limit: exactly at the limit is fresh, a millisecond past it is stale; freshnessHours changes it', () => {
    const checks = [check('NET-SG-DNS-UDP', 'PASS')];
    expect(gate({ newest: cluster(checks, 24) }).decision).toBe('pass');
    expect(gate({ newest: cluster(checks, 24 + 1 / 3_600_000) }).decision).toBe('unknown');
    expect(gate({ newest: cluster(checks, 5), freshnessHours: 4 }).reasons[0]!.code).toBe('stale');
    expect(gate({ newest: cluster(checks, 30), freshnessHours: 48 }).decision).toBe('pass');
  });

  it('2. a scan in the future (clock skew) is fresh', () => {
    expect(gate({ newest: cluster([check('NET-SG-DNS-UDP', 'PASS')], -1) }).decision).toBe('pass');
  });

  it('2. a result without a finish time cannot be shown fresh → unknown (stale), scan null', () => {
    const d = gate({ newest: cluster([check('NET-SG-DNS-UDP', 'FAIL')], null) });
    expect(d.decision).toBe('unknown');
    expect(codes(d)).toEqual(['stale', 'check-failed']);
    expect(d.reasons[0]!.message).toBe(
      'the newest result (scan scan-1) has no finish time: its freshness cannot be shown',
    );
    expect(d.scan).toBeNull();
  });

  it('3. an unmuted FAIL at or above the gate severity → fail (check-failed), most severe first', () => {
    const newest = cluster([
      check('NET-SG-DNS-UDP', 'FAIL'),
      check('K8S-DNS-SERVICE', 'FAIL'),
      check('NET-DHCP-OPTIONS', 'WARN'),
    ]);
    const d = gate({ newest });
    expect(d.decision).toBe('fail');
    expect(d.reasons.map((r) => [r.code, r.checkId])).toEqual([
      ['check-failed', 'K8S-DNS-SERVICE'], // critical
      ['check-failed', 'NET-SG-DNS-UDP'], // high
    ]);
    expect(d.scan).toEqual({ id: 'scan-1', finishedAt: hoursBefore(1) });
  });

  it('3. a muted FAIL does not fail the gate', () => {
    const d = gate({ newest: cluster([check('K8S-DNS-SERVICE', 'FAIL', { muted: true })]) });
    expect(d).toMatchObject({ decision: 'pass', reasons: [] });
  });

  it('3. a FAIL below the gate severity is not a blocker; gateSeverity lowers the bar', () => {
    const newest = cluster([check('DNS-LATENCY', 'FAIL')]); // medium
    expect(gate({ newest }).decision).toBe('pass');
    expect(gate({ newest, gateSeverity: 'medium' })).toMatchObject({
      decision: 'fail',
      reasons: [{ code: 'check-failed', checkId: 'DNS-LATENCY' }],
    });
    expect(
      gate({ newest: cluster([check('NET-SG-DNS-UDP', 'FAIL')]), gateSeverity: 'critical' }).decision,
    ).toBe('pass');
  });

  it('3. the severity the result carries (a user override) decides, not the catalog default', () => {
    const newest = cluster([check('DNS-LATENCY', 'FAIL', { severity: 'critical' })]);
    expect(gate({ newest }).decision).toBe('fail');
  });

  it('3 before 4: FAIL and ERROR together → fail, the ERROR not listed', () => {
    const newest = cluster([check('K8S-DNS-SERVICE', 'ERROR'), check('NET-SG-DNS-UDP', 'FAIL')]);
    const d = gate({ newest });
    expect(d.decision).toBe('fail');
    expect(codes(d)).toEqual(['check-failed']);
  });

  it('4. an unmuted ERROR at or above the gate severity → unknown (check-error)', () => {
    const d = gate({
      newest: cluster([check('K8S-DNS-SERVICE', 'ERROR'), check('NET-DHCP-OPTIONS', 'WARN')]),
    });
    expect(d).toEqual({
      decision: 'unknown',
      reasons: [
        {
          code: 'check-error',
          checkId: 'K8S-DNS-SERVICE',
          message: 'K8S-DNS-SERVICE ERROR (critical): K8S-DNS-SERVICE could not run',
        },
      ],
      scan: { id: 'scan-1', finishedAt: hoursBefore(1) },
    });
  });

  it('4. an ERROR below the gate severity, or muted, is ignored', () => {
    expect(gate({ newest: cluster([check('DNS-LATENCY', 'ERROR')]) }).decision).toBe('pass');
    expect(gate({ newest: cluster([check('K8S-DNS-SERVICE', 'ERROR', { muted: true })]) }).decision).toBe(
      'pass',
    );
    expect(gate({ newest: cluster([check('DNS-LATENCY', 'ERROR')]), gateSeverity: 'low' }).decision).toBe(
      'unknown',
    );
  });

  it('5. otherwise pass, every unmuted WARN a warning reason (muted WARNs and SKIPPED not listed)', () => {
    const newest = cluster([
      check('NET-SG-DNS-UDP', 'PASS'),
      check('NET-DHCP-OPTIONS', 'WARN', { summary: 'custom name servers 10.0.0.2' }),
      check('K8S-COREDNS-PODS', 'WARN', { muted: true }),
      check('K8S-NODELOCAL-DNS', 'SKIPPED'),
    ]);
    expect(gate({ newest })).toEqual({
      decision: 'pass',
      reasons: [
        {
          code: 'warning',
          checkId: 'NET-DHCP-OPTIONS',
          message: 'NET-DHCP-OPTIONS WARN (medium): custom name servers 10.0.0.2',
        },
      ],
      scan: { id: 'scan-1', finishedAt: hoursBefore(1) },
    });
  });

  it('messages are one bounded line: control characters escaped, long summaries cut', () => {
    const newest = cluster([
      check('NET-DHCP-OPTIONS', 'WARN', { summary: `a\u001b[31m\nb ${'x'.repeat(500)}` }),
    ]);
    const [reason] = gate({ newest }).reasons;
    expect(reason!.message).toBe('NET-DHCP-OPTIONS WARN (medium): a\\x1b[31m');
    const long = gate({ newest: cluster([check('NET-DHCP-OPTIONS', 'WARN', { summary: 'y'.repeat(500) })]) });
    expect(long.reasons[0]!.message).toHaveLength(300);
    expect(long.reasons[0]!.message.endsWith('…')).toBe(true);
  });
});

describe('decideGate: add-on compatibility with the target version (EKS-COREDNS-ADDON evidence)', () => {
  // 01-healthy-baseline: coredns v1.11.3-eksbuild.2 → 1.29, 1.30; kube-proxy v1.30.6-eksbuild.3 → 1.30; cluster 1.30
  it('a target both add-ons support → pass', () => {
    const d = gate({ newest: fromFixture('01-healthy-baseline'), targetVersion: '1.30' });
    expect(d.decision).toBe('pass');
    expect(codes(d)).not.toContain('addon-incompatible');
  });

  it('a target coredns does not support → fail (addon-incompatible) naming the add-on and what it supports', () => {
    const d = gate({ newest: fromFixture('01-healthy-baseline'), targetVersion: '1.31' });
    expect(d.decision).toBe('fail');
    const incompatible = d.reasons.filter((r) => r.code === 'addon-incompatible');
    expect(incompatible.map((r) => r.checkId)).toEqual(['EKS-COREDNS-ADDON', 'EKS-COREDNS-ADDON']);
    expect(incompatible[0]!.message).toBe(
      'coredns v1.11.3-eksbuild.2 is incompatible with the target version 1.31 (v1.11.3-eksbuild.2 is compatible with 1.29, 1.30, not 1.31)',
    );
    expect(incompatible[1]!.message).toMatch(
      /^kube-proxy v1\.30\.6-eksbuild\.3 is incompatible with the target version 1\.31/,
    );
  });

  it('kube-proxy alone can block: target 1.29 (coredns supports it, kube-proxy does not)', () => {
    const d = gate({ newest: fromFixture('01-healthy-baseline'), targetVersion: 'v1.29' });
    expect(d.decision).toBe('fail');
    expect(d.reasons.map((r) => r.message)).toEqual([expect.stringMatching(/^kube-proxy /)]);
  });

  it('the add-on verdict fails the gate although EKS-COREDNS-ADDON is only medium (below the gate severity)', () => {
    const newest = fromFixture('01-healthy-baseline');
    expect(newest.checks.find((c) => c.id === 'EKS-COREDNS-ADDON')!.severity).toBe('medium');
    expect(gate({ newest, targetVersion: '1.31' }).decision).toBe('fail');
  });

  it('judged at request time: a scan taken for target 1.31 gates 1.30 as pass, and without a target the current version only', () => {
    const newest = fromFixture('40-addon-target-version-incompatible', { scanTarget: '1.31' });
    expect(newest.checks.find((c) => c.id === 'EKS-COREDNS-ADDON')!.status).toBe('FAIL');
    expect(gate({ newest, targetVersion: '1.30' }).decision).toBe('pass');
    expect(gate({ newest }).decision).toBe('pass');
    expect(codes(gate({ newest, targetVersion: '1.31' }))).toContain('addon-incompatible');
  });

  it('an add-on incompatible with the current cluster version blocks, with or without a target', () => {
    const newest = fromFixture('39-addon-incompatible-with-cluster');
    for (const targetVersion of [undefined, '1.31']) {
      const d = gate({ newest, targetVersion });
      expect(d.decision).toBe('fail');
      const reason = d.reasons.find((r) => r.code === 'addon-incompatible');
      expect(reason!.message).toMatch(
        /^coredns v1\.12\.1-eksbuild\.2 is incompatible with the current cluster version 1\.30/,
      );
    }
  });

  it('a stale scan lists the add-on incompatibility beside stale', () => {
    const d = gate({
      newest: fromFixture('01-healthy-baseline', { finishedHoursAgo: 48 }),
      targetVersion: '1.31',
    });
    expect(d.decision).toBe('unknown');
    expect(codes(d)).toEqual(['stale', 'addon-incompatible', 'addon-incompatible']);
  });

  it('a target the matrix never mentions is not judged: pass, said in a warning reason', () => {
    const d = gate({ newest: fromFixture('01-healthy-baseline'), targetVersion: '9.99' });
    expect(d.decision).toBe('pass');
    const note = d.reasons.find((r) => r.checkId === 'EKS-COREDNS-ADDON');
    expect(note).toMatchObject({ code: 'warning' });
    expect(note!.message).toMatch(
      /^add-on compatibility with 9\.99 not judged \(coredns: 9\.99 is not in the compatibility data/,
    );
    expect(note!.message).toMatch(/: judged against the current cluster version only$/);
  });

  it('evidence without the compatibility matrix → current-version compatibility only, said in a reason', () => {
    const newest = fromFixture('01-healthy-baseline');
    const stripped: ClusterResult = {
      ...newest,
      checks: newest.checks.map((c) => {
        if (c.id !== 'EKS-COREDNS-ADDON') return c;
        const { compatibilityMatrix: _dropped, ...evidence } = c.evidence;
        return { ...c, evidence };
      }),
    };
    const d = gate({ newest: stripped, targetVersion: '1.31' });
    expect(d.decision).toBe('pass');
    expect(d.reasons.filter((r) => r.checkId === 'EKS-COREDNS-ADDON')).toEqual([
      {
        code: 'warning',
        checkId: 'EKS-COREDNS-ADDON',
        message:
          'add-on compatibility with 1.31 not judged (the evidence carries no add-on compatibility matrix): judged against the current cluster version only',
      },
    ]);
  });

  it('a self-managed CoreDNS cannot be judged against the target: a warning, never a fail', () => {
    const d = gate({ newest: fromFixture('42-addon-self-managed-coredns'), targetVersion: '1.30' });
    expect(codes(d)).not.toContain('addon-incompatible');
    expect(
      d.reasons.find((r) => r.checkId === 'EKS-COREDNS-ADDON' && r.message.includes('not judged'))!.message,
    ).toMatch(/coredns: self-managed/);
  });

  it('no EKS-COREDNS-ADDON result at all (an in-cluster-only result) with a target → a warning reason', () => {
    const d = gate({ newest: cluster([check('NET-SG-DNS-UDP', 'PASS')]), targetVersion: '1.33' });
    expect(d).toMatchObject({
      decision: 'pass',
      reasons: [
        {
          code: 'warning',
          message:
            'add-on compatibility with 1.33 not judged: the newest scan has no EKS-COREDNS-ADDON result',
        },
      ],
    });
  });

  it('a muted EKS-COREDNS-ADDON takes no part: no add-on verdict, no note', () => {
    const newest = fromFixture('39-addon-incompatible-with-cluster');
    const muted: ClusterResult = {
      ...newest,
      checks: newest.checks.map((c) =>
        c.id === 'EKS-COREDNS-ADDON' ? { ...c, muted: true, mutedReason: 'upgrade planned' } : c,
      ),
    };
    const d = gate({ newest: muted, targetVersion: '1.31' });
    expect(d).toMatchObject({ decision: 'pass', reasons: [] });
  });
});

describe('decideGate: unusable input is a typed error (the API answers 400)', () => {
  it.each(['1.33.0', 'latest', '1', '', ' ', '1.x', 'v', '１.３３'])('targetVersion %j', (targetVersion) => {
    const call = () => decideGate({ newest: undefined, now: NOW, targetVersion });
    expect(call).toThrow(GateInputError);
    expect(call).toThrow(
      `targetVersion ${JSON.stringify(targetVersion)}: expected an EKS version MAJOR.MINOR, e.g. 1.33`,
    );
    try {
      call();
    } catch (err) {
      expect((err as GateInputError).field).toBe('targetVersion');
    }
  });

  it('a malformed targetVersion is refused even when there is no scan (400 before 200)', () => {
    expect(() => decideGate({ newest: undefined, now: NOW, targetVersion: 'next' })).toThrow(GateInputError);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('freshnessHours %s', (freshnessHours) => {
    expect(() => decideGate({ newest: undefined, now: NOW, freshnessHours })).toThrow(
      expect.objectContaining({ name: 'GateInputError', field: 'freshnessHours' }),
    );
  });

  it('an unknown gateSeverity and an invalid now', () => {
    expect(() => decideGate({ newest: undefined, now: NOW, gateSeverity: 'urgent' as Severity })).toThrow(
      expect.objectContaining({ field: 'gateSeverity' }),
    );
    expect(() => decideGate({ newest: undefined, now: new Date('nope') })).toThrow(
      expect.objectContaining({ field: 'now' }),
    );
  });
});

describe('decideGate over random cluster results (fast-check)', () => {
  const ids = CHECK_IDS.filter((id) => id !== 'EKS-COREDNS-ADDON');
  const checkArb = fc
    .record({
      id: fc.constantFrom(...ids),
      status: fc.constantFrom(...STATUSES),
      severity: fc.constantFrom(...SEVERITIES),
      muted: fc.boolean(),
      summary: fc.option(fc.string({ maxLength: 400 }), { nil: undefined }),
    })
    .map(({ id, status, severity, muted, summary }) =>
      check(id, status, { severity, muted, ...(summary !== undefined ? { summary } : {}) }),
    );
  const inputArb = fc.record({
    checks: fc.array(checkArb, { maxLength: 12 }),
    // hours before NOW; null: no finish time; undefined: never scanned
    finishedHoursAgo: fc.option(fc.option(fc.double({ min: -2, max: 72, noNaN: true }), { nil: null }), {
      nil: undefined,
    }),
    gateSeverity: fc.constantFrom(...SEVERITIES),
    freshnessHours: fc.constantFrom(1, 24, 48),
    targetVersion: fc.option(fc.constantFrom('1.30', 'v1.31', '1.33'), { nil: undefined }),
  });

  it('always matches the gateDecision schema, is deterministic, and follows the rules in order', () => {
    fc.assert(
      fc.property(inputArb, ({ checks, finishedHoursAgo, gateSeverity, freshnessHours, targetVersion }) => {
        const newest = finishedHoursAgo === undefined ? undefined : cluster(checks, finishedHoursAgo);
        const input = { newest, now: NOW, gateSeverity, freshnessHours, targetVersion };
        const d = decideGate(input);
        expect(gateDecisionSchema.safeParse(d).success).toBe(true);
        expect(decideGate(input)).toEqual(d);
        expect(JSON.parse(JSON.stringify(d))).toEqual(d);

        // the oracle: checks.md § Gate, written out independently
        const rank = (s: Severity) => SEVERITIES.indexOf(s);
        const live = checks.filter((c) => !c.muted);
        const blocking = live.filter((c) => c.status === 'FAIL' && rank(c.severity) <= rank(gateSeverity));
        const erring = live.filter((c) => c.status === 'ERROR' && rank(c.severity) <= rank(gateSeverity));
        if (newest === undefined) {
          expect(d.decision).toBe('unknown');
          expect(codes(d)).toEqual(['no-scan']);
        } else if (finishedHoursAgo === null || finishedHoursAgo! > freshnessHours) {
          expect(d.decision).toBe('unknown');
          expect(codes(d)[0]).toBe('stale');
          expect(d.reasons.filter((r) => r.code === 'check-failed')).toHaveLength(blocking.length);
        } else if (blocking.length > 0) {
          expect(d.decision).toBe('fail');
          expect(
            d.reasons
              .filter((r) => r.code === 'check-failed')
              .map((r) => r.checkId)
              .sort(),
          ).toEqual(blocking.map((c) => c.id).sort());
        } else if (erring.length > 0) {
          expect(d.decision).toBe('unknown');
          expect(d.reasons.filter((r) => r.code === 'check-error')).toHaveLength(erring.length);
        } else {
          expect(d.decision).toBe('pass');
          expect(d.reasons.filter((r) => r.code === 'warning' && r.checkId !== undefined)).toHaveLength(
            live.filter((c) => c.status === 'WARN').length,
          );
        }
        for (const r of d.reasons)
          expect(/[\n\r]/.test(r.message) || r.message.includes(String.fromCharCode(27))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
