import { describe, expect, it } from 'vitest';
import {
  formatPortInterval,
  intersectIntervals,
  NetworkEvaluationError,
  parsePortInterval,
  subtractInterval,
} from '../../../../lambdas/core/network/index.js';

describe('port intervals', () => {
  it.each([
    ['32768-60999', { from: 32768, to: 60999 }],
    ['53', { from: 53, to: 53 }],
    [' 1024 - 65535 ', { from: 1024, to: 65535 }],
  ])('parses %j', (text, expected) => {
    expect(parsePortInterval(text)).toEqual(expected);
  });

  it.each(['60999-32768', '0-70000', 'a-b', '', '-5', '1-2-3'])(
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
});
