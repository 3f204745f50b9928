import {
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import { AwsConfigurationError, toAwsCallError } from '../errors.js';
import { getCallerIdentity } from '../credentials/index.js';

/** An account of the fleet: its id and, when known (Organizations, config), its name. */
export interface FleetAccount {
  readonly id: string;
  readonly name?: string;
}

/** Which accounts to scan. */
export type AccountSelection =
  /** the account of the scanner's own credentials */
  | { readonly mode: 'current' }
  /** an explicit list (names optional) */
  | { readonly mode: 'list'; readonly accounts: readonly (string | FleetAccount)[] }
  /**
   * every ACTIVE account of the AWS Organization, or only those under the given OUs (and
   * their child OUs); needs organizations:ListAccounts (management or delegated admin account)
   */
  | { readonly mode: 'organization'; readonly organizationalUnits?: readonly string[] };

export interface ResolveAccountsOptions {
  /** account ids never scanned, whatever the selection */
  readonly exclude?: readonly string[];
}

const ACCOUNT_ID = /^[0-9]{12}$/;

/**
 * Turns an {@link AccountSelection} into the list of accounts to scan, without duplicates,
 * minus exclusions. Organization mode keeps only ACTIVE accounts (suspended or closing accounts
 * cannot be entered), reading `State` and falling back to the older `Status` field.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html
 */
export async function resolveAccounts(
  selection: AccountSelection,
  clients: { readonly sts: STSClient; readonly organizations?: OrganizationsClient },
  options: ResolveAccountsOptions = {},
): Promise<FleetAccount[]> {
  let accounts: FleetAccount[];
  switch (selection.mode) {
    case 'current': {
      const me = await getCallerIdentity(clients.sts);
      accounts = [{ id: me.accountId }];
      break;
    }
    case 'list':
      accounts = selection.accounts.map((a) => (typeof a === 'string' ? { id: a } : a));
      for (const a of accounts) {
        if (!ACCOUNT_ID.test(a.id)) {
          throw new AwsConfigurationError(`account id must be 12 digits, got "${a.id}"`);
        }
      }
      break;
    case 'organization': {
      if (!clients.organizations) {
        throw new AwsConfigurationError('organization mode needs an Organizations client');
      }
      accounts = await listOrganizationAccounts(clients.organizations, selection.organizationalUnits);
      break;
    }
  }
  const excluded = new Set(options.exclude ?? []);
  const seen = new Set<string>();
  return accounts.filter((a) => {
    if (excluded.has(a.id) || seen.has(a.id)) return false;
    seen.add(a.id);
    return true;
  });
}

function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}

function toFleetAccount(account: Account): FleetAccount | undefined {
  if (!account.Id) return undefined;
  return account.Name ? { id: account.Id, name: account.Name } : { id: account.Id };
}

async function listOrganizationAccounts(
  organizations: OrganizationsClient,
  organizationalUnits: readonly string[] | undefined,
): Promise<FleetAccount[]> {
  const raw: Account[] = [];
  try {
    if (!organizationalUnits || organizationalUnits.length === 0) {
      for await (const page of paginateListAccounts({ client: organizations }, {})) {
        raw.push(...(page.Accounts ?? []));
      }
    } else {
      for (const ou of await expandOrganizationalUnits(organizations, organizationalUnits)) {
        for await (const page of paginateListAccountsForParent({ client: organizations }, { ParentId: ou })) {
          raw.push(...(page.Accounts ?? []));
        }
      }
    }
  } catch (err) {
    throw toAwsCallError('organizations:ListAccounts', err) ?? err;
  }
  return raw.filter(isActive).flatMap((a) => toFleetAccount(a) ?? []);
}

/** The given OUs and every OU below them (ListAccountsForParent lists direct children only). */
async function expandOrganizationalUnits(
  organizations: OrganizationsClient,
  roots: readonly string[],
): Promise<string[]> {
  const result: string[] = [];
  const queue = [...roots];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const ou = queue.shift() as string;
    if (seen.has(ou)) continue;
    seen.add(ou);
    result.push(ou);
    for await (const page of paginateListOrganizationalUnitsForParent(
      { client: organizations },
      { ParentId: ou },
    )) {
      for (const child of page.OrganizationalUnits ?? []) if (child.Id) queue.push(child.Id);
    }
  }
  return result;
}
