import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import type { CoverageGap, FleetCoverage } from '../../core/schema/index.js';
import { resolveAccounts } from '../accounts/index.js';
import type { AccountSelection, FleetAccount } from '../accounts/index.js';
import { clientConfig, createAwsClients, createOrganizationsClient } from '../clients/index.js';
import { assumeRole, getCallerIdentity, roleArnFor, scanSessionName } from '../credentials/index.js';
import { AssumeRoleError, AwsCallError } from '../errors.js';
import { RateLimiters } from '../rate-limit/index.js';
import type { ApiCallStats } from '../rate-limit/index.js';
import { resolveRegions } from '../regions/index.js';
import { listClusterNames } from '../discovery/discover-clusters.js';
import type { RegionSelection } from '../regions/index.js';
import type { CollectedCluster } from './collect-cluster.js';
import { awsClientOptions, collectRegion } from './collect-region.js';
import type { CollectRegionOptions, RegionCollection } from './collect-region.js';
import { createScanCaches } from './scan-caches.js';

/** What a fleet scan covers and how it enters member accounts. */
export interface FleetScope {
  readonly accounts: AccountSelection;
  /** account ids never scanned */
  readonly exclude?: readonly string[];
  readonly regions: RegionSelection;
  /**
   * The role assumed in each member account (its name, or a path/name).
   * @default 'fleet-dns-scanner'
   */
  readonly roleName?: string;
  /** the ExternalId the member roles' trust policy requires, if any */
  readonly externalId?: string;
  /** names the scan in the member accounts' CloudTrail (the AssumeRole session name) */
  readonly scanId: string;
  /**
   * Assume the role in the scanner's own account too (otherwise its own credentials are used there).
   * @default false
   */
  readonly assumeRoleInCurrentAccount?: boolean;
}

/** One account×region to collect: the unit of the deployed flow's Distributed Map. */
export interface FleetWorkItem {
  readonly accountId: string;
  readonly accountName?: string;
  readonly region: string;
  /** the role to assume; absent → the scanner's own credentials */
  readonly roleArn?: string;
  /** the session name to assume it with */
  readonly sessionName?: string;
  readonly externalId?: string;
  /** only these clusters (a scan of one cluster); @default every cluster of the region */
  readonly clusterNames?: readonly string[];
  /**
   * How many clusters eks:ListClusters showed when the item was discovered (absent when the
   * list could not be read). Only orders the items; collect-region lists the clusters again.
   */
  readonly clusterCount?: number;
}

/** Options shared by {@link discoverWorkItems}, {@link collectWorkItem} and {@link collectFleet}. */
export interface FleetOptions extends Omit<CollectRegionOptions, 'clients' | 'credentials' | 'principalArn'> {
  /** the region the scanner's own STS, Organizations and DescribeRegions calls go to */
  readonly homeRegion: string;
  /** @default an STS client in `homeRegion` with the default credential chain */
  readonly sts?: STSClient;
  /** @default an Organizations client (built only in organization mode) */
  readonly organizations?: OrganizationsClient;
  /**
   * Account×region items collected at once (collectFleet only; the deployed flow sets the
   * Distributed Map's maxConcurrency instead).
   * @default 4
   */
  readonly regionConcurrency?: number;
  /**
   * Whether discoverWorkItems sizes the items (one eks:ListClusters each) to hand them over largest
   * first. A scan of named clusters (`fleet-dns scan --cluster`) collects only those, so the
   * items' sizes order nothing there and the calls would be spent for nothing.
   * @default true (a single item is never sized)
   */
  readonly sizeItems?: boolean;
}

/** eks:ListClusters calls in flight at once while Discover sizes the items (each its own account×region). */
const SIZING_CONCURRENCY = 16;

export interface WorkItemDiscovery {
  /** largest first (see {@link discoverWorkItems}) */
  readonly items: FleetWorkItem[];
  /** accounts that could not be entered or whose regions could not be listed */
  readonly gaps: CoverageGap[];
  readonly accounts: FleetAccount[];
}

export interface FleetCollection {
  readonly clusters: CollectedCluster[];
  readonly coverage: FleetCoverage;
  /** EC2 + EKS requests per `accountId/region` */
  readonly calls: Record<string, ApiCallStats>;
}

function describeFailure(err: unknown): string {
  if (err instanceof AssumeRoleError) return err.message;
  if (err instanceof AwsCallError) return `${err.call}: ${err.code}: ${err.awsMessage}`;
  return err instanceof Error ? err.message : String(err);
}

