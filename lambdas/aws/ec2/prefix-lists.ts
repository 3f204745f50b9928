import { paginateGetManagedPrefixListEntries } from '@aws-sdk/client-ec2';
import type { EC2Client, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { SnapshotPrefixList } from '../../core/snapshot/index.js';
import { allPages } from '../calls.js';
import { AwsCallError } from '../errors.js';
import type { PromiseCache } from '../promise-cache.js';
import type { ApiLimiter } from '../rate-limit/index.js';

/** GetManagedPrefixListEntries returns at most 100 entries per page. */
const PREFIX_LIST_PAGE_SIZE = 100;

/** A prefix list's entries, or the failure that kept them from being read. */
export type PrefixListResult =
  | { readonly ok: true; readonly prefixList: SnapshotPrefixList }
  | { readonly ok: false; readonly error: AwsCallError };

/** Every prefix list id that an ingress or egress rule of these groups references, sorted. */
export function referencedPrefixListIds(groups: readonly SecurityGroup[]): string[] {
  const ids = new Set<string>();
  const visit = (perms: readonly IpPermission[] | undefined) => {
    for (const p of perms ?? [])
      for (const pl of p.PrefixListIds ?? []) if (pl.PrefixListId) ids.add(pl.PrefixListId);
  };
  for (const g of groups) {
    visit(g.IpPermissions);
    visit(g.IpPermissionsEgress);
  }
  return [...ids].sort();
}

/**
 * The entries of one managed prefix list (ec2:GetManagedPrefixListEntries, every page). Prefix
 * lists are regional, so the cache is keyed by account×region×list: a list several VPCs
 * reference is read once.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html
 */
export function loadPrefixList(
  ec2: EC2Client,
  limiter: ApiLimiter,
  cache: PromiseCache<PrefixListResult>,
  prefixListId: string,
): Promise<PrefixListResult> {
  const key = `${limiter.accountId}/${limiter.region}/${prefixListId}`;
  return cache.getOrLoad(key, async () => {
    try {
      const pages = await allPages(
        limiter,
        'ec2:GetManagedPrefixListEntries',
        paginateGetManagedPrefixListEntries(
          { client: ec2, pageSize: PREFIX_LIST_PAGE_SIZE },
          { PrefixListId: prefixListId },
        ),
        (p) => p.NextToken,
      );
      const entries = pages
        .flatMap((p) => p.Entries ?? [])
        .flatMap((e) =>
          e.Cidr
            ? [e.Description !== undefined ? { Cidr: e.Cidr, Description: e.Description } : { Cidr: e.Cidr }]
            : [],
        );
      return { ok: true, prefixList: { PrefixListId: prefixListId, Entries: entries } };
    } catch (err) {
      if (err instanceof AwsCallError) return { ok: false, error: err };
      throw err;
    }
  });
}
