/**
 * Security Hub's BatchImportFindings over any number of ASFF findings: the API takes at most 100
 * per call, so the findings go in batches of 100, one after the other (a scan's cluster has a few
 * dozen at most; sequential calls keep well inside the API's rate limit). Throttling is the SDK's
 * retry strategy's to absorb; a call that still fails rejects. A finding Security Hub refuses is
 * not an error of the call: BatchImportFindings answers 200 with `FailedFindings`, reported here.
 *
 * @see https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
 */
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';

/** BatchImportFindings' limit of findings per request. */
export const MAX_FINDINGS_PER_BATCH = 100;

/** A finding Security Hub did not import, with its reason. */
export interface FailedFinding {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

/** What {@link importFindings} did. */
export interface ImportFindingsOutcome {
  /** findings Security Hub imported (the sum of `SuccessCount`) */
  readonly imported: number;
  /** findings it refused (every batch's `FailedFindings`) */
  readonly failed: FailedFinding[];
}

/**
 * Imports `findings` in batches of {@link MAX_FINDINGS_PER_BATCH}. Nothing is called for none.
 *
 * @throws the SDK's error when a call fails after the SDK's retries (earlier batches stay imported)
 */
export async function importFindings(
  client: SecurityHubClient,
  findings: readonly AwsSecurityFinding[],
): Promise<ImportFindingsOutcome> {
  let imported = 0;
  const failed: FailedFinding[] = [];
  for (let start = 0; start < findings.length; start += MAX_FINDINGS_PER_BATCH) {
    const batch = findings.slice(start, start + MAX_FINDINGS_PER_BATCH);
    const out = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    imported += out.SuccessCount ?? 0;
    for (const f of out.FailedFindings ?? [])
      failed.push({ id: f.Id ?? '', code: f.ErrorCode ?? '', message: f.ErrorMessage ?? '' });
  }
  return { imported, failed };
}
