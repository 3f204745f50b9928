/**
 * The list requests both stores accept, checked once: a limit of 1–100 (default 50) and filters
 * of the right shape. Account and region become key prefixes (`<account>:` or
 * `<account>:<region>:` of the cluster id), so a malformed value is refused rather than matched.
 */
import { accountIdProblem, regionProblem } from '../core/results/index.js';
import { CHECK_ID_PATTERN, SEVERITIES, STATUSES } from '../core/schema/index.js';
import type { Severity, Status } from '../core/schema/index.js';
import { InvalidQueryError } from './errors.js';
import { pageLimit } from './page-cursor.js';
import type { ClusterQuery, FindingQuery } from './result-store.js';

export interface ClusterFilters {
  readonly account?: string;
  readonly region?: string;
  readonly status?: Status;
}

export interface FindingFilters extends ClusterFilters {
  readonly check?: string;
  readonly severity?: Severity;
  readonly muted?: boolean;
}

/** The filters and page size of a `listClusters` request. @throws InvalidQueryError */
export function clusterQueryOf(query: ClusterQuery): { filters: ClusterFilters; limit: number } {
  const { account, region, status } = query;
  check(account === undefined || accountIdProblem(account) === undefined, () =>
    accountIdProblem(account ?? ''),
  );
  check(region === undefined || regionProblem(region) === undefined, () => regionProblem(region ?? ''));
  check(
    status === undefined || STATUSES.includes(status),
    () => `status must be one of ${STATUSES.join(', ')}`,
  );
  return { filters: { account, region, status }, limit: pageLimit(query.limit) };
}

/** The filters and page size of a `listFindings` request. @throws InvalidQueryError */
export function findingQueryOf(query: FindingQuery): { filters: FindingFilters; limit: number } {
  const { filters, limit } = clusterQueryOf(query);
  const { check: checkId, severity, muted } = query;
  check(
    checkId === undefined || CHECK_ID_PATTERN.test(checkId),
    () => `not a check ID: ${JSON.stringify(checkId)}`,
  );
  check(
    severity === undefined || SEVERITIES.includes(severity),
    () => `severity must be one of ${SEVERITIES.join(', ')}`,
  );
  check(muted === undefined || typeof muted === 'boolean', () => 'muted must be true or false');
  return { filters: { ...filters, check: checkId, severity, muted }, limit };
}

/** The cluster-id prefix the account (and region) filters select, or undefined. */
export function clusterIdPrefix(filters: ClusterFilters): string | undefined {
  if (filters.account === undefined) return undefined;
  return filters.region === undefined ? `${filters.account}:` : `${filters.account}:${filters.region}:`;
}

function check(ok: boolean, message: () => string | undefined): void {
  if (!ok) throw new InvalidQueryError(message() ?? 'invalid query');
}
