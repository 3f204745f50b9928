import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultStorePath,
  openEmbeddedStore,
  SCHEMA_VERSION,
} from '../../../lambdas/store/embedded/index.js';
import { StoreError } from '../../../lambdas/store/index.js';
import { clusterResult, describeStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-dns-store-'));
let files = 0;
const newPath = () => join(dir, `results-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('embedded (SQLite)', async (options) =>
  openEmbeddedStore({ path: newPath(), ...options }),
);

describe('embedded store', () => {
  it('lives under the XDG data directory, else ~/.local/share', () => {
    expect(defaultStorePath({ XDG_DATA_HOME: '/data' }, '/home/u')).toBe('/data/fleet-dns/results.db');
    expect(defaultStorePath({}, '/home/u')).toBe('/home/u/.local/share/fleet-dns/results.db');
    expect(defaultStorePath({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe(
      '/home/u/.local/share/fleet-dns/results.db',
    );
    expect(defaultStorePath({ XDG_DATA_HOME: '' }, '/home/u')).toBe(
      '/home/u/.local/share/fleet-dns/results.db',
    );
  });

  it('is one WAL file with a recorded schema version, and keeps data and cursors across reopening', async () => {
    const path = join(dir, 'nested', 'dir', 'results.db');
    const first = openEmbeddedStore({ path });
    for (const name of ['a', 'b'])
      await first.putClusterResult(
        clusterResult({
          name,
          scanId: 's0',
          startedAt: '2025-06-01T00:00:00Z',
          checks: { 'DNS-INTERNAL': 'PASS' },
        }),
      );
    const { nextCursor } = await first.listClusters({ limit: 1 });
    await first.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    raw.close();
    const again = openEmbeddedStore({ path });
    expect(
      (await again.listClusters({ limit: 1, cursor: nextCursor })).items.map((r) => r.cluster.name),
    ).toEqual(['b']);
    await again.close();
  });

  it('refuses a database written by a newer schema', async () => {
    const path = newPath();
    await openEmbeddedStore({ path }).close();
    const raw = new Database(path);
    raw
      .prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)')
      .run(SCHEMA_VERSION + 1, 'later');
    raw.close();
    expect(() => openEmbeddedStore({ path })).toThrow(StoreError);
  });

  it('serves every statement from an index: no full read of history, no sort of a list', async () => {
    const statements: string[] = [];
    const path = newPath();
    const store = openEmbeddedStore({ path, trace: (sql) => statements.push(sql), publish: async () => {} });
    const id = '111122223333:eu-west-1:prod-a';
    for (const [n, status] of [
      [0, 'PASS'],
      [1, 'FAIL'],
      [2, 'FAIL'],
    ] as const)
      await store.putClusterResult(
        clusterResult({
          scanId: `s${n}`,
          startedAt: `2025-06-0${n + 1}T00:00:00Z`,
          checks: { 'NET-SG-DNS-UDP': status },
        }),
      );
    await store.putClusterResult(
      clusterResult({
        scanId: 's0',
        startedAt: '2025-06-01T00:00:00Z',
        checks: { 'NET-SG-DNS-UDP': 'PASS' },
      }),
    );
    await store.getLatest(id);
    await store.getClusterScan(id, 's1');
    const scans = await store.listClusterScans(id, { limit: 1 });
    await store.listClusterScans(id, { limit: 1, cursor: scans.nextCursor });
    const filters = [
      {},
      { status: 'FAIL' },
      { account: '111122223333' },
      { account: '111122223333', region: 'eu-west-1' },
      { region: 'eu-west-1' },
      { region: 'eu-west-1', status: 'FAIL' },
    ] as const;
    for (const f of filters) await store.listClusters({ ...f, limit: 1 });
    for (const f of [
      ...filters,
      { check: 'NET-SG-DNS-UDP' },
      { check: 'DNS-INTERNAL', status: 'PASS' },
    ] as const) {
      const page = await store.listFindings({ ...f, limit: 1 });
      await store.listFindings({ ...f, limit: 1, cursor: page.nextCursor });
    }
    await store.getSummary();
    await store.getScan('s0');
    await store.close();

    const raw = new Database(path, { readonly: true });
    const reads = statements.filter(
      (sql) => /^\s*(SELECT|UPDATE|DELETE)/i.test(sql) && !/schema_version|FROM meta/.test(sql),
    );
    expect(reads.length).toBeGreaterThan(20);
    const problems = reads.flatMap((sql) => {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map(
        (r) => r.detail,
      );
      // an index walked in order and stopped by LIMIT is fine; a table read whole or a list sorted is not
      const walk = (d: string) => /^SCAN \w+ USING (COVERING )?INDEX/.test(d) && /\bLIMIT\b/.test(sql);
      const bad = plan.filter(
        (d) =>
          (/^SCAN (cluster_scans|regression_events|scan_runs)\b/.test(d) && !walk(d)) ||
          /TEMP B-TREE/.test(d),
      );
      return bad.length > 0 ? [`${sql}\n  ${plan.join('\n  ')}`] : [];
    });
    raw.close();
    expect(problems).toEqual([]);
  });
});
