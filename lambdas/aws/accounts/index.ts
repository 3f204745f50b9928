export { resolveAccounts } from './resolve-accounts.js';
export type { AccountSelection, FleetAccount, ResolveAccountsOptions } from './resolve-accounts.js';
