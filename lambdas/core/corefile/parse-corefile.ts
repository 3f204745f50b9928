/**
 * A Corefile parser: server blocks (keys with zones, schemes and ports), plugin directives with
 * their arguments and nested blocks, snippets and `import`, environment placeholders. It reads
 * what CoreDNS reads and never throws: problems come back in `errors`, with line numbers, and
 * whatever could be understood is still returned (a half-broken Corefile is exactly what an
 * operator needs to see).
 *
 * @see https://coredns.io/manual/configuration/
 * @see https://coredns.io/manual/toc/#server-blocks
 */
import { isPort } from '../network/ports.js';
import { tokenizeCorefile } from './tokenize-corefile.js';
import type { CorefileIssue, CorefileToken } from './tokenize-corefile.js';

/** The transports a server block key can name (`dns://`, `tls://`, …). */
export const COREFILE_SCHEMES = ['dns', 'tls', 'grpc', 'https', 'quic', 'https3'] as const;
export type CorefileScheme = (typeof COREFILE_SCHEMES)[number];

/** CoreDNS's default port per scheme. @see https://coredns.io/manual/configuration/#specifying-a-protocol */
const DEFAULT_PORT: Record<CorefileScheme, number> = {
  dns: 53,
  tls: 853,
  grpc: 443,
  https: 443,
  quic: 853,
  https3: 443,
};

/** One zone a server block serves, from its key (e.g. `cluster.local:53`, `tls://.:853`). */
export interface CorefileZone {
  /** the key as written */
  readonly key: string;
  readonly scheme: CorefileScheme;
  /** lower-case, fully qualified with a trailing dot; the root zone is `.` */
  readonly zone: string;
  /** the port, or the scheme's default when none is written */
  readonly port: number;
  /** set when the key was written as a CIDR (a reverse zone), e.g. `10.0.0.0/24` */
  readonly cidr?: string;
}

/** A plugin directive (or a sub-directive inside a plugin's block). */
export interface CorefileDirective {
  readonly name: string;
  readonly args: readonly string[];
  /** the directive's `{ … }` block, when it has one */
  readonly block?: readonly CorefileDirective[];
  readonly line: number;
}

export interface CorefileServerBlock {
  readonly zones: readonly CorefileZone[];
  readonly plugins: readonly CorefileDirective[];
  readonly line: number;
}

export interface ParsedCorefile {
  readonly serverBlocks: readonly CorefileServerBlock[];
  /** `import` arguments that are not snippets of this file (files or globs this parser cannot see) */
  readonly imports: readonly string[];
  /** names of snippets defined with `(name) { … }` (their imports are expanded in place) */
  readonly snippets: readonly string[];
  /** environment placeholders (`{$NAME}`, `{%NAME%}`) and NodeLocal's `__PILLAR__…__` markers */
  readonly placeholders: readonly string[];
  readonly errors: readonly CorefileIssue[];
}

export type { CorefileIssue } from './tokenize-corefile.js';

/** Nesting deeper than this is certainly not a Corefile; it also keeps recursion bounded. */
const MAX_DEPTH = 32;
/** Snippet imports that import snippets: bounded so a cycle cannot spin. */
const MAX_IMPORT_DEPTH = 8;

