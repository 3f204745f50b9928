/**
 * Canonical JSON for signing: object keys sorted (by UTF-16 code units, as RFC 8785 sorts
 * them), no whitespace, `undefined` members dropped, numbers as JSON.stringify writes them.
 * Whoever verifies re-serialises the parsed document the same way, so the signature does not
 * depend on key order or formatting on the way through the pod log.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8785
 */
import { RunnerResultsError } from './errors.js';

export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object')
    throw new RunnerResultsError(`cannot serialise a ${typeof value} canonically`);
  if (seen.has(value)) throw new RunnerResultsError('cannot serialise a circular structure');
  seen.add(value);
  try {
    if (Array.isArray(value))
      return `[${value.map((v: unknown) => (v === undefined || typeof v === 'function' ? 'null' : write(v, seen))).join(',')}]`;
    const members = Object.keys(value)
      .filter((k) => {
        const v = (value as Record<string, unknown>)[k];
        return v !== undefined && typeof v !== 'function';
      })
      .sort()
      .map((k) => `${JSON.stringify(k)}:${write((value as Record<string, unknown>)[k], seen)}`);
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}
