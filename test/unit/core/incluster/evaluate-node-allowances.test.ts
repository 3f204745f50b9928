import { describe, expect, it } from 'vitest';
import {
  evaluateConntrackAllowance,
  evaluateLinklocalAllowance,
} from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';

const node = 'ip-198-18-2-10.eu-west-1.compute.internal';
const counters = (linklocal: number, conntrack?: number, available?: number) => [
  {
    interface: 'eth0',
    linklocal_allowance_exceeded: linklocal,
    ...(conntrack !== undefined && { conntrack_allowance_exceeded: conntrack }),
    ...(available !== undefined && { conntrack_allowance_available: available }),
  },
];

describe('evaluateLinklocalAllowance (NODE-LINKLOCAL-ALLOWANCE)', () => {
  it('PASS when the counter is zero and stays zero', () => {
    const r = evaluateLinklocalAllowance({ node, before: counters(0), after: counters(0) });

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('PASS');
    expect(r.evidence.interfaces).toEqual([{ interface: 'eth0', before: 0, after: 0, increase: 0 }]);
  });

  it('FAIL when the counter rises during the scan (lab scenario), naming node and interface', () => {
    const r = evaluateLinklocalAllowance({ node, before: counters(12), after: counters(940) });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.problems).toEqual([
      `linklocal_allowance_exceeded on ${node}/eth0 rose by 928 during the scan`,
    ]);
    expect(r.evidence.resources).toEqual([`${node}/eth0`]);
  });

  it('WARN when non-zero since boot but steady', () => {
    expect(evaluateLinklocalAllowance({ node, before: counters(5), after: counters(5) }).status).toBe('WARN');
  });

  it('looks at every interface (secondary ENIs too)', () => {
    const before = [...counters(0), { interface: 'eth1', linklocal_allowance_exceeded: 0 }];
    const after = [...counters(0), { interface: 'eth1', linklocal_allowance_exceeded: 3 }];
    const r = evaluateLinklocalAllowance({ node, before, after });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.resources).toEqual([`${node}/eth1`]);
  });

  it('SKIPPED on a non-ENA interface; ERROR when the statistics could not be read', () => {
    const skipped = evaluateLinklocalAllowance({
      node,
      before: [],
      after: [],
      nonEnaInterfaces: ['veth1a2b'],
    });
    expect(checkResultSchema.safeParse(skipped).success).toBe(true);
    expect(skipped.status).toBe('SKIPPED');
    expect(skipped.evidence.reason).toMatch(/not an ENA interface: veth1a2b/);

    const error = evaluateLinklocalAllowance({ node, before: [], after: [], error: 'ethtool: not found' });
    expect(error.status).toBe('ERROR');
    expect(error.evidence.reason).toMatch(/ethtool: not found/);
  });
});

describe('evaluateConntrackAllowance (NODE-CONNTRACK-ALLOWANCE)', () => {
  it('PASS at zero; FAIL when rising; WARN when non-zero since boot', () => {
    expect(
      evaluateConntrackAllowance({ node, before: counters(0, 0, 90_000), after: counters(0, 0, 90_000) })
        .status,
    ).toBe('PASS');
    expect(evaluateConntrackAllowance({ node, before: counters(0, 1), after: counters(0, 9) }).status).toBe(
      'FAIL',
    );
    expect(evaluateConntrackAllowance({ node, before: counters(0, 4), after: counters(0, 4) }).status).toBe(
      'WARN',
    );
  });

  it('WARN when available drops below 10 % of a known allowance; a note when the allowance is unknown', () => {
    const low = evaluateConntrackAllowance({
      node,
      before: counters(0, 0, 5000),
      after: counters(0, 0, 5000),
      conntrackAllowance: 100_000,
    });
    expect(low.status).toBe('WARN');
    expect((low.evidence.problems as string[])[0]).toMatch(/5 % of 100000/);

    const unknown = evaluateConntrackAllowance({
      node,
      before: counters(0, 0, 5000),
      after: counters(0, 0, 5000),
    });
    expect(unknown.status).toBe('PASS');
    expect(unknown.evidence.notes).toEqual([expect.stringMatching(/not known/)]);
  });

  it('SKIPPED when the ENA driver does not export the conntrack counters', () => {
    const r = evaluateConntrackAllowance({ node, before: counters(0), after: counters(0) });

    expect(r.status).toBe('SKIPPED');
    expect(r.evidence.reason).toMatch(/conntrack_allowance_exceeded absent on eth0/);
  });
});