const PLACEHOLDER =
  /\{\$([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}|(__PILLAR__[A-Z0-9_]+__)/g;

/**
 * Parses Corefile text. Never throws.
 *
 * @example
 * const parsed = parseCorefile('.:53 {\n  forward . /etc/resolv.conf\n  cache 30\n}');
 * parsed.serverBlocks[0]?.zones[0]; // { key: '.:53', scheme: 'dns', zone: '.', port: 53 }
 * @see https://coredns.io/manual/configuration/
 */
export function parseCorefile(text: string): ParsedCorefile {
  try {
    return parseTokens(typeof text === 'string' ? text : String(text));
  } catch (err) {
    // Defensive: the parser is written not to throw; if it ever does, the caller still gets data.
    return {
      serverBlocks: [],
      imports: [],
      snippets: [],
      placeholders: [],
      errors: [{ line: 0, message: `internal parser error: ${(err as Error)?.message ?? String(err)}` }],
    };
  }
}

interface Cursor {
  readonly tokens: readonly CorefileToken[];
  i: number;
  readonly errors: CorefileIssue[];
}

function isOpen(t: CorefileToken | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '{';
}
function isClose(t: CorefileToken | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '}';
}

function parseTokens(text: string): ParsedCorefile {
  const lexed = tokenizeCorefile(text);
  const c: Cursor = { tokens: lexed.tokens, i: 0, errors: [...lexed.errors] };
  const rawBlocks: { zones: CorefileZone[]; plugins: CorefileDirective[]; line: number }[] = [];
  const snippets = new Map<string, CorefileDirective[]>();
  const topImports: string[] = [];

  while (c.i < c.tokens.length) {
    const first = c.tokens[c.i] as CorefileToken;
    if (isClose(first)) {
      c.errors.push({ line: first.line, message: 'unexpected "}" outside any block' });
      c.i++;
      continue;
    }
    if (isOpen(first)) {
      c.errors.push({ line: first.line, message: 'a block "{" with no server block key before it' });
      c.i++;
      parseBody(c, 1, true, first.line);
      continue;
    }
    if (!first.quoted && first.text === 'import') {
      // A top-level import pulls whole server blocks from other files: noted, not followed.
      c.i++;
      const args = restOfLine(c, first.endLine);
      if (args.length === 0)
        c.errors.push({ line: first.line, message: 'import needs a file or snippet name' });
      topImports.push(...args.map((a) => a.text));
      continue;
    }

    const keys = readKeys(c);
    const keyLine = first.line;
    const snippetName = keys.length === 1 ? /^\((.+)\)$/.exec(keys[0]?.text ?? '')?.[1] : undefined;
    let plugins: CorefileDirective[];
    if (isOpen(c.tokens[c.i])) {
      const openLine = (c.tokens[c.i] as CorefileToken).line;
      c.i++;
      plugins = parseBody(c, 1, true, openLine);
    } else if (rawBlocks.length === 0 && snippets.size === 0 && snippetName === undefined) {
      // Caddy allows one server block without braces when it is the only one in the file.
      plugins = parseBody(c, 1, false, keyLine);
    } else {
      c.errors.push({
        line: keyLine,
        message: `server block "${keys.map((k) => k.text).join(' ')}" has no "{": only a lone server block may omit braces`,
      });
      plugins = [];
    }

    if (snippetName !== undefined) {
      snippets.set(snippetName, plugins);
      continue;
    }
    const zones: CorefileZone[] = [];
    for (const key of keys) {
      const zone = parseZoneKey(key.text);
      if (typeof zone === 'string') c.errors.push({ line: key.line, message: zone });
      else zones.push(zone);
    }
    rawBlocks.push({ zones, plugins, line: keyLine });
  }

  const fileImports = [...topImports];
  const expand = (directives: readonly CorefileDirective[], depth: number): CorefileDirective[] =>
    directives.flatMap((d) => {
      if (d.name === 'import') {
        const target = d.args[0];
        const snippet = target === undefined ? undefined : snippets.get(target);
        if (target === undefined) {
          c.errors.push({ line: d.line, message: 'import needs a file or snippet name' });
          return [];
        }
        if (snippet === undefined) {
          fileImports.push(...d.args);
          return [d];
        }
        if (depth >= MAX_IMPORT_DEPTH) {
          c.errors.push({ line: d.line, message: `snippet "${target}" imports itself (or nests too deep)` });
          return [];
        }
        return expand(snippet, depth + 1);
      }
      return [d.block === undefined ? d : { ...d, block: expand(d.block, depth) }];
    });

  const serverBlocks = rawBlocks.map((b) => ({
    zones: b.zones,
    plugins: expand(b.plugins, 0),
    line: b.line,
  }));

  const placeholders = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) placeholders.add(m[0]);

  return {
    serverBlocks,
    imports: [...new Set(fileImports)],
    snippets: [...snippets.keys()],
    placeholders: [...placeholders],
    errors: c.errors,
  };
}

/** Tokens on the same line as `line` (stopping before a structural brace). */
function restOfLine(c: Cursor, line: number): CorefileToken[] {
  const out: CorefileToken[] = [];
  let last = line;
  while (c.i < c.tokens.length) {
    const t = c.tokens[c.i] as CorefileToken;
    if (t.line !== last || isOpen(t) || isClose(t)) break;
    out.push(t);
    last = t.endLine;
    c.i++;
  }
  return out;
}

/**
 * The keys of a server block: the tokens on its first line up to `{`. A key ending in `,`
 * continues on the next line, and keys may be comma-separated (Caddy's address list).
 */
function readKeys(c: Cursor): CorefileToken[] {
  const keys: CorefileToken[] = [];
  let line = (c.tokens[c.i] as CorefileToken).line;
  while (c.i < c.tokens.length) {
    const t = c.tokens[c.i] as CorefileToken;
    if (isOpen(t) || isClose(t)) break;
    if (t.line !== line) {
      const prev = keys[keys.length - 1];
      if (prev === undefined || !prev.text.endsWith(',')) break;
    }
    c.i++;
    line = t.endLine;
    for (const part of t.text.split(',')) {
      if (part.trim() !== '') keys.push({ ...t, text: part.trim() });
    }
  }
  return keys;
}

/**
 * A block body: directives until the closing `}` (or the end of input when `closing` is false).
 * A directive's arguments are the tokens on its line; a `{` ending that line opens its block.
 */
function parseBody(c: Cursor, depth: number, closing: boolean, openLine: number): CorefileDirective[] {
  const out: CorefileDirective[] = [];
  if (depth > MAX_DEPTH) {
    c.errors.push({ line: openLine, message: `blocks nested deeper than ${MAX_DEPTH} levels` });
    skipBlock(c);
    return out;
  }
  while (c.i < c.tokens.length) {
    const t = c.tokens[c.i] as CorefileToken;
    if (isClose(t)) {
      c.i++;
      if (closing) return out;
      c.errors.push({ line: t.line, message: 'unexpected "}"' });
      continue;
    }
    if (isOpen(t)) {
      c.errors.push({ line: t.line, message: 'a block "{" with no directive before it' });
      c.i++;
      parseBody(c, depth + 1, true, t.line);
      continue;
    }
    c.i++;
    const args = restOfLine(c, t.endLine).map((a) => a.text);
    const lastLine = c.tokens[c.i - 1]?.endLine ?? t.endLine;
    const next = c.tokens[c.i];
    if (isOpen(next) && next !== undefined && next.line === lastLine) {
      c.i++;
      const block = parseBody(c, depth + 1, true, next.line);
      out.push({ name: t.text, args, block, line: t.line });
    } else {
      out.push({ name: t.text, args, line: t.line });
    }
  }
  if (closing) c.errors.push({ line: openLine, message: `"{" opened on line ${openLine} is never closed` });
  return out;
}

/** Skips tokens up to the `}` that closes the current block (used past the depth limit). */
function skipBlock(c: Cursor): void {
  let level = 1;
  while (c.i < c.tokens.length && level > 0) {
    const t = c.tokens[c.i] as CorefileToken;
    if (isOpen(t)) level++;
    else if (isClose(t)) level--;
    c.i++;
  }
}

/** Lower-case, fully-qualified zone name (`.` for the root). */
export function normalizeZone(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower === '' || lower === '.') return '.';
  return lower.endsWith('.') ? lower : `${lower}.`;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses a server block key: `[scheme://]zone[:port]`, where the zone may be a CIDR standing for
 * a reverse zone. Returns an error message for a key CoreDNS would reject.
 *
 * @see https://coredns.io/manual/configuration/#reverse-zones
 */
export function parseZoneKey(key: string): CorefileZone | string {
  let rest = key;
  let scheme: CorefileScheme = 'dns';
  const schemeMatch = /^([a-z0-9]+):\/\//i.exec(rest);
  if (schemeMatch) {
    const s = (schemeMatch[1] ?? '').toLowerCase();
    if (!(COREFILE_SCHEMES as readonly string[]).includes(s))
      return `unknown scheme "${s}://" in server block key "${key}"`;
    scheme = s as CorefileScheme;
    rest = rest.slice(schemeMatch[0].length);
  }
  let port = DEFAULT_PORT[scheme];
  const portMatch = /^(.*[^:]):(\d+)$/.exec(rest) ?? /^():(\d+)$/.exec(rest);
  if (portMatch) {
    const p = Number(portMatch[2]);
    if (!isPort(p)) return `port out of range in server block key "${key}"`;
    port = p;
    rest = portMatch[1] ?? '';
  }
  if (rest === '') rest = '.';
  if (/\s/.test(rest)) return `server block key "${key}" contains whitespace`;
  const cidr = IPV4_CIDR.exec(rest);
  if (cidr) {
    const octets = [cidr[1], cidr[2], cidr[3], cidr[4]].map(Number);
    const bits = Number(cidr[5]);
    if (octets.some((o) => o > 255) || bits > 32) return `invalid CIDR in server block key "${key}"`;
    // A reverse zone covers whole octets: /8, /16, /24 map to in-addr.arpa directly; other
    // lengths are widened to the enclosing octet boundary (CoreDNS then filters by the CIDR).
    const whole = Math.floor(bits / 8);
    const labels = octets.slice(0, whole).reverse();
    return { key, scheme, zone: normalizeZone([...labels, 'in-addr', 'arpa'].join('.')), port, cidr: rest };
  }
  return { key, scheme, zone: normalizeZone(rest), port };
}

/** Depth-first walk over a directive list and its nested blocks. */
export function* walkDirectives(directives: readonly CorefileDirective[]): Generator<CorefileDirective> {
  for (const d of directives) {
    yield d;
    if (d.block) yield* walkDirectives(d.block);
  }
}
