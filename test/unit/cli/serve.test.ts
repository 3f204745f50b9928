/**
 * `fleet-dns serve` as a process: the real CLI on --port 0 over a temporary embedded store,
 * called over real HTTP on loopback, then stopped with SIGTERM (exit 0).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { ACCOUNT_A, clusterResult, fleetSummary } from '../store/contract.js';
import { startServe } from '../../support/api-fleet.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { SPAWNED } from './spawn-cli.js';

const PROD_A = `${ACCOUNT_A}:eu-west-1:prod-a`;

describe('fleet-dns serve', SPAWNED, () => {
  let dir: string;
  let child: ChildProcess;
  let base: string;
  let stderr: () => string = () => '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-serve-'));
    const dbPath = path.join(dir, 'results.db');
    const store = openEmbeddedStore({ path: dbPath });
    const startedAt = new Date().toISOString();
    await store.putClusterResult(
      clusterResult({ scanId: 's1', startedAt, checks: { 'DNS-INTERNAL': 'FAIL' } }),
    );
    await store.putScanRun(fleetSummary('s1', startedAt));
    await store.close();

    const serve = await startServe(['--store', dbPath]);
    ({ child, base, exited } = serve);
    stderr = serve.stderr;
  }, SPAWNED.timeout);

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'listens on 127.0.0.1 and answers the API over HTTP',
    async () => {
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);

      const summary = await fetch(`${base}/summary`);
      expect(summary.status).toBe(200);
      expect(summary.headers.get('content-type')).toBe('application/json');
      expect(((await summary.json()) as { scan: { id: string } }).scan.id).toBe('s1');

      const clusters = await fetch(`${base}/clusters?limit=10`);
      expect(clusters.status).toBe(200);
      const page = (await clusters.json()) as { items: Array<{ cluster: { id: string } }>; nextCursor: null };
      expect(page.items.map((c) => c.cluster.id)).toEqual([PROD_A]);
      expect(page.nextCursor).toBeNull();

      const gate = await fetch(`${base}/clusters/${encodeURIComponent(PROD_A)}/gate?targetVersion=1.33`);
      expect(gate.status).toBe(200);
      expect(((await gate.json()) as { decision: string }).decision).toMatch(/^(fail|unknown)$/);

      const unknown = await fetch(
        `${base}/clusters/${encodeURIComponent(`${ACCOUNT_A}:eu-west-1:nope`)}/gate`,
      );
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toMatchObject({ decision: 'unknown', scan: null });

      const bad = await fetch(`${base}/clusters?limit=0`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'invalid-parameter', parameter: 'limit' } });

      const missing = await fetch(`${base}/nowhere`);
      expect(missing.status).toBe(404);

      // POST /scans runs the scan in the serve process: accepted at once with its id; here, with
      // no AWS credentials in the environment, the scan then fails and says so on stderr
      const starter = await fetch(`${base}/scans`, { method: 'POST', body: '{}' });
      expect(starter.status).toBe(202);
      const { scanId } = (await starter.json()) as { scanId: string };
      expect(scanId).toMatch(/^scan-\d{8}t\d{6}z-[0-9a-f]{6}$/);
      for (let i = 0; i < 200 && !stderr().includes(`scan ${scanId} failed`); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(stderr()).toMatch(new RegExp(`scan ${scanId} failed: .*credentials`, 'i'));
    },
    SPAWNED.timeout,
  );

  it('serves the compliance report with its media types', async () => {
    const types = { csv: /^text\/csv/, html: /^text\/html; charset=utf-8$/, json: /^application\/json$/ };
    for (const [format, type] of Object.entries(types)) {
      const res = await fetch(`${base}/reports/compliance?format=${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(await res.text()).toContain('prod-a');
    }
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // nothing went wrong but the scan that had no credentials
    expect(stderr().replace(/^fleet-dns: error: scan \S+ failed: .*$/m, '')).not.toMatch(/error/i);
  });
});

// The command's checks, in-process (a process exiting 2 on a usage error: report.test.ts, gate.test.ts).
describe('fleet-dns serve usage errors', () => {
  it('--table answers exit 2 for a malformed table name, and with --store (one store or the other)', async () => {
    const bad = await runCliInProcess(['serve', '--table', 'no spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^fleet-dns: error: --table "no spaces": not a DynamoDB table name/m);
    const both = await runCliInProcess(['serve', '--table', 'results', '--store', '/tmp/x.db']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--store and --table exclude each other/);
  });

  it('a bad --port answers exit 2 naming it', async () => {
    const run = await runCliInProcess(['serve', '--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port/);
  });
});
