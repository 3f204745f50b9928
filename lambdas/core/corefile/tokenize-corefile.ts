/**
 * The Corefile lexer. CoreDNS reads its Corefile with Caddy's (v1) Caddyfile lexer: tokens are
 * separated by whitespace, `"…"` quotes a token (with `\"` as an escaped quote; newlines inside
 * quotes are kept), and `#` at the start of a token comments out the rest of the line. Lines
 * matter to the parser (a directive's arguments are the tokens on its line), so every token
 * carries the line it starts on and the line it ends on.
 *
 * @see https://coredns.io/manual/configuration/#corefile
 * @see https://github.com/coredns/caddy/blob/master/caddyfile/lexer.go
 */

/** One lexical token of a Corefile. */
export interface CorefileToken {
  readonly text: string;
  /** 1-based line the token starts on */
  readonly line: number;
  /** line the token ends on (differs from `line` only for a quoted token spanning lines) */
  readonly endLine: number;
  /** true when the token was quoted: a quoted `{` is text, not a block opener */
  readonly quoted: boolean;
}

/** A problem found while reading the Corefile (never thrown: returned as data). */
export interface CorefileIssue {
  readonly line: number;
  readonly message: string;
}

export interface TokenizedCorefile {
  readonly tokens: readonly CorefileToken[];
  readonly errors: readonly CorefileIssue[];
}

const WHITESPACE = new Set([' ', '\t', '\r', '\f', '\v', '\u00a0', '\ufeff']);

/**
 * Splits Corefile text into tokens. Never throws: an unterminated quote becomes an error and the
 * quoted text up to the end of input becomes the token.
 */
export function tokenizeCorefile(text: string): TokenizedCorefile {
  const tokens: CorefileToken[] = [];
  const errors: CorefileIssue[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;

  while (i < n) {
    const ch = text[i] as string;
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (WHITESPACE.has(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      // A comment runs to the end of the line (only at the start of a token, as in Caddy).
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '"') {
      const startLine = line;
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i] as string;
        if (c === '\\' && text[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        value += c;
        i++;
      }
      if (!closed) errors.push({ line: startLine, message: 'unterminated quoted string' });
      tokens.push({ text: value, line: startLine, endLine: line, quoted: true });
      continue;
    }
    // A bare word: everything up to whitespace. A `"` inside a word is literal, as in Caddy.
    const start = i;
    while (i < n) {
      const c = text[i] as string;
      if (c === '\n' || WHITESPACE.has(c)) break;
      i++;
    }
    tokens.push({ text: text.slice(start, i), line, endLine: line, quoted: false });
  }
  return { tokens, errors };
}
