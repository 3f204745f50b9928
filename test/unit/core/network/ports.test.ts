import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditNetworkSnapshot } from '../../../../lambdas/core/checks/aws/index.js';
import { AwsAuditError } from '../../../../lambdas/core/checks/aws/errors.js';
import {
  formatPortInterval,
  intersectIntervals,
  isPort,
  NetworkEvaluationError,
  parsePortInterval,
  portIntervalProblem,
  subtractInterval,
} from '../../../../lambdas/core/network/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from '../checks/aws/fixtures.js';

describe('port intervals', () => {
  it.each([
    ['32768-60999', { from: 32768, to: 60999 }],
    ['53', { from: 53, to: 53 }],
    [' 1024 - 65535 ', { from: 1024, to: 65535 }],
  ])('parses %j', (text, expected) => {
    expect(parsePortInterval(text)).toEqual(expected);
  });

  it.each(['60999-32768', '0-70000', '0-53', '0', 'a-b', '', '-5', '1-2-3', '65536'])(
    'rejects %j with a message naming the expected form',
    (text) => {
      expect(() => parsePortInterval(text)).toThrow(NetworkEvaluationError);
      expect(() => parsePortInterval(text)).toThrow(/FROM-TO/);
    },
  );

  it('subtracts an interval from pieces without expanding ports', () => {
    expect(subtractInterval([{ from: 32768, to: 60999 }], { from: 1024, to: 40000 })).toEqual([
      { from: 40001, to: 60999 },
    ]);
    expect(subtractInterval([{ from: 0, to: 100 }], { from: 10, to: 20 })).toEqual([
      { from: 0, to: 9 },
      { from: 21, to: 100 },
    ]);
    expect(subtractInterval([{ from: 0, to: 5 }], { from: 6, to: 9 })).toEqual([{ from: 0, to: 5 }]);
  });

  it('intersects and formats', () => {
    expect(intersectIntervals({ from: 1, to: 10 }, { from: 5, to: 20 })).toEqual({ from: 5, to: 10 });
    expect(intersectIntervals({ from: 1, to: 4 }, { from: 5, to: 20 })).toBeUndefined();
    expect(formatPortInterval({ from: 53, to: 53 })).toBe('53');
    expect(formatPortInterval({ from: 1024, to: 65535 })).toBe('1024-65535');
  });

  it('parses a range exactly when both ends are ports 1-65535 in order (the one rule everywhere)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 70_000 }), fc.integer({ min: -5, max: 70_000 }), (from, to) => {
        const usable = isPort(from) && isPort(to) && from <= to;
        expect(portIntervalProblem({ from, to }) === undefined).toBe(usable);
        if (from < 0 || to < 0) return;
        const text = `${from}-${to}`;
        if (usable) expect(parsePortInterval(text)).toEqual({ from, to });
        else expect(() => parsePortInterval(text)).toThrow(NetworkEvaluationError);
      }),
    );
  });

  it('the audit refuses the ephemeral range the CLI would refuse (port 0 included)', () => {
    const snapshot = parseNetworkSnapshot(fixtureJson('01-healthy-baseline'));
    expect(() => auditNetworkSnapshot(snapshot, { ephemeralRange: { from: 0, to: 60999 } })).toThrow(
      AwsAuditError,
    );
    expect(() => parsePortInterval('0-60999')).toThrow(NetworkEvaluationError);
  });
});
