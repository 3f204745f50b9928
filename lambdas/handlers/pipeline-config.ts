/**
 * The fleet-scan handlers' environment (the payload contract's "Environment"): the results
 * table, the work bucket (work items, staged AWS-side results, Map results, offloaded evidence)
 * and the regression events' bus. Each handler names the variables it needs; a missing one is a
 * HandlerConfigError naming it.
 */
import type { AccountSelection } from '../aws/accounts/index.js';
import type { RegionSelection } from '../aws/regions/index.js';
import { HandlerConfigError } from './errors.js';

/** The variables of the fleet-scan handlers. */
export interface PipelineConfig {
  /** TABLE_NAME: the results table */
  readonly tableName: string;
  /** WORK_BUCKET: work items, staged AWS-side results, Map results */
  readonly workBucket: string;
  /** EVENT_BUS_NAME: where regression events go */
  readonly eventBusName: string;
  /** EVIDENCE_BUCKET: offloaded evidence @default WORK_BUCKET */
  readonly evidenceBucket: string;
}

export type PipelineVariable = 'TABLE_NAME' | 'WORK_BUCKET' | 'EVENT_BUS_NAME';

const PURPOSE: Record<PipelineVariable, string> = {
  TABLE_NAME: 'the results table',
  WORK_BUCKET: 'the bucket of work items, staged results and Map results',
  EVENT_BUS_NAME: 'the EventBridge bus of regression events',
};

/** The variables each fleet-scan handler requires (its deployed entry point passes these). */
export const PIPELINE_REQUIRED_VARIABLES = {
  discover: ['WORK_BUCKET'],
  'collect-region': ['WORK_BUCKET'],
  'store-result': ['TABLE_NAME', 'WORK_BUCKET', 'EVENT_BUS_NAME'],
  summarize: ['TABLE_NAME', 'WORK_BUCKET'],
} as const satisfies Record<string, readonly PipelineVariable[]>;

/**
 * Reads the variables `required` from `env`; those not required may be empty (the handler does
 * not use them). @throws HandlerConfigError with one `VARIABLE: why` line per missing variable
 */
export function parsePipelineConfig(
  env: Readonly<Record<string, string | undefined>>,
  required: readonly PipelineVariable[],
): PipelineConfig {
  const missing = required.filter((v) => (env[v] ?? '') === '');
  if (missing.length > 0)
    throw new HandlerConfigError(missing.map((v) => `${v}: is required (${PURPOSE[v]})`));
  const workBucket = env.WORK_BUCKET ?? '';
  return {
    tableName: env.TABLE_NAME ?? '',
    workBucket,
    eventBusName: env.EVENT_BUS_NAME ?? '',
    evidenceBucket: env.EVIDENCE_BUCKET || workBucket,
  };
}

/** What discover and collect-region scan, and how they enter member accounts. */
export interface ScanScopeConfig {
  /** SCAN_ACCOUNTS: `current` (@default), `organization`, or account ids separated by commas */
  readonly accounts: AccountSelection;
  /** SCAN_EXCLUDE_ACCOUNTS: account ids never scanned @default none */
  readonly exclude: readonly string[];
  /** SCAN_REGIONS: `enabled` (@default: every enabled region) or region names separated by commas */
  readonly regions: RegionSelection;
  /** SCAN_ROLE_NAME: the role assumed in member accounts @default 'fleet-dns-scanner' */
  readonly roleName: string;
  /** SCAN_EXTERNAL_ID: the ExternalId the member roles require @default none */
  readonly externalId?: string;
  /**
   * SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT=true: enter the scanner's own account through its member
   * role too, like every other account (its work items carry that role's ARN, so collect-region
   * assumes it). For deployments whose central roles hold no EC2/EKS permission of their own
   * (the CDK app's). @default absent (false): the function's own credentials in its own account
   */
  readonly assumeRoleInCurrentAccount?: true;
  /** AWS_REGION: where the scanner's own STS/Organizations/DescribeRegions calls go (Lambda sets it) */
  readonly homeRegion: string;
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

/** @throws HandlerConfigError with one `VARIABLE: why` line per bad value */
export function parseScanScopeConfig(env: Readonly<Record<string, string | undefined>>): ScanScopeConfig {
  const problems: string[] = [];
  const accountsText = (env.SCAN_ACCOUNTS ?? '').trim() || 'current';
  let accounts: AccountSelection;
  if (accountsText === 'current') accounts = { mode: 'current' };
  else if (accountsText === 'organization') {
    const units = list(env.SCAN_ORGANIZATIONAL_UNITS);
    accounts = { mode: 'organization', ...(units.length > 0 ? { organizationalUnits: units } : {}) };
  } else {
    const ids = list(accountsText);
    const bad = ids.filter((id) => !/^[0-9]{12}$/.test(id));
    if (bad.length > 0)
      problems.push(
        `SCAN_ACCOUNTS: must be current, organization or 12-digit account ids, got ${bad.join(', ')}`,
      );
    accounts = { mode: 'list', accounts: ids };
  }
  const regionsText = (env.SCAN_REGIONS ?? '').trim() || 'enabled';
  const regions: RegionSelection =
    regionsText === 'enabled' ? { mode: 'enabled' } : { mode: 'list', regions: list(regionsText) };
  const assumeText = (env.SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT ?? '').trim().toLowerCase();
  if (!['', 'true', 'false'].includes(assumeText))
    problems.push(
      `SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: must be true or false, got ${JSON.stringify(env.SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT)}`,
    );
  const homeRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
  if (homeRegion === '') problems.push('AWS_REGION: is required (the scanner’s own region)');
  if (problems.length > 0) throw new HandlerConfigError(problems);
  return {
    accounts,
    exclude: list(env.SCAN_EXCLUDE_ACCOUNTS),
    regions,
    roleName: (env.SCAN_ROLE_NAME ?? '').trim() || 'fleet-dns-scanner',
    ...((env.SCAN_EXTERNAL_ID ?? '') !== '' ? { externalId: env.SCAN_EXTERNAL_ID } : {}),
    ...(assumeText === 'true' ? { assumeRoleInCurrentAccount: true as const } : {}),
    homeRegion,
  };
}

/**
 * SECURITY_HUB_EXPORT: `true` makes store-result import each latest result's ASFF findings into
 * the function's account's Security Hub (the CDK sets it with `fleet-dns:securityHubExport`).
 * Strict, as a typo must not silently turn an export off. @default absent or empty: false
 * @throws HandlerConfigError when the value is neither `true` nor `false`
 */
export function parseSecurityHubExport(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.SECURITY_HUB_EXPORT;
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new HandlerConfigError([`SECURITY_HUB_EXPORT: must be true or false, got ${JSON.stringify(value)}`]);
}
