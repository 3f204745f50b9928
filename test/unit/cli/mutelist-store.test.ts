/**
 * `mutelist put` / `mutelist show` in process, over a temporary embedded store: a valid file is
 * stored (versioned) and then counts for `gate` and `report`; an invalid one is refused with exit 2
 * and leaves the stored one as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { captureIo } from '../../support/cli-io.js';
import { ACCOUNT_A, clusterResult, fleetSummary } from '../store/contract.js';

const PROD_A = `${ACCOUNT_A}:eu-west-1:prod-a`;
const MUTE_INTERNAL = `Mutelist:
  Accounts:
    "${ACCOUNT_A}":
      Checks:
        DNS-INTERNAL:
          Regions: ["eu-west-1"]
          Resources: ["prod-a"]
          Reason: "CHG-1234: resolver migration"
`;

let dir: string;
let db: string;
const cli = async (...argv: string[]) => {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-mutelist-store-'));
  db = path.join(dir, 'nested', 'results.db');
  writeFileSync(path.join(dir, 'mute.yaml'), MUTE_INTERNAL);
  writeFileSync(
    path.join(dir, 'bad.yaml'),
    MUTE_INTERNAL.replace('    Reason: "CHG-1234: resolver migration"\n', ''),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet-dns mutelist put / show', () => {
  it('show on a store that does not exist prints null and says so', async () => {
    const shown = await cli('mutelist', 'show', '--store', db);
    expect(shown).toMatchObject({ code: EXIT.OK, out: 'null\n' });
    expect(shown.err).toMatch(/no mutelist is stored in .*results\.db/);
  });

  it('stores a valid file (creating the store), versioned; gate and report apply it', async () => {
    // the mutelist goes in first (creating the store); the failing scan after it is stored unmuted
    const startedAt = new Date().toISOString();
    const seeded = await (async () => {
      const put = await cli('mutelist', 'put', path.join(dir, 'mute.yaml'), '--store', db);
      expect(put.code).toBe(EXIT.OK);
      expect(put.out).toMatch(
        /mute\.yaml: stored as mutelist version 1 in .*results\.db \(1 entry in 1 account\)/,
      );
      const s = openEmbeddedStore({ path: db });
      const result: ClusterResult = clusterResult({
        scanId: 's1',
        startedAt,
        checks: { 'DNS-INTERNAL': 'FAIL' },
      });
      await s.putClusterResult({ ...result, scan: { id: 's1', startedAt, finishedAt: startedAt } });
      await s.putScanRun(fleetSummary('s1', startedAt));
      await s.close();
      return result;
    })();
    expect(seeded.checks[0]).toMatchObject({ muted: false }); // stored unmuted

    const gate = await cli('gate', '--cluster', PROD_A, '--store', db, '--format', 'json');
    expect(gate.code).toBe(EXIT.OK);
    expect(JSON.parse(gate.out)).toMatchObject({ decision: 'pass' });
    const report = await cli('report', '--store', db, '--format', 'json');
    const internal = (JSON.parse(report.out) as { clusters: ClusterResult[] }).clusters[0]!.checks[0];
    expect(internal).toMatchObject({
      id: 'DNS-INTERNAL',
      status: 'FAIL',
      muted: true,
      mutedReason: 'CHG-1234: resolver migration',
    });

    const again = await cli('mutelist', 'put', path.join(dir, 'mute.yaml'), '--store', db);
    expect(again.out).toMatch(/version 2/);
    const shown = JSON.parse((await cli('mutelist', 'show', '--store', db)).out) as {
      version: number;
      mutelist: unknown;
    };
    expect(shown.version).toBe(2);
    expect(shown.mutelist).toMatchObject({
      Mutelist: { Accounts: { [ACCOUNT_A]: { Checks: { 'DNS-INTERNAL': {} } } } },
    });
  });

  it('refuses an invalid file with exit 2, one line per problem, and keeps the stored one', async () => {
    const put = await cli('mutelist', 'put', path.join(dir, 'bad.yaml'), '--store', db);
    expect(put.code).toBe(EXIT.USAGE);
    expect(put.err).toMatch(/bad\.yaml: .*DNS-INTERNAL.*Reason/);
    const shown = JSON.parse((await cli('mutelist', 'show', '--store', db)).out) as { version: number };
    expect(shown.version).toBe(2);
  });

  it('--store and --table exclude each other (exit 2)', async () => {
    const put = await cli(
      'mutelist',
      'put',
      path.join(dir, 'mute.yaml'),
      '--store',
      db,
      '--table',
      'results',
    );
    expect(put.code).toBe(EXIT.USAGE);
    expect(put.err).toMatch(/--store and --table exclude each other/);
  });
});
