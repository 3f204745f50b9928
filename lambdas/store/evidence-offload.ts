/**
 * The 400 KB rule, by construction: before a cluster result is stored, any check's evidence
 * above `maxInlineEvidenceBytes` — and then the largest remaining ones until the whole result fits
 * `maxItemBytes` — goes to an object store, and the stored evidence keeps only `reason`, `notes`,
 * `truncated` and `offloaded: { ref, bytes, sha256 }`. The blob key is derived from cluster, scan
 * and check, so a retried put writes the same object again (idempotent).
 */
import { createHash } from 'node:crypto';
import type { CheckResult, ClusterResult, Evidence, ScanRef } from '../core/schema/index.js';
import { InvalidDocumentError } from './errors.js';

/** An object store (S3 deployed, a directory embedded). */
export interface BlobStore {
  /** Stores `body` under `key` (overwriting) and returns the reference readers use (`s3://…`, `file://…`). */
  put(key: string, body: Uint8Array, contentType: string): Promise<string>;
  /** The object a reference names, or null when it is gone. */
  get(ref: string): Promise<Uint8Array | null>;
}

/** Where offloaded evidence went. */
export interface OffloadedEvidence {
  readonly ref: string;
  readonly bytes: number;
  readonly sha256: string;
}

export const DEFAULT_MAX_INLINE_EVIDENCE_BYTES = 16_384;
/** Under DynamoDB's 400 KB item limit with room for keys and attributes beside the document. */
export const DEFAULT_MAX_ITEM_BYTES = 300_000;

export interface EvidenceBounds {
  readonly maxInlineEvidenceBytes: number;
  readonly maxItemBytes: number;
}

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * `result` with evidence offloaded until it fits the bounds.
 *
 * @throws InvalidDocumentError when it still does not fit (e.g. thousands of checks), or evidence
 *   is too large and no blob store was given
 */
export async function offloadLargeEvidence(
  result: ClusterResult & { scan: ScanRef },
  bounds: EvidenceBounds,
  blobs: BlobStore | undefined,
): Promise<ClusterResult & { scan: ScanRef }> {
  const sizes = result.checks.map((c) => byteLength(c.evidence));
  const chosen = new Set<number>();
  sizes.forEach((size, i) => {
    if (size > bounds.maxInlineEvidenceBytes) chosen.add(i);
  });
  let total = byteLength(result) - [...chosen].reduce((sum, i) => sum + (sizes[i] ?? 0), 0);
  const bySize = sizes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size);
  for (const { size, i } of bySize) {
    if (total <= bounds.maxItemBytes) break;
    if (!chosen.has(i)) {
      chosen.add(i);
      total -= size;
    }
  }
  if (chosen.size === 0) return result;
  if (blobs === undefined)
    throw new InvalidDocumentError(
      `the result of ${result.cluster.id} has evidence over the inline bound and the store has no object store`,
    );
  const checks = await Promise.all(
    result.checks.map(async (check, i): Promise<CheckResult> => {
      if (!chosen.has(i)) return check;
      return { ...check, evidence: await offload(result, check, blobs) };
    }),
  );
  const bounded = { ...result, checks };
  const size = byteLength(bounded);
  if (size > bounds.maxItemBytes)
    throw new InvalidDocumentError(
      `the result of ${result.cluster.id} is ${size} bytes after offloading its evidence, over the ${bounds.maxItemBytes}-byte bound`,
    );
  return bounded;
}

async function offload(
  result: ClusterResult & { scan: ScanRef },
  check: CheckResult,
  blobs: BlobStore,
): Promise<Evidence> {
  const body = Buffer.from(JSON.stringify(check.evidence), 'utf8');
  const key = `evidence/${encodeURIComponent(result.cluster.id)}/${encodeURIComponent(result.scan.id)}/${check.id}.json`;
  const ref = await blobs.put(key, body, 'application/json');
  const offloaded: OffloadedEvidence = {
    ref,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  const { reason, notes, truncated } = check.evidence;
  return {
    ...(reason !== undefined ? { reason } : {}),
    ...(notes !== undefined ? { notes: notes.slice(0, 20) } : {}),
    ...(truncated !== undefined ? { truncated } : {}),
    offloaded,
  };
}

/** A blob store in memory (tests). */
export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();
  async put(key: string, body: Uint8Array): Promise<string> {
    this.objects.set(key, body);
    return `memory://${key}`;
  }
  async get(ref: string): Promise<Uint8Array | null> {
    return this.objects.get(ref.replace(/^memory:\/\//, '')) ?? null;
  }
}
