import type { CheckResult, Severity, Status } from '../schema/results.js';
import { checkMetadata } from './check-catalog.js';
import type { CheckId } from './check-catalog.js';

export interface ResultInput {
  readonly status: Status;
  readonly evidence: Record<string, unknown>;
  /** Override the catalog's default severity (user configuration). */
  readonly severity?: Severity;
  /** Override the catalog remediation with a more specific one (still ending with the doc link). */
  readonly remediation?: string;
}

/**
 * Builds a check result from the catalog's metadata: every check returns its result through
 * here, so title, severity and remediation come from one place. Not muted: the mutelist is
 * applied later, at the edge that knows the mutelist.
 */
export function makeResult(id: CheckId, input: ResultInput): CheckResult {
  const meta = checkMetadata(id);
  const remediation = `${input.remediation ?? meta.remediation} See ${meta.docUrl}`;
  return {
    id,
    title: meta.title,
    status: input.status,
    severity: input.severity ?? meta.severity,
    muted: false,
    evidence: input.evidence,
    remediation,
  };
}
