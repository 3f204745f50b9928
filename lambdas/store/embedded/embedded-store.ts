/**
 * The embedded results store: one SQLite file (better-sqlite3, WAL) under the user's data
 * directory, for the CLI and the demo. Same interface and contract as the DynamoDB store; each
 * write is one transaction, each read one indexed lookup or range.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ClusterResult, FleetSummary } from '../../core/schema/index.js';
import {
  applyCheckTransitions,
  firstSeenKey,
  firstSightings,
  gateAtScan,
  regressionEvents,
  scanOrderKey,
} from '../check-transitions.js';
import { InvalidCursorError, MutelistConflictError, RegressionPublishError } from '../errors.js';
import { checkMutelistDocument, storableFleetSummary, storableResult } from '../documents.js';
import type { StorableResult } from '../documents.js';
import {
  DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
  DEFAULT_MAX_ITEM_BYTES,
  offloadLargeEvidence,
} from '../evidence-offload.js';
import type { BlobStore, EvidenceBounds } from '../evidence-offload.js';
import { clusterIdPrefix, clusterQueryOf, findingQueryOf } from '../list-queries.js';
import { PageCursorCodec, pageLimit } from '../page-cursor.js';
import type {
  CheckTransition,
  ClusterQuery,
  Finding,
  FindingQuery,
  Page,
  PageRequest,
  PutClusterResultOutcome,
  PutMutelistOptions,
  RegressionPublisher,
  ResultStore,
  ResultStoreOptions,
  StoredMutelist,
} from '../result-store.js';
import { defaultStorePath } from './default-store-path.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
import { migrate } from './embedded-schema.js';

/** Options of {@link openEmbeddedStore}. */
export interface EmbeddedStoreOptions extends ResultStoreOptions {
  /** the database file; @default `$XDG_DATA_HOME/fleet-dns/results.db`, else `~/.local/share/fleet-dns/results.db` */
  readonly path?: string;
  /** receives every SQL statement run, parameters expanded (tests check the query plans); @default none */
  readonly trace?: (sql: string) => void;
}

export const DEFAULT_TTL_DAYS = 90;
/** How long a publisher may hold a regression event before another put may publish it. */
const CLAIM_LEASE_SECONDS = 300;
const DAY_SECONDS = 86_400;

interface StoredScan {
  readonly result: ClusterResult;
  readonly transitions: CheckTransition[];
}

/**
 * Opens (creating when needed) the embedded store. Offloaded evidence goes to `<path>-evidence/`
 * unless `blobs` is given.
 *
 * @example const store = openEmbeddedStore({ path: '/tmp/results.db' });
 */
export function openEmbeddedStore(options: EmbeddedStoreOptions = {}): ResultStore {
  const path = options.path ?? defaultStorePath();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, options.trace ? { verbose: (sql) => options.trace?.(String(sql)) } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const now = options.now ?? (() => new Date());
    migrate(db, now);
    const secret =
      options.cursorSecret ??
      (db.prepare(`SELECT value FROM meta WHERE key = 'cursor_secret'`).get() as { value: string }).value;
    const blobs =
      options.blobs ?? (path === ':memory:' ? undefined : new DirectoryBlobStore(`${path}-evidence`));
    return new EmbeddedResultStore(db, {
      now,
      publish: options.publish,
      ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS,
      blobs,
      bounds: {
        maxInlineEvidenceBytes: options.maxInlineEvidenceBytes ?? DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
        maxItemBytes: options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES,
      },
      cursors: new PageCursorCodec(secret),
    });
  } catch (error) {
    db.close();
    throw error;
  }
}

interface EmbeddedSettings {
  readonly now: () => Date;
  readonly publish: RegressionPublisher | undefined;
  readonly ttlDays: number;
  readonly blobs: BlobStore | undefined;
  readonly bounds: EvidenceBounds;
  readonly cursors: PageCursorCodec;
}