interface EnteredAccount {
  readonly account: FleetAccount;
  readonly credentials?: AwsCredentialIdentityProvider;
  readonly roleArn?: string;
  readonly regions: string[];
}

/**
 * Finds the account×region work items of a fleet scan: resolves the accounts (current, list,
 * or the Organization's ACTIVE accounts), enters each member account with sts:AssumeRole, and
 * lists its enabled regions (or takes the given list). An account whose role cannot be assumed,
 * or whose regions cannot be listed, is a coverage gap — never a crash.
 *
 * The items come largest first: each region's clusters are counted with one eks:ListClusters,
 * and the items are ordered by that count, descending (those whose count could not be read
 * first, as they may be large; ties keep account, then region order). Why: the Distributed Map
 * starts its items in input order as slots free up, and an item holds its slot for its
 * collection plus ⌈clusters / clusterConcurrency⌉ runner waves. Started last, a 9-cluster
 * account×region alone set the 1,000-cluster benchmark's makespan (docs/scale.md); started first,
 * the items that run last are the 1-cluster ones (longest processing time first, the classic
 * scheduling rule). A region whose list fails is not a gap here: collect-region lists it again
 * and reports what it finds. One item (a one-cluster scan) is not sized, nor are the items of a
 * scan of named clusters (`sizeItems: false`).
 *
 * @throws AwsCallError only when the scanner's own identity or the Organization's account list
 *   cannot be read (then nothing can be scanned)
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
export async function discoverWorkItems(
  scope: FleetScope,
  options: FleetOptions,
): Promise<WorkItemDiscovery> {
  const limiters = options.limiters ?? new RateLimiters();
  const { items: entered, gaps, accounts } = await enterAccounts(scope, { ...options, limiters });
  const pairs = entered.flatMap((account) => account.regions.map((region) => ({ account, region })));
  const sizing = pLimit(SIZING_CONCURRENCY);
  const counts =
    pairs.length > 1 && options.sizeItems !== false
      ? await Promise.all(
          pairs.map(({ account, region }) => sizing(() => countClusters(account, region, options, limiters))),
        )
      : pairs.map(() => undefined);
  const items: FleetWorkItem[] = pairs.map(({ account: a, region }, i) => ({
    accountId: a.account.id,
    ...(a.account.name !== undefined ? { accountName: a.account.name } : {}),
    region,
    ...(a.roleArn
      ? {
          roleArn: a.roleArn,
          sessionName: scanSessionName(scope.scanId),
          ...(scope.externalId !== undefined ? { externalId: scope.externalId } : {}),
        }
      : {}),
    ...(counts[i] !== undefined ? { clusterCount: counts[i] } : {}),
  }));
  return { items: largestFirst(items), gaps, accounts };
}

/** The number of clusters eks:ListClusters shows, or undefined when it cannot be read. */
async function countClusters(
  entered: EnteredAccount,
  region: string,
  options: FleetOptions,
  limiters: RateLimiters,
): Promise<number | undefined> {
  const clients = (options.clientFactory ?? createAwsClients)(
    awsClientOptions(options, region, entered.credentials),
  );
  try {
    return (await listClusterNames(clients.eks, limiters.forAccountRegion(entered.account.id, region)))
      .length;
  } catch (err) {
    if (err instanceof AwsCallError) return undefined;
    throw err;
  }
}

/** Items by `clusterCount` descending, unknown counts first; a stable sort keeps ties in order. */
export function largestFirst<T extends { readonly clusterCount?: number }>(items: readonly T[]): T[] {
  const size = (item: T) => item.clusterCount ?? Number.POSITIVE_INFINITY;
  return [...items].sort((a, b) => size(b) - size(a) || 0);
}

