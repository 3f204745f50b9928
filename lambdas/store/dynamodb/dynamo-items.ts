/**
 * The items the DynamoDB store writes for a stored result (README.md § DynamoDB: single-table
 * design), built in one place. Pure: the store sends them with its conditions, and a bulk loader
 * (bench/api.bench.ts fills a table with BatchWriteItem) writes exactly what the store would.
 */
import type { CheckResult, GateDecision } from '../../core/schema/index.js';
import type { StorableResult } from '../documents.js';
import type { CheckTransition, Finding } from '../result-store.js';
import { clusterPk, findingSk, GSI, SK, TTL_ATTRIBUTE } from './dynamo-table.js';
import { packJson } from './packed-json.js';

/** An item as the document client takes it. */
export type DynamoItem = Record<string, unknown>;

const DAY_SECONDS = 86_400;
/** A guard outlives its history item by this much, so a late retry of an expired scan stays a duplicate. */
export const GUARD_GRACE_SECONDS = 7 * DAY_SECONDS;

/** When a scan's history item expires: `ttlDays` after its `startedAt` (epoch seconds). */
export function historyExpiresAt(result: StorableResult, ttlDays: number): number {
  return Math.floor(Date.parse(result.scan.startedAt) / 1000) + ttlDays * DAY_SECONDS;
}

/** The scan guard: scan id → order key (`key`), outliving the history item. */
export function guardItem(result: StorableResult, key: string, expiresAt: number): DynamoItem {
  return {
    PK: clusterPk(result.cluster.id),
    SK: SK.guard(result.scan.id),
    scanOrderKey: key,
    historyExpiresAt: expiresAt,
    [TTL_ATTRIBUTE]: expiresAt + GUARD_GRACE_SECONDS,
  };
}

/**
 * The history item of a stored scan (its document with firstSeenAt / lastTransitionAt set;
 * `doc` and `transitions` gzip'd, packed-json.ts).
 */
export function historyItem(
  result: StorableResult,
  transitions: readonly CheckTransition[],
  key: string,
  expiresAt: number,
  /** the previous scan's gate (gateAtScan), kept so a retried put derives the same events */
  previousGate: GateDecision['decision'] | null = null,
): DynamoItem {
  return {
    PK: clusterPk(result.cluster.id),
    SK: SK.scan(key),
    scanId: result.scan.id,
    doc: packJson(result),
    transitions: packJson(transitions),
    ...(previousGate !== null ? { previousGate } : {}),
    [TTL_ATTRIBUTE]: expiresAt,
  };
}

/** A first sighting of `status` for a cluster's check (the earliest scan's order key wins). */
export interface Sighting {
  readonly checkId: string;
  readonly status: string;
  /** the scan's order key */
  readonly key: string;
  /** the scan's `startedAt` */
  readonly at: string;
}

/** The first-sighting item: its key and the attributes the store sets on it. */
export function sightingItem(clusterId: string, s: Sighting): DynamoItem {
  return {
    PK: clusterPk(clusterId),
    SK: SK.sighting(s.checkId, s.status),
    checkId: s.checkId,
    status: s.status,
    scanOrderKey: s.key,
    seenAt: s.at,
  };
}

/**
 * The cluster's `LATEST` item (GSI4 `LATEST`; `doc` and `transitions` gzip'd, packed-json.ts).
 * `doc`: the result already packed (the same bytes go on its `STATUS#` items).
 */
export function latestItem(
  result: StorableResult,
  key: string,
  transitions: readonly CheckTransition[],
  doc: Uint8Array = packJson(result),
): DynamoItem {
  return {
    PK: clusterPk(result.cluster.id),
    SK: SK.latest,
    [`${GSI.all}PK`]: 'LATEST',
    [`${GSI.all}SK`]: result.cluster.id,
    scanId: result.scan.id,
    scanOrderKey: key,
    region: result.cluster.region,
    doc,
    transitions: packJson(transitions),
  };
}

/** The `FINDING#` item of one check of the latest result (GSI1–GSI4). */
export function findingItem(result: StorableResult, check: CheckResult, key: string): DynamoItem {
  const { id: clusterId, region, accountId } = result.cluster;
  const sk = findingSk(clusterId, check.id);
  const finding: Finding = { ...check, cluster: result.cluster, scan: result.scan };
  return {
    PK: clusterPk(clusterId),
    SK: SK.finding(check.id),
    scanOrderKey: key,
    [`${GSI.byCheck}PK`]: `CHECK#${check.id}`,
    [`${GSI.byCheck}SK`]: clusterId,
    [`${GSI.byStatus}PK`]: `FSTATUS#${check.status}`,
    [`${GSI.byStatus}SK`]: sk,
    [`${GSI.byAccount}PK`]: `FACCOUNT#${accountId}`,
    [`${GSI.byAccount}SK`]: sk,
    [`${GSI.all}PK`]: 'FINDINGS',
    [`${GSI.all}SK`]: sk,
    status: check.status,
    severity: check.severity,
    muted: check.muted,
    region,
    doc: JSON.stringify(finding),
  };
}

/**
 * The `STATUS#` items of the latest result: one per status of an unmuted check (GSI2 `CSTATUS#`),
 * each carrying the result's packed document (`doc`, the same bytes as `LATEST`'s when given).
 *
 * Why the copy: `GET /clusters?status=…` is then one Query of GSI2 (which projects ALL), where it
 * was a Query for the ids and a BatchGetItem of the 50 `LATEST` documents: one round trip
 * instead of two, and about half the read units (lambdas/store/README.md § Benchmark). The price
 * is ~4 KB more per status item written (2–5 per stored cluster).
 */
export function clusterStatusItems(
  result: StorableResult,
  key: string,
  doc: Uint8Array = packJson(result),
): DynamoItem[] {
  const { id: clusterId, region } = result.cluster;
  const unmuted = new Set(result.checks.filter((c) => !c.muted).map((c) => c.status));
  return [...unmuted].map((status) => ({
    PK: clusterPk(clusterId),
    SK: SK.status(status),
    scanOrderKey: key,
    [`${GSI.byStatus}PK`]: `CSTATUS#${status}`,
    [`${GSI.byStatus}SK`]: clusterId,
    region,
    doc,
  }));
}

/**
 * What replaces a finding or status item the latest result no longer has: no GSI keys (out of
 * every list), kept rather than deleted so a slower writer of an older scan cannot bring it back.
 */
export function tombstoneItem(clusterId: string, sk: string, key: string): DynamoItem {
  return { PK: clusterPk(clusterId), SK: sk, scanOrderKey: key, gone: true };
}
