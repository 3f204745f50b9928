/**
 * Retries as evidence (checks.md § Transient failures): a check whose reads were retried says
 * which call, what it met and how many attempts it took, whether or not the fault cleared.
 */
import type { CheckResult } from '../schema/index.js';
import type { Attempted } from './attempt-with-retries.js';

/** One retried call, as `evidence.apiRetries` lists it. */
export interface ApiRetryRecord {
  /** what was read: `get configmaps kube-system/coredns` */
  readonly call: string;
  /** the last transient fault: an HTTP status or a system error code */
  readonly status: number | string;
  /** attempts in all, the first included */
  readonly attempts: number;
  /** the last attempt succeeded */
  readonly cleared: boolean;
}

/** The record of a call that was retried, or undefined when one attempt settled it. */
export function apiRetryRecord(call: string, attempted: Attempted<unknown>): ApiRetryRecord | undefined {
  const last = attempted.faults.at(-1);
  if (attempted.attempts < 2 || last === undefined) return undefined;
  return {
    call,
    status: last.kind === 'status' ? last.status : last.code,
    attempts: attempted.attempts,
    cleared: attempted.faults.length < attempted.attempts,
  };
}

/** `result` with `evidence.apiRetries` when any of `records` is set; unchanged otherwise. */
export function withApiRetries(
  result: CheckResult,
  records: readonly (ApiRetryRecord | undefined)[],
): CheckResult {
  const seen = new Set<string>();
  const retries = records.filter((r): r is ApiRetryRecord => {
    if (r === undefined || seen.has(r.call)) return false;
    seen.add(r.call);
    return true;
  });
  return retries.length === 0 ? result : { ...result, evidence: { ...result.evidence, apiRetries: retries } };
}
