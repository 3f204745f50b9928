import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorLine } from '../../../../lambdas/core/schema/index.js';

describe('errorLine', () => {
  it('keeps the summary of a multi-line parser message and drops its code frame', () => {
    const yamlMessage =
      'Nested mappings are not allowed in compact mappings at line 2, column 9:\n\n  eth0: { a: 1\n        ^\n';
    expect(errorLine(yamlMessage)).toBe(
      'Nested mappings are not allowed in compact mappings at line 2, column 9:',
    );
  });

  it('escapes control and invisible format characters', () => {
    expect(errorLine('bad \x1b[31mred\x07 \u202eevil')).toBe('bad \\x1b[31mred\\x07 \\u{202e}evil');
  });

  it('is always one printable line of at most maxLength characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 2_000 }),
        fc.integer({ min: 1, max: 400 }),
        (text, max) => {
          const line = errorLine(text, max);
          expect(line.length).toBeLessThanOrEqual(max);
          expect(line).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
        },
      ),
    );
  });
});
