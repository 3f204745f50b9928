/**
 * HMAC-SHA256 over a runner result's canonical JSON, with the per-scan key the dispatcher put
 * in a Secret: the collector accepts only documents made by this scan's runner.
 *
 * @see https://datatracker.ietf.org/doc/html/rfc2104
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunnerResult } from '../schema/index.js';
import { canonicalJson } from './canonical-json.js';
import { RunnerResultsError } from './errors.js';

/** The signing key: a string is used as its UTF-8 bytes. */
export type ResultKey = string | Uint8Array;

function keyBytes(key: ResultKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < 16) throw new RunnerResultsError('the result key must be at least 16 bytes');
  return bytes;
}

/** Hex HMAC-SHA256 of the document's canonical JSON without its `signature` member. */
export function resultSignature(doc: Readonly<Record<string, unknown>>, key: ResultKey): string {
  const { signature: _ignored, ...unsigned } = doc;
  return createHmac('sha256', keyBytes(key)).update(canonicalJson(unsigned), 'utf8').digest('hex');
}

/** Returns the document with its `signature` set. */
export function signRunnerResult(doc: RunnerResult, key: ResultKey): RunnerResult {
  return { ...doc, signature: resultSignature(doc, key) };
}

/** True when `doc.signature` is the HMAC of the rest under `key` (constant-time compare). */
export function hasValidSignature(doc: Readonly<Record<string, unknown>>, key: ResultKey): boolean {
  const given = doc.signature;
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = Buffer.from(resultSignature(doc, key), 'hex');
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
