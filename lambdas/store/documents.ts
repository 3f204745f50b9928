/**
 * What both stores accept, checked once: a cluster result (schema-valid, with the scan its
 * history is keyed by), a fleet scan summary, a mutelist document. Refusals are
 * InvalidDocumentError with the schema's words.
 */
import { validateMutelist } from '../core/mutelist/index.js';
import { clusterResultSchema, fleetSummarySchema, formatSchemaError } from '../core/schema/index.js';
import type { ClusterResult, FleetSummary, ScanRef } from '../core/schema/index.js';
import { InvalidDocumentError } from './errors.js';

/** A cluster result as a store keeps it: schema-valid, with a scan. */
export type StorableResult = ClusterResult & { scan: ScanRef };

/** The result as the store keeps it. @throws InvalidDocumentError */
export function storableResult(input: ClusterResult): StorableResult {
  const valid = clusterResultSchema.safeParse(input);
  if (!valid.success)
    throw new InvalidDocumentError(`not a cluster result: ${formatSchemaError(valid.error)}`);
  const result = valid.data;
  if (result.scan === undefined)
    throw new InvalidDocumentError(
      `the result of ${result.cluster.id} names no scan: the store keys history by scan`,
    );
  return result as StorableResult;
}

/** The summary as the store keeps it (as the schema parses it). @throws InvalidDocumentError */
export function storableFleetSummary(summary: FleetSummary): FleetSummary {
  const valid = fleetSummarySchema.safeParse(summary);
  if (!valid.success)
    throw new InvalidDocumentError(`not a fleet scan summary: ${formatSchemaError(valid.error)}`);
  return valid.data;
}

/**
 * A mutelist is stored only when lambdas/core/mutelist accepts it (so every reader can apply it).
 * @throws InvalidDocumentError naming the first problems when it is not a valid mutelist
 */
export function checkMutelistDocument(mutelist: unknown): void {
  if (typeof mutelist !== 'object' || mutelist === null || Array.isArray(mutelist))
    throw new InvalidDocumentError('a mutelist is a JSON object');
  const parsed = validateMutelist(mutelist);
  if (!parsed.ok)
    throw new InvalidDocumentError(
      `not a valid mutelist: ${parsed.problems.slice(0, 3).join('; ')}${parsed.problems.length > 3 ? ` (and ${parsed.problems.length - 3} more)` : ''}`,
    );
}
