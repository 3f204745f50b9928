/**
 * The results store's one interface. Two implementations keep it — DynamoDB (deployed) and
 * SQLite (embedded: the CLI, the demo) — and one contract test suite
 * (test/unit/store/contract.ts) proves both behave alike. Every shape it hands out is a shape of
 * result.schema.json (the zod schemas in lambdas/core/schema).
 */
import type {
  CheckResult,
  ClusterIdentity,
  ClusterResult,
  FleetSummary,
  GateDecision,
  ScanRef,
  Severity,
  Status,
} from '../core/schema/index.js';
import type { BlobStore } from './evidence-offload.js';

/** A page of a list: `nextCursor` is null on the last page (conventions.md, API lists). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Paging of every list: `limit` 1–100, @default 50; `cursor` the previous page's `nextCursor`. */
export interface PageRequest {
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** `listClusters` filters, ANDed. */
export interface ClusterQuery extends PageRequest {
  readonly account?: string;
  readonly region?: string;
  /** clusters whose latest result has at least one **unmuted** check in this status */
  readonly status?: Status;
}

/** `listFindings` filters, ANDed, over the latest result of every cluster. */
export interface FindingQuery extends PageRequest {
  readonly check?: string;
  readonly status?: Status;
  readonly severity?: Severity;
  readonly account?: string;
  readonly region?: string;
  readonly muted?: boolean;
}

/** A finding: one check result of a cluster's latest result, with the cluster and scan beside it. */
export type Finding = CheckResult & { readonly cluster: ClusterIdentity; readonly scan: ScanRef };

/** How one check's status moved between a cluster's previous scan and this one. */
export interface CheckTransition {
  readonly clusterId: string;
  readonly checkId: string;
  readonly scanId: string;
  /** null: the check was not in the previous scan (or there was none) */
  readonly from: Status | null;
  readonly to: Status;
  /** the scan's `startedAt` */
  readonly at: string;
  readonly muted: boolean;
  /** an unmuted check that was not FAIL in the previous scan and is FAIL now */
  readonly regression: boolean;
}

/** What every regression event carries. */
interface RegressionEventBase {
  /** `<clusterId>/<scanId>/<checkId>` or `<clusterId>/<scanId>/gate`: stable, so a consumer can deduplicate too */
  readonly id: string;
  readonly cluster: ClusterIdentity;
  readonly scan: ScanRef;
  /** the scan's `startedAt` */
  readonly at: string;
}

/** An unmuted check that was not FAIL in the cluster's previous scan and is FAIL now. */
export interface CheckRegressedEvent extends RegressionEventBase {
  readonly type: 'check.regressed';
  readonly checkId: string;
  readonly severity: Severity;
  readonly from: Status;
  readonly to: 'FAIL';
}

/**
 * The cluster's upgrade gate (checks.md § Gate, no target version, judged at each scan's own
 * finish time so staleness plays no part) was `pass` or `unknown` after the previous scan and is
 * `fail` after this one.
 */
export interface GateFailedEvent extends RegressionEventBase {
  readonly type: 'gate.failed';
  readonly from: Exclude<GateDecision['decision'], 'fail'>;
  readonly to: 'fail';
  /** the failing decision's reasons */
  readonly reasons: GateDecision['reasons'];
}

/** What the injected publisher receives: one per flip, never twice for one flip. */
export type RegressionEvent = CheckRegressedEvent | GateFailedEvent;

/** Publishes a regression event (EventBridge, SNS…); a rejection leaves the event pending. */
export type RegressionPublisher = (event: RegressionEvent) => Promise<void>;

/** What `putClusterResult` did. */
export interface PutClusterResultOutcome {
  /** `duplicate`: this cluster already had this scan (a retried collect); nothing changed */
  readonly outcome: 'stored' | 'duplicate';
  /** the result is the cluster's latest now (false for a scan older than the stored latest) */
  readonly latest: boolean;
  /** the result as stored: `firstSeenAt`/`lastTransitionAt` set, large evidence offloaded */
  readonly result: ClusterResult;
  /** every check whose status differs from the previous scan's (also on a duplicate: the stored ones) */
  readonly transitions: CheckTransition[];
  /** regression events this call published (0 on a retry whose events already went out) */
  readonly published: number;
}

/** The stored mutelist: the document as given (validated by lambdas/core/mutelist), versioned. */
export interface StoredMutelist {
  readonly mutelist: Readonly<Record<string, unknown>>;
  /** 1 for the first write, +1 each write */
  readonly version: number;
  readonly updatedAt: string;
}

/** Options of `putMutelist`. */
export interface PutMutelistOptions {
  /**
   * Optimistic concurrency: the version the writer read (null: there must be none yet).
   * @default undefined (unconditional)
   */
  readonly expectedVersion?: number | null;
}

/** What both implementations are configured with. */
export interface ResultStoreOptions {
  /** receives regression events; @default none (events stay pending until a put with a publisher) */
  readonly publish?: RegressionPublisher;
  /** the clock (history expiry, event claims); @default () => new Date() */
  readonly now?: () => Date;
  /** days a cluster scan stays in history after its `startedAt`; @default 90 */
  readonly ttlDays?: number;
  /** where evidence over the inline bound goes; @default embedded: a directory beside the database; DynamoDB: required */
  readonly blobs?: BlobStore;
  /** one check's evidence above this many bytes (UTF-8 JSON) is offloaded; @default 16384 */
  readonly maxInlineEvidenceBytes?: number;
  /** a stored cluster result above this many bytes is refused after offloading; @default 300000 */
  readonly maxItemBytes?: number;
  /** signs pagination cursors; @default embedded: a random key kept in the database */
  readonly cursorSecret?: string | Uint8Array;
}

/**
 * Cluster results with history, the latest per cluster, fleet scan runs, findings and the
 * mutelist. No method reads a whole table: each is one key lookup or one range read of an index
 * (README.md maps each to its DynamoDB GetItem/Query).
 */
export interface ResultStore {
  /**
   * Stores one cluster's result of one scan (`result.scan` required). Idempotent by
   * (cluster id, scan id): the same result again changes nothing and reports `duplicate`.
   * Sets each check's `firstSeenAt` (the first time this status was seen for the cluster and
   * check, in any stored scan up to this one) and `lastTransitionAt` (moves when the status
   * changes against the cluster's previous scan by `startedAt`). Becomes the cluster's latest only when newer than the stored latest: a late
   * older scan goes into history and never moves latest backwards, nor publishes events.
   * Regressions of a result that became latest are published once each, also across retries.
   *
   * @throws InvalidDocumentError when the result is not schema-valid, has no scan, or is too large
   * @throws RegressionPublishError when the result was stored but an event could not be published
   */
  putClusterResult(result: ClusterResult): Promise<PutClusterResultOutcome>;
  /** The cluster's latest result, or null when it has none. */
  getLatest(clusterId: string): Promise<ClusterResult | null>;
  /** One stored scan of a cluster (null when unknown or expired). */
  getClusterScan(clusterId: string, scanId: string): Promise<ClusterResult | null>;
  /** Latest results, by cluster id ascending. @throws InvalidQueryError, InvalidCursorError */
  listClusters(query?: ClusterQuery): Promise<Page<ClusterResult>>;
  /**
   * The same page as `listClusters`, each result as its stored JSON text, unparsed: the API's
   * `/clusters` answers with it (~830 KB for a first page of 50) without parsing and
   * serialising it again. @throws InvalidQueryError, InvalidCursorError
   */
  listClustersJson(query?: ClusterQuery): Promise<Page<string>>;
  /** A cluster's history, newest scan first, expired scans left out. @throws InvalidQueryError, InvalidCursorError */
  listClusterScans(clusterId: string, page?: PageRequest): Promise<Page<ClusterResult>>;
  /** Check results of every cluster's latest result, by (cluster id, check id). @throws InvalidQueryError, InvalidCursorError */
  listFindings(query?: FindingQuery): Promise<Page<Finding>>;
  /** Stores (or replaces) a fleet scan run: its summary, regressions and coverage. */
  putScanRun(summary: FleetSummary): Promise<void>;
  /** A fleet scan run's summary, or null. */
  getScan(scanId: string): Promise<FleetSummary | null>;
  /** The newest fleet scan run's summary (by `scan.startedAt`), or null when none was stored. */
  getSummary(): Promise<FleetSummary | null>;
  /** The mutelist, or null when none was stored. */
  getMutelist(): Promise<StoredMutelist | null>;
  /** Replaces the mutelist. @throws MutelistConflictError when `expectedVersion` does not hold */
  putMutelist(
    mutelist: Readonly<Record<string, unknown>>,
    options?: PutMutelistOptions,
  ): Promise<StoredMutelist>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}
