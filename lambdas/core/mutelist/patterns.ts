/**
 * Mutelist patterns (check ids, resources, tags): regular expressions as in Prowler's mutelist,
 * but anchored — a pattern matches the whole value, never a part of it (`prod` does not mute
 * `prod-eu`) — and with `*` as a wildcard: `*` alone is any value, and a `*` that does not follow
 * something a regular expression can repeat (`.`, `)`, `]`, `}`, `*`, `+`, `?`) means "anything",
 * so the Prowler habits `DNS-*`, `NET-SG-*`, `*-dev` read as written.
 * (The price: `a*` means "a, then anything", not "zero or more a": write `(a)*` for that.)
 */

/** A `*` after one of these is a regular-expression quantifier, kept as written. */
const REPEATABLE = new Set(['.', ')', ']', '}', '*', '+', '?']);

/** The regular-expression source of a mutelist pattern, with wildcard `*` spelled `.*`. */
export function patternSource(pattern: string): string {
  let out = '';
  let inClass = false;
  let previous = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      // an escape: copy it and the escaped character as they are
      out += pattern.slice(i, i + 2);
      previous = pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '*' && (previous.length !== 1 || !REPEATABLE.has(previous))) {
      out += '.*';
      previous = '*';
      continue;
    }
    out += char;
    previous = char;
  }
  return out;
}

/**
 * The anchored regular expression of a mutelist pattern.
 *
 * @throws SyntaxError when the pattern is not a valid regular expression (the message says why)
 * @example compilePattern('DNS-*').test('DNS-LATENCY') // true
 * @example compilePattern('prod').test('prod-eu') // false: anchored
 */
export function compilePattern(pattern: string): RegExp {
  if (pattern === '*') return /^[\s\S]*$/;
  return new RegExp(`^(?:${patternSource(pattern)})$`);
}

/** Why `pattern` cannot be used, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'must not be empty';
  try {
    compilePattern(pattern);
    return undefined;
  } catch (err) {
    // V8 says `Invalid regular expression: /^(?:…)$/: Unterminated group`: keep the last part
    const why = (err as Error).message.split(': ').at(-1) ?? 'invalid';
    return `${JSON.stringify(pattern)} is not a valid regular expression (${why})`;
  }
}
