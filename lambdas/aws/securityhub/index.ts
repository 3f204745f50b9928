/**
 * The optional Security Hub export: ASFF findings (rendered by lambdas/core/report) imported
 * with BatchImportFindings, 100 per call.
 */
export { importFindings, MAX_FINDINGS_PER_BATCH } from './import-findings.js';
export type { FailedFinding, ImportFindingsOutcome } from './import-findings.js';
