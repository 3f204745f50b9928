/**
 * Results leave the runner through its pod log (design.md, "The in-cluster runner"): the
 * document is gzipped, base64-encoded and cut into lines `FLEETDNS-RESULT <seq>/<total> <chunk>`
 * that survive log line limits; the collector finds the lines among any other output,
 * reassembles the last complete set, and bounds what it inflates.
 *
 * @see https://kubernetes.io/docs/concepts/cluster-administration/logging/
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { RunnerResultsError } from './errors.js';

export const RESULT_LINE_PREFIX = 'FLEETDNS-RESULT';

export interface EncodeFramesOptions {
  /** base64 characters per line (container runtimes split lines past 16 KiB) @default 8000 */
  readonly chunkChars?: number;
}

/** The framed lines (without newlines) carrying `document`. */
export function encodeResultFrames(document: unknown, options: EncodeFramesOptions = {}): string[] {
  const chunkChars = options.chunkChars ?? 8000;
  if (!Number.isInteger(chunkChars) || chunkChars < 4)
    throw new RunnerResultsError('chunkChars must be an integer ≥ 4');
  const encoded = gzipSync(Buffer.from(JSON.stringify(document), 'utf8')).toString('base64');
  const total = Math.max(1, Math.ceil(encoded.length / chunkChars));
  return Array.from(
    { length: total },
    (_, i) =>
      `${RESULT_LINE_PREFIX} ${i + 1}/${total} ${encoded.slice(i * chunkChars, (i + 1) * chunkChars)}`,
  );
}

export interface DecodeFramesOptions {
  /** largest inflated document accepted @default 16 MiB */
  readonly maxBytes?: number;
  /** most frames in one set @default 4096 */
  readonly maxFrames?: number;
}

export type DecodeFramesResult =
  | { readonly ok: true; readonly document: unknown; readonly frames: number }
  | { readonly ok: false; readonly error: string };

const FRAME = new RegExp(`${RESULT_LINE_PREFIX} (\\d{1,6})/(\\d{1,6}) ([A-Za-z0-9+/=]*)\\s*$`);

/** `result incomplete: frame 3 of 4 missing` (checks.md, "Runner failures"); the first few missing frames. */
function incomplete(chunks: readonly (string | undefined)[]): string {
  const missing = chunks.flatMap((c, i) => (c === undefined ? [i + 1] : []));
  const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', …' : '');
  return `result incomplete: frame${missing.length === 1 ? '' : 's'} ${shown} of ${chunks.length} missing`;
}

/**
 * Finds the framed lines in a pod log (other lines, and log timestamps before the prefix, are
 * ignored), reassembles the last complete set and parses it. Never throws.
 */
export function decodeResultFrames(log: string, options: DecodeFramesOptions = {}): DecodeFramesResult {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const maxFrames = options.maxFrames ?? 4096;
  let current: { total: number; chunks: (string | undefined)[] } | undefined;
  let complete: string[] | undefined;
  let problem: string | undefined;
  for (const line of log.split(/\r?\n/)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const seq = Number(m[1]);
    const total = Number(m[2]);
    const chunk = m[3] ?? '';
    if (total < 1 || total > maxFrames || seq < 1 || seq > total) {
      problem = `bad frame numbering ${seq}/${total}`;
      continue;
    }
    // A new set starts at 1 (a restarted container prints its result again), or wherever a set
    // of another size shows up (its first frame was lost: reported as missing, below).
    if (seq === 1 || !current || current.total !== total)
      current = { total, chunks: new Array<string | undefined>(total).fill(undefined) };
    current.chunks[seq - 1] = chunk;
    if (current.chunks.every((c) => c !== undefined)) {
      complete = current.chunks as string[];
      current = undefined;
    }
  }
  if (!complete)
    return {
      ok: false,
      error: current ? incomplete(current.chunks) : (problem ?? 'no result frames in the pod log'),
    };
  let json: Buffer;
  try {
    json = gunzipSync(Buffer.from(complete.join(''), 'base64'), { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      ok: false,
      error:
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `the result document is larger than ${maxBytes} bytes`
          : `the result frames are not gzip data: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  try {
    return { ok: true, document: JSON.parse(json.toString('utf8')) as unknown, frames: complete.length };
  } catch (err) {
    return {
      ok: false,
      error: `the result document is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
