import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { callAws } from '../calls.js';
import { AwsConfigurationError } from '../errors.js';
import type { ApiLimiter } from '../rate-limit/index.js';

/** Which regions to scan in each account. */
export type RegionSelection =
  | { readonly mode: 'list'; readonly regions: readonly string[] }
  /** every region enabled for the account (ec2:DescribeRegions, asked per account) */
  | { readonly mode: 'enabled' };

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The regions to scan in one account. `enabled` asks EC2 which regions the account has enabled
 * (opt-in regions count only once opted in), so a scan never tries a region whose every call
 * would fail with OptInRequired.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
 */
export async function resolveRegions(
  selection: RegionSelection,
  ec2: EC2Client,
  limiter: ApiLimiter,
): Promise<string[]> {
  if (selection.mode === 'list') {
    for (const r of selection.regions) {
      if (!REGION.test(r)) throw new AwsConfigurationError(`not an AWS region name: "${r}"`);
    }
    return [...new Set(selection.regions)];
  }
  const out = await callAws(limiter, 'ec2:DescribeRegions', () =>
    ec2.send(new DescribeRegionsCommand({ AllRegions: false })),
  );
  return (out.Regions ?? [])
    .filter((r) => r.OptInStatus !== 'not-opted-in')
    .flatMap((r) => (r.RegionName ? [r.RegionName] : []))
    .sort();
}