class EmbeddedResultStore implements ResultStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly settings: EmbeddedSettings,
  ) {}

  async putClusterResult(input: ClusterResult): Promise<PutClusterResultOutcome> {
    const result = storableResult(input);
    const clusterId = result.cluster.id;
    let stored = this.#storedScan(clusterId, result.scan.id);
    let outcome: PutClusterResultOutcome['outcome'] = 'duplicate';
    if (stored === undefined) {
      const bounded = await offloadLargeEvidence(result, this.settings.bounds, this.settings.blobs);
      const written = this.db.transaction(() => this.#writeScan(bounded)).immediate();
      ({ outcome, stored } = written);
    }
    const published = await this.#publishPending(clusterId, result.scan.id);
    return {
      outcome,
      latest: this.#latestScanId(clusterId) === result.scan.id,
      result: stored.result,
      transitions: stored.transitions,
      published,
    };
  }

  async getLatest(clusterId: string): Promise<ClusterResult | null> {
    const row = this.db.prepare('SELECT doc FROM latest WHERE cluster_id = ?').get(clusterId) as
      DocRow | undefined;
    return row ? (JSON.parse(row.doc) as ClusterResult) : null;
  }

  async getClusterScan(clusterId: string, scanId: string): Promise<ClusterResult | null> {
    const row = this.db
      .prepare('SELECT doc FROM cluster_scans WHERE cluster_id = ? AND scan_id = ? AND expires_at > ?')
      .get(clusterId, scanId, this.#nowSeconds()) as DocRow | undefined;
    return row ? (JSON.parse(row.doc) as ClusterResult) : null;
  }

  async listClusters(query: ClusterQuery = {}): Promise<Page<ClusterResult>> {
    return this.#listLatestDocuments(query, (doc) => JSON.parse(doc) as ClusterResult);
  }

  async listClustersJson(query: ClusterQuery = {}): Promise<Page<string>> {
    return this.#listLatestDocuments(query, (doc) => doc);
  }

  /** The latest documents `listClusters` selects, each read by `read` (parsed, or as its text). */
  #listLatestDocuments<T>(query: ClusterQuery, read: (doc: string) => T): Page<T> {
    const { filters, limit } = clusterQueryOf(query);
    const after = this.#position('clusters', filters, query.cursor, isString);
    const column = filters.status ? 's.cluster_id' : 'l.cluster_id';
    const where = new Conditions();
    if (filters.status) where.add('s.status = ?', filters.status);
    const prefix = clusterIdPrefix(filters);
    if (prefix !== undefined) where.addPrefix(column, prefix);
    else if (filters.region !== undefined)
      where.add(`${filters.status ? 's' : 'l'}.region = ?`, filters.region);
    if (after !== undefined) where.add(`${column} > ?`, after);
    const from = filters.status
      ? 'latest_statuses s JOIN latest l ON l.cluster_id = s.cluster_id'
      : 'latest l';
    const rows = this.db
      .prepare(`SELECT l.cluster_id AS id, l.doc FROM ${from} ${where.sql()} ORDER BY ${column} LIMIT ?`)
      .all(...where.params, limit + 1) as (DocRow & { id: string })[];
    return this.#page(
      'clusters',
      filters,
      rows,
      limit,
      (r) => read(r.doc),
      (r) => r.id,
    );
  }

  async listClusterScans(clusterId: string, page: PageRequest = {}): Promise<Page<ClusterResult>> {
    const limit = pageLimit(page.limit);
    const filters = { clusterId };
    const before = this.#position('scans', filters, page.cursor, isString);
    const where = new Conditions();
    where.add('cluster_id = ?', clusterId);
    where.add('expires_at > ?', this.#nowSeconds());
    if (before !== undefined) where.add('scan_key < ?', before);
    const rows = this.db
      .prepare(`SELECT scan_key, doc FROM cluster_scans ${where.sql()} ORDER BY scan_key DESC LIMIT ?`)
      .all(...where.params, limit + 1) as (DocRow & { scan_key: string })[];
    return this.#page(
      'scans',
      filters,
      rows,
      limit,
      (r) => JSON.parse(r.doc) as ClusterResult,
      (r) => r.scan_key,
    );
  }

  async listFindings(query: FindingQuery = {}): Promise<Page<Finding>> {
    const { filters, limit } = findingQueryOf(query);
    const after = this.#position('findings', filters, query.cursor, isStringPair);
    const where = new Conditions();
    if (filters.check !== undefined) where.add('check_id = ?', filters.check);
    if (filters.status !== undefined) where.add('status = ?', filters.status);
    if (filters.severity !== undefined) where.add('severity = ?', filters.severity);
    const prefix = clusterIdPrefix(filters);
    if (prefix !== undefined) where.addPrefix('cluster_id', prefix);
    else if (filters.region !== undefined) where.add('region = ?', filters.region);
    if (filters.muted !== undefined) where.add('muted = ?', filters.muted ? 1 : 0);
    if (after !== undefined) where.add('(cluster_id, check_id) > (?, ?)', ...after);
    const rows = this.db
      .prepare(
        `SELECT cluster_id, check_id, doc FROM latest_checks ${where.sql()} ORDER BY cluster_id, check_id LIMIT ?`,
      )
      .all(...where.params, limit + 1) as (DocRow & { cluster_id: string; check_id: string })[];
    return this.#page(
      'findings',
      filters,
      rows,
      limit,
      (r) => JSON.parse(r.doc) as Finding,
      (r) => [r.cluster_id, r.check_id],
    );
  }

  async putScanRun(summary: FleetSummary): Promise<void> {
    const stored = storableFleetSummary(summary);
    this.db
      .prepare(
        `INSERT INTO scan_runs (scan_id, scan_key, doc) VALUES (?, ?, ?)
         ON CONFLICT (scan_id) DO UPDATE SET scan_key = excluded.scan_key, doc = excluded.doc`,
      )
      .run(summary.scan.id, scanOrderKey(summary.scan), JSON.stringify(stored));
  }

  async getScan(scanId: string): Promise<FleetSummary | null> {
    const row = this.db.prepare('SELECT doc FROM scan_runs WHERE scan_id = ?').get(scanId) as
      DocRow | undefined;
    return row ? (JSON.parse(row.doc) as FleetSummary) : null;
  }

  async getSummary(): Promise<FleetSummary | null> {
    const row = this.db.prepare('SELECT doc FROM scan_runs ORDER BY scan_key DESC LIMIT 1').get() as
      DocRow | undefined;
    return row ? (JSON.parse(row.doc) as FleetSummary) : null;
  }

  async getMutelist(): Promise<StoredMutelist | null> {
    const row = this.db.prepare('SELECT version, updated_at, doc FROM mutelist WHERE id = 1').get() as
      MutelistRow | undefined;
    return row ? storedMutelist(row) : null;
  }

  async putMutelist(
    mutelist: Readonly<Record<string, unknown>>,
    options: PutMutelistOptions = {},
  ): Promise<StoredMutelist> {
    checkMutelistDocument(mutelist);
    return this.db
      .transaction((): StoredMutelist => {
        const current = this.db.prepare('SELECT version FROM mutelist WHERE id = 1').get() as
          { version: number } | undefined;
        const found = current?.version ?? null;
        if (options.expectedVersion !== undefined && options.expectedVersion !== found)
          throw new MutelistConflictError(options.expectedVersion, found);
        const row: MutelistRow = {
          version: (found ?? 0) + 1,
          updated_at: this.settings.now().toISOString(),
          doc: JSON.stringify(mutelist),
        };
        this.db
          .prepare(
            `INSERT INTO mutelist (id, version, updated_at, doc) VALUES (1, @version, @updated_at, @doc)
             ON CONFLICT (id) DO UPDATE SET version = @version, updated_at = @updated_at, doc = @doc`,
          )
          .run(row);
        return storedMutelist(row);
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The stored scan of a cluster, expired or not (idempotency must outlive the TTL's grace). */
  #storedScan(clusterId: string, scanId: string): StoredScan | undefined {
    const row = (this.db
      .prepare('SELECT doc, transitions FROM cluster_scans WHERE cluster_id = ? AND scan_id = ?')
      .get(clusterId, scanId) ??
      this.db
        .prepare('SELECT doc, transitions FROM latest WHERE cluster_id = ? AND scan_id = ?')
        .get(clusterId, scanId)) as (DocRow & { transitions: string }) | undefined;
    if (row === undefined) return undefined;
    return {
      result: JSON.parse(row.doc) as ClusterResult,
      transitions: JSON.parse(row.transitions) as CheckTransition[],
    };
  }

  /** Inside the write transaction: history, and latest + its lists + the outbox when newer. */
  #writeScan(result: StorableResult): { outcome: PutClusterResultOutcome['outcome']; stored: StoredScan } {
    const clusterId = result.cluster.id;
    const existing = this.#storedScan(clusterId, result.scan.id);
    if (existing !== undefined) return { outcome: 'duplicate', stored: existing };
    this.db.prepare('DELETE FROM cluster_scans WHERE expires_at <= ?').run(this.#nowSeconds());
    const key = scanOrderKey(result.scan);
    const latest = this.db.prepare('SELECT scan_key, doc FROM latest WHERE cluster_id = ?').get(clusterId) as
      (DocRow & { scan_key: string }) | undefined;
    const becomesLatest = latest === undefined || key > latest.scan_key;
    const previous = becomesLatest
      ? latest
      : (this.db
          .prepare(
            'SELECT doc FROM cluster_scans WHERE cluster_id = ? AND scan_key < ? ORDER BY scan_key DESC LIMIT 1',
          )
          .get(clusterId, key) as DocRow | undefined);
    const firstSeen = this.db
      .prepare('SELECT check_id, status, seen_at FROM check_first_seen WHERE cluster_id = ?')
      .all(clusterId) as { check_id: string; status: string; seen_at: string }[];
    const previousResult = previous ? (JSON.parse(previous.doc) as ClusterResult) : null;
    const { result: stored, transitions } = applyCheckTransitions(
      result,
      previousResult,
      new Map(firstSeen.map((r) => [firstSeenKey(r.check_id, r.status), r.seen_at])),
    );
    const sighting = this.db.prepare(
      `INSERT INTO check_first_seen (cluster_id, check_id, status, scan_key, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (cluster_id, check_id, status) DO UPDATE SET scan_key = excluded.scan_key,
         seen_at = excluded.seen_at WHERE excluded.scan_key < check_first_seen.scan_key`,
    );
    for (const s of firstSightings(result)) sighting.run(clusterId, s.checkId, s.status, s.key, s.at);
    const doc = JSON.stringify(stored);
    const transitionsDoc = JSON.stringify(transitions);
    const expiresAt =
      Math.floor(Date.parse(result.scan.startedAt) / 1000) + this.settings.ttlDays * DAY_SECONDS;
    this.db
      .prepare(
        `INSERT INTO cluster_scans (cluster_id, scan_id, scan_key, expires_at, doc, transitions, stored_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(clusterId, result.scan.id, key, expiresAt, doc, transitionsDoc, this.settings.now().toISOString());
    if (becomesLatest)
      this.#replaceLatest(stored as StorableResult, key, doc, transitionsDoc, transitions, previousResult);
    return { outcome: 'stored', stored: { result: stored, transitions } };
  }

  #replaceLatest(
    result: StorableResult,
    key: string,
    doc: string,
    transitionsDoc: string,
    transitions: readonly CheckTransition[],
    previous: ClusterResult | null,
  ): void {
    const { id: clusterId, region } = result.cluster;
    this.db
      .prepare(
        `INSERT INTO latest (cluster_id, region, scan_id, scan_key, doc, transitions) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster_id) DO UPDATE SET region = excluded.region, scan_id = excluded.scan_id,
           scan_key = excluded.scan_key, doc = excluded.doc, transitions = excluded.transitions`,
      )
      .run(clusterId, region, result.scan.id, key, doc, transitionsDoc);
    this.db.prepare('DELETE FROM latest_checks WHERE cluster_id = ?').run(clusterId);
    this.db.prepare('DELETE FROM latest_statuses WHERE cluster_id = ?').run(clusterId);
    const insertCheck = this.db.prepare(
      `INSERT INTO latest_checks (cluster_id, check_id, region, status, severity, muted, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertStatus = this.db.prepare(
      'INSERT OR IGNORE INTO latest_statuses (status, cluster_id, region) VALUES (?, ?, ?)',
    );
    for (const check of result.checks) {
      const finding: Finding = { ...check, cluster: result.cluster, scan: result.scan };
      insertCheck.run(
        clusterId,
        check.id,
        region,
        check.status,
        check.severity,
        check.muted ? 1 : 0,
        JSON.stringify(finding),
      );
      if (!check.muted) insertStatus.run(check.status, clusterId, region);
    }
    const insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO regression_events (event_id, cluster_id, scan_id, doc, state)
       VALUES (?, ?, ?, ?, 'pending')`,
    );
    for (const event of regressionEvents(result, transitions, gateAtScan(previous)?.decision ?? null))
      insertEvent.run(event.id, clusterId, result.scan.id, JSON.stringify(event));
  }

  /**
   * Publishes the scan's pending regression events, each claimed first (so two puts running at
   * once do not both publish it) and marked published after the publisher resolved. A publisher
   * failure puts the event back to pending and rejects; the retried put publishes it.
   */
  async #publishPending(clusterId: string, scanId: string): Promise<number> {
    const { publish } = this.settings;
    if (publish === undefined) return 0;
    const events = this.db
      .prepare(
        `SELECT event_id, doc FROM regression_events
         WHERE cluster_id = ? AND scan_id = ? AND state != 'published' ORDER BY event_id`,
      )
      .all(clusterId, scanId) as (DocRow & { event_id: string })[];
    const claim = this.db.prepare(
      `UPDATE regression_events SET state = 'claimed', claimed_until = ?
       WHERE event_id = ? AND (state = 'pending' OR (state = 'claimed' AND claimed_until <= ?))`,
    );
    const release = this.db.prepare(
      `UPDATE regression_events SET state = 'pending', claimed_until = NULL WHERE event_id = ? AND state = 'claimed'`,
    );
    const done = this.db.prepare(
      `UPDATE regression_events SET state = 'published', claimed_until = NULL, published_at = ? WHERE event_id = ?`,
    );
    let published = 0;
    for (const event of events) {
      const nowSeconds = this.#nowSeconds();
      if (claim.run(nowSeconds + CLAIM_LEASE_SECONDS, event.event_id, nowSeconds).changes !== 1) continue;
      try {
        await publish(JSON.parse(event.doc));
      } catch (error) {
        release.run(event.event_id);
        throw new RegressionPublishError(event.event_id, { cause: error });
      }
      done.run(this.settings.now().toISOString(), event.event_id);
      published += 1;
    }
    return published;
  }

  #latestScanId(clusterId: string): string | undefined {
    const row = this.db.prepare('SELECT scan_id FROM latest WHERE cluster_id = ?').get(clusterId) as
      { scan_id: string } | undefined;
    return row?.scan_id;
  }

  #nowSeconds(): number {
    return Math.floor(this.settings.now().getTime() / 1000);
  }

  #position<P>(
    list: string,
    filters: object,
    cursor: string | null | undefined,
    valid: (p: unknown) => p is P,
  ): P | undefined {
    const position = this.settings.cursors.decode(list, filters as Record<string, unknown>, cursor);
    if (position === undefined) return undefined;
    if (!valid(position)) throw new InvalidCursorError('the cursor is malformed');
    return position;
  }

  #page<R, T>(
    list: string,
    filters: object,
    rows: readonly R[],
    limit: number,
    item: (row: R) => T,
    position: (row: R) => unknown,
  ): Page<T> {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last !== undefined
        ? this.settings.cursors.encode(list, filters as Record<string, unknown>, position(last))
        : null;
    return { items: items.map(item), nextCursor };
  }
}

interface DocRow {
  readonly doc: string;
}
interface MutelistRow {
  readonly version: number;
  readonly updated_at: string;
  readonly doc: string;
}

const storedMutelist = (row: MutelistRow): StoredMutelist => ({
  mutelist: JSON.parse(row.doc) as Record<string, unknown>,
  version: row.version,
  updatedAt: row.updated_at,
});

const isString = (p: unknown): p is string => typeof p === 'string';
const isStringPair = (p: unknown): p is [string, string] =>
  Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string');

/** A WHERE clause built from the filters present, with its parameters in order. */
class Conditions {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];
  add(clause: string, ...params: unknown[]): void {
    this.#clauses.push(clause);
    this.params.push(...params);
  }
  /** `column` starts with `prefix` (a range, so the index serves it; ':' + 1 is ';'). */
  addPrefix(column: string, prefix: string): void {
    this.add(`${column} >= ? AND ${column} < ?`, prefix, `${prefix.slice(0, -1)};`);
  }
  sql(): string {
    return this.#clauses.length === 0 ? '' : `WHERE ${this.#clauses.join(' AND ')}`;
  }
}
