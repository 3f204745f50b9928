import { describe, expect, it } from 'vitest';
import { splitShellWords } from '../../../../lab/engine/exec.js';
import { LabError } from '../../../../lab/engine/errors.js';
import { maxInAnySecond } from '../../../../lab/engine/run-by-hand.js';

describe('splitShellWords', () => {
  it.each([
    ['-p tcp --dport 53 -j DROP', ['-p', 'tcp', '--dport', '53', '-j', 'DROP']],
    [
      `-m string --algo bm --hex-string '|001c0001|' -j DROP`,
      ['-m', 'string', '--algo', 'bm', '--hex-string', '|001c0001|', '-j', 'DROP'],
    ],
    [
      '-m comment --comment "a b \\"c\\"" -j ACCEPT',
      ['-m', 'comment', '--comment', 'a b "c"', '-j', 'ACCEPT'],
    ],
    ["--u32 '0>>22&0x3C@8>>15&0x1=0'", ['--u32', '0>>22&0x3C@8>>15&0x1=0']],
    ['  spaced   out  ', ['spaced', 'out']],
    ["''", ['']],
  ])('%s', (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });

  it('rejects an unterminated quote', () => {
    expect(() => splitShellWords("-m comment --comment 'open")).toThrow(LabError);
  });
});

describe('maxInAnySecond', () => {
  it.each([
    [[], 0],
    [[0, 999], 2],
    [[0, 1000], 1],
    [[0, 500, 999, 1499, 1500], 3],
    [[3000, 0, 100, 200], 3],
  ])('%j → %i (a sliding one-second window)', (times, expected) => {
    expect(maxInAnySecond(times)).toBe(expected);
  });
});
