/**
 * A reader for the Prometheus text exposition format (version 0.0.4), which CoreDNS's
 * `prometheus` plugin serves on :9153/metrics. Written here rather than taken from npm: the one
 * parser package for it (parse-prometheus-text-format) has been unmaintained since 2019 and
 * throws on malformed input, while the runner must turn any scrape — truncated, proxied, not
 * Prometheus at all — into data and a reason.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface PrometheusSample {
  /** metric name, with the `_bucket`/`_sum`/`_count` suffix of histogram series kept */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** may be NaN or ±Infinity, as the format allows */
  readonly value: number;
  readonly timestampMs?: number;
}

export interface PrometheusParseIssue {
  readonly line: number;
  readonly message: string;
}

export interface ParsedPrometheusText {
  readonly samples: readonly PrometheusSample[];
  /** `# TYPE` declarations: metric family → counter | gauge | histogram | summary | untyped */
  readonly types: Readonly<Record<string, string>>;
  readonly errors: readonly PrometheusParseIssue[];
  /** true when `maxSamples` was reached and the rest was not read */
  readonly truncated: boolean;
}

export interface ParsePrometheusOptions {
  /**
   * Stop after this many samples (a CoreDNS scrape has a few hundred to a few thousand).
   * @default 50000
   */
  readonly maxSamples?: number;
  /**
   * Keep at most this many error entries (the count of lines in error is still exact).
   * @default 20
   */
  readonly maxErrors?: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number | undefined {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  // Number('') is 0 and Number('0x10') is 16: accept only what Go's ParseFloat accepts here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Parses one sample line; returns an error message for a malformed one. */
function parseSampleLine(line: string): PrometheusSample | string {
  const nameMatch = METRIC_NAME.exec(line);
  if (!nameMatch) return 'line does not start with a metric name';
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const labelMatch = LABEL_NAME.exec(line.slice(i));
      if (!labelMatch) return `bad label name in ${name}`;
      const labelName = labelMatch[0];
      i += labelName.length;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') return `expected "=" after label ${labelName}`;
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') return `label ${labelName} value is not quoted`;
      i++;
      let value = '';
      let closed = false;
      while (i < line.length) {
        const c = line[i] as string;
        if (c === '\\') {
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return `unterminated value of label ${labelName}`;
      labels[labelName] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      return `expected "," or "}" after label ${labelName}`;
    }
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') return `no value for ${name}`;
  if (rest.length > 2) return `unexpected text after the value of ${name}`;
  const value = parseValue(rest[0] as string);
  if (value === undefined) return `value "${rest[0]}" of ${name} is not a number`;
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!/^-?\d+$/.test(rest[1]) || !Number.isSafeInteger(ts))
      return `timestamp "${rest[1]}" of ${name} is not an integer`;
    return { name, labels, value, timestampMs: ts };
  }
  return { name, labels, value };
}

/**
 * Parses Prometheus text exposition format. Never throws: malformed lines are skipped and
 * reported in `errors` (with 1-based line numbers).
 *
 * @example
 * parsePrometheusText('coredns_dns_requests_total{server="dns://:53",zone=".",proto="udp",family="1",type="A"} 42\n')
 * // { samples: [{ name: 'coredns_dns_requests_total', labels: { server: 'dns://:53', … }, value: 42 }], … }
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export function parsePrometheusText(
  text: string,
  options: ParsePrometheusOptions = {},
): ParsedPrometheusText {
  const maxSamples = options.maxSamples ?? 50_000;
  const maxErrors = options.maxErrors ?? 20;
  const samples: PrometheusSample[] = [];
  const types: Record<string, string> = {};
  const errors: PrometheusParseIssue[] = [];
  let truncated = false;
  const input = typeof text === 'string' ? text : '';
  let lineNo = 0;
  let start = 0;
  while (start <= input.length) {
    let end = input.indexOf('\n', start);
    if (end === -1) end = input.length;
    const line = input.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    lineNo++;
    const trimmed = line.trim();
    if (trimmed === '') {
      if (end === input.length) break;
      continue;
    }
    if (trimmed.startsWith('#')) {
      const typeMatch = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\w+)\s*$/.exec(trimmed);
      if (typeMatch) types[typeMatch[1] as string] = (typeMatch[2] as string).toLowerCase();
      continue;
    }
    if (samples.length >= maxSamples) {
      truncated = true;
      break;
    }
    const parsed = parseSampleLine(trimmed);
    if (typeof parsed === 'string') {
      if (errors.length < maxErrors) errors.push({ line: lineNo, message: parsed });
    } else {
      samples.push(parsed);
    }
  }
  return { samples, types, errors, truncated };
}
