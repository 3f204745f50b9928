/**
 * The mutelist kept in the store, as readers apply it. A scan's results are muted when they are
 * stored (the pipeline's store step applies the stored mutelist then); a mutelist written later
 * reaches the single-cluster views (a cluster's result and history, its gate, the compliance
 * report) at once, because they apply the stored mutelist again when they read. A mutelist only
 * adds mutes: a result muted when it was stored stays muted. The list filters (`/clusters?status=`,
 * `/findings?muted=`) select by the flags as stored, so there a new mute shows from the next scan.
 */
import { applyMutelist, validateMutelist } from '../core/mutelist/index.js';
import type { Mutelist } from '../core/mutelist/index.js';
import type { ClusterResult } from '../core/schema/index.js';
import type { ResultStore } from './result-store.js';

/**
 * The stored mutelist, compiled; undefined when none is stored. The store validated it when it
 * was written, so a stored document that no longer validates (a store written by another
 * version) is refused loudly rather than silently un-muting findings.
 *
 * @throws Error when the stored document is not a valid mutelist
 */
export async function readStoredMutelist(
  store: Pick<ResultStore, 'getMutelist'>,
): Promise<Mutelist | undefined> {
  const stored = await store.getMutelist();
  if (stored === null) return undefined;
  const parsed = validateMutelist(stored.mutelist);
  if (!parsed.ok)
    throw new Error(
      `the stored mutelist (version ${stored.version}) is not valid: ${parsed.problems.join('; ')}`,
    );
  return parsed.mutelist;
}

/** `result` with each given mutelist applied in turn (none: unchanged). */
export function withMutelists(
  result: ClusterResult,
  ...mutelists: readonly (Mutelist | undefined)[]
): ClusterResult {
  return mutelists.reduce<ClusterResult>((r, m) => (m === undefined ? r : applyMutelist(r, m)), result);
}
