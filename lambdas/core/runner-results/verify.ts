/**
 * What the collector accepts from a pod log: a schema-valid runner result, signed with this
 * scan's key, for this scan and this cluster (no replay from another scan or cluster). Reasons
 * open with checks.md's words ("Runner failures"): `result frame signature does not match`,
 * `result from another scan`, `result for another cluster`.
 */
import { formatSchemaError, runnerResultSchema } from '../schema/index.js';
import type { RunnerResult } from '../schema/index.js';
import { hasValidSignature } from './sign.js';
import type { ResultKey } from './sign.js';

export interface VerifyRunnerResultOptions {
  readonly key: ResultKey;
  readonly scanId: string;
  readonly clusterId: string;
  /** also require this role */
  readonly role?: RunnerResult['role'];
}

export type VerifyRunnerResultOutcome =
  { readonly ok: true; readonly result: RunnerResult } | { readonly ok: false; readonly reason: string };

/** Validates, authenticates and scopes a runner result document. Never throws for bad input. */
export function verifyRunnerResult(
  doc: unknown,
  options: VerifyRunnerResultOptions,
): VerifyRunnerResultOutcome {
  const parsed = runnerResultSchema.safeParse(doc);
  if (!parsed.success)
    return { ok: false, reason: `not a runner result: ${formatSchemaError(parsed.error)}` };
  const result = parsed.data;
  if (result.signature === undefined) return { ok: false, reason: 'the runner result is not signed' };
  // Verify over the document as received: zod may drop or reorder nothing that was signed.
  if (!hasValidSignature(doc as Record<string, unknown>, options.key))
    return {
      ok: false,
      reason: 'result frame signature does not match (wrong key or altered document)',
    };
  if (result.scanId !== options.scanId)
    return {
      ok: false,
      reason: `result from another scan: it belongs to scan ${result.scanId}, not ${options.scanId}`,
    };
  if (result.clusterId !== options.clusterId)
    return {
      ok: false,
      reason: `result for another cluster: it belongs to cluster ${result.clusterId}, not ${options.clusterId}`,
    };
  if (options.role !== undefined && result.role !== options.role)
    return {
      ok: false,
      reason: `result from another role: expected a ${options.role} result, got ${result.role}`,
    };
  return { ok: true, result };
}