async function enterAccounts(
  scope: FleetScope,
  options: FleetOptions,
): Promise<{ items: EnteredAccount[]; gaps: CoverageGap[]; accounts: FleetAccount[] }> {
  const sts = options.sts ?? new STSClient(clientConfig(awsClientOptions(options, options.homeRegion)));
  const me = await getCallerIdentity(sts);
  const organizations =
    scope.accounts.mode === 'organization'
      ? (options.organizations ?? createOrganizationsClient({ region: options.homeRegion }))
      : undefined;
  const accounts = await resolveAccounts(
    scope.accounts,
    { sts, ...(organizations ? { organizations } : {}) },
    { ...(scope.exclude ? { exclude: scope.exclude } : {}) },
  );
  const limiters = options.limiters ?? new RateLimiters();
  const gaps: CoverageGap[] = [];
  const entered: EnteredAccount[] = [];
  const slots = pLimit(options.regionConcurrency ?? 4);
  await Promise.all(
    accounts.map((account) =>
      slots(async () => {
        const own = account.id === me.accountId && !scope.assumeRoleInCurrentAccount;
        const roleArn = own
          ? undefined
          : roleArnFor(account.id, scope.roleName ?? 'fleet-dns-scanner', me.partition);
        try {
          const credentials = roleArn
            ? await assumeRole({
                sts,
                roleArn,
                sessionName: scanSessionName(scope.scanId),
                ...(scope.externalId !== undefined ? { externalId: scope.externalId } : {}),
              })
            : undefined;
          const homeClients = (options.clientFactory ?? createAwsClients)(
            awsClientOptions(options, options.homeRegion, credentials),
          );
          const regions = await resolveRegions(
            scope.regions,
            homeClients.ec2,
            limiters.forAccountRegion(account.id, options.homeRegion),
          );
          entered.push({
            account,
            regions,
            ...(credentials ? { credentials } : {}),
            ...(roleArn ? { roleArn } : {}),
          });
        } catch (err) {
          if (!(err instanceof AssumeRoleError) && !(err instanceof AwsCallError)) throw err;
          gaps.push({ scope: 'account', accountId: account.id, reason: describeFailure(err) });
        }
      }),
    ),
  );
  entered.sort((a, b) => a.account.id.localeCompare(b.account.id));
  return { items: entered, gaps, accounts };
}

/**
 * Collects one work item: assumes its role (a refusal is an account coverage gap for that
 * region), then {@link collectRegion}. What the deployed collect-region Lambda runs.
 */
export async function collectWorkItem(item: FleetWorkItem, options: FleetOptions): Promise<RegionCollection> {
  const account: FleetAccount = {
    id: item.accountId,
    ...(item.accountName !== undefined ? { name: item.accountName } : {}),
  };
  let credentials: AwsCredentialIdentityProvider | undefined;
  if (item.roleArn) {
    const sts = options.sts ?? new STSClient(clientConfig(awsClientOptions(options, options.homeRegion)));
    try {
      credentials = await assumeRole({
        sts,
        roleArn: item.roleArn,
        sessionName: item.sessionName ?? 'fleet-dns',
        ...(item.externalId !== undefined ? { externalId: item.externalId } : {}),
      });
    } catch (err) {
      if (!(err instanceof AssumeRoleError)) throw err;
      return {
        accountId: item.accountId,
        region: item.region,
        clusters: [],
        gaps: [{ scope: 'account', accountId: item.accountId, region: item.region, reason: err.message }],
        calls: { total: 0, byCall: {} },
      };
    }
  }
  return collectRegion(
    { account, region: item.region, ...(item.clusterNames ? { clusterNames: item.clusterNames } : {}) },
    {
      ...options,
      ...(credentials ? { credentials } : {}),
      ...(item.roleArn ? { principalArn: item.roleArn } : {}),
    },
  );
}

/**
 * A whole fleet scan from one process (the CLI, a test, a small fleet): discover the work
 * items, then collect every account×region with bounded concurrency, sharing one set of rate
 * limiters (per account×region buckets, per-account and global concurrency) and one set of
 * caches. The deployed flow runs the same two steps as separate Lambdas under Step Functions.
 */
export async function collectFleet(scope: FleetScope, options: FleetOptions): Promise<FleetCollection> {
  const limiters = options.limiters ?? new RateLimiters();
  const caches = options.caches ?? createScanCaches();
  const { items, gaps, accounts } = await enterAccounts(scope, { ...options, limiters });
  const clusters: CollectedCluster[] = [];
  const slots = pLimit(options.regionConcurrency ?? 4);
  const regions = new Set<string>();
  await Promise.all(
    items.flatMap((entered) =>
      entered.regions.map((region) =>
        slots(async () => {
          regions.add(region);
          const result = await collectRegion(
            { account: entered.account, region },
            {
              ...options,
              limiters,
              caches,
              ...(entered.credentials ? { credentials: entered.credentials } : {}),
              ...(entered.roleArn ? { principalArn: entered.roleArn } : {}),
            },
          );
          clusters.push(...result.clusters);
          gaps.push(...result.gaps);
        }),
      ),
    ),
  );
  clusters.sort((a, b) => a.record.id.localeCompare(b.record.id));
  return {
    clusters,
    coverage: { accounts: accounts.length, regions: regions.size, clustersScanned: clusters.length, gaps },
    calls: limiters.stats(),
  };
}
