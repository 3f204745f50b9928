/**
 * The embedded store's SQLite schema, as numbered migrations recorded in `schema_version`.
 * A database written by a newer fleet-dns (a higher version) is refused rather than misread.
 * Every list is served by an index in its ORDER BY order (README.md § Embedded).
 */
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';

const MIGRATIONS: readonly ((db: Database) => void)[] = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      -- history: one row per cluster and scan; expires_at = startedAt + ttlDays (epoch seconds)
      CREATE TABLE cluster_scans (
        cluster_id TEXT NOT NULL,
        scan_id TEXT NOT NULL,
        scan_key TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        transitions TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (cluster_id, scan_id)
      );
      CREATE UNIQUE INDEX cluster_scans_by_order ON cluster_scans (cluster_id, scan_key);
      CREATE INDEX cluster_scans_by_expiry ON cluster_scans (expires_at);

      -- the latest result per cluster, and what lists read from it
      CREATE TABLE latest (
        cluster_id TEXT PRIMARY KEY,
        region TEXT NOT NULL,
        scan_id TEXT NOT NULL,
        scan_key TEXT NOT NULL,
        doc TEXT NOT NULL,
        transitions TEXT NOT NULL
      );
      CREATE INDEX latest_by_region ON latest (region, cluster_id);
      -- a row per (status, cluster) with at least one unmuted check in that status
      CREATE TABLE latest_statuses (
        status TEXT NOT NULL,
        cluster_id TEXT NOT NULL,
        region TEXT NOT NULL,
        PRIMARY KEY (status, cluster_id)
      ) WITHOUT ROWID;
      CREATE INDEX latest_statuses_by_region ON latest_statuses (status, region, cluster_id);
      CREATE TABLE latest_checks (
        cluster_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        region TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        muted INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (cluster_id, check_id)
      );
      CREATE INDEX latest_checks_by_check ON latest_checks (check_id, cluster_id);
      CREATE INDEX latest_checks_by_status ON latest_checks (status, cluster_id, check_id);
      CREATE INDEX latest_checks_by_region ON latest_checks (region, cluster_id, check_id);

      CREATE TABLE scan_runs (scan_id TEXT PRIMARY KEY, scan_key TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX scan_runs_by_order ON scan_runs (scan_key);

      -- the outbox of regression events: written with the result, published after the commit
      CREATE TABLE regression_events (
        event_id TEXT PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        scan_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'published')),
        claimed_until INTEGER,
        published_at TEXT
      );
      CREATE INDEX regression_events_by_scan ON regression_events (cluster_id, scan_id, event_id);

      CREATE TABLE mutelist (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
    `);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('cursor_secret', ?)`).run(
      randomBytes(32).toString('base64url'),
    );
  },
  (db) => {
    // the first sighting per cluster × check × status (firstSeenAt: "first time this status was
    // seen"); the smallest scan_key wins, so a late older scan moves it earlier and a retry is a no-op
    db.exec(`
      CREATE TABLE check_first_seen (
        cluster_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        scan_key TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (cluster_id, check_id, status)
      ) WITHOUT ROWID;
      INSERT INTO check_first_seen (cluster_id, check_id, status, scan_key, seen_at)
        SELECT s.cluster_id, json_extract(c.value, '$.id'), json_extract(c.value, '$.status'),
               MIN(s.scan_key), json_extract(s.doc, '$.scan.startedAt')
        FROM cluster_scans s, json_each(s.doc, '$.checks') c
        GROUP BY 1, 2, 3;
    `);
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to {@link SCHEMA_VERSION}, one transaction per migration (IMMEDIATE: two processes
 * opening a new file at once apply each migration once).
 *
 * @throws StoreError when the database is newer than this code
 */
export function migrate(db: Database, now: () => Date): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const currentVersion = (): number =>
    (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
  const found = currentVersion();
  if (found > SCHEMA_VERSION)
    throw new StoreError(
      `the results database has schema version ${found}, newer than this fleet-dns understands (${SCHEMA_VERSION})`,
    );
  for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
    db.transaction(() => {
      if (currentVersion() >= version) return;
      MIGRATIONS[version - 1]?.(db);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        version,
        now().toISOString(),
      );
    }).immediate();
  }
}
