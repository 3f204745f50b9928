import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../lambdas/cli/index.js';
import { gateDecisionSchema } from '../../../lambdas/core/schema/index.js';
import { runCliInProcess } from '../../support/cli-io.js';
import type { CliRun } from '../../support/cli-io.js';
import { SPAWNED, spawnCli } from './spawn-cli.js';
import { DEV_B, fillStore, fleet, OLD_C, PROD_A, scratchDir } from './store-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const scratch = scratchDir('fleet-dns-gate-');
const storeFile = path.join(scratch, 'results.db');
/** `fleet-dns gate` in-process: the command's logic (each spawn costs seconds of process start). */
const gate = (...args: string[]) => runCliInProcess(['gate', '--store', storeFile, ...args]);
/** `fleet-dns gate` as a process, where its exit status and streams are the point. */
const gateProcess = (...args: string[]) => spawnCli(['gate', '--store', storeFile, ...args]);
function withJson(run: CliRun | Awaited<ReturnType<typeof spawnCli>>) {
  const json = JSON.parse(run.stdout) as Json;
  expect(gateDecisionSchema.safeParse(json).success).toBe(true);
  return { ...run, json };
}
const gateJson = async (...args: string[]) => withJson(await gate('--format', 'json', ...args));
const gateProcessJson = async (...args: string[]) => withJson(await gateProcess('--format', 'json', ...args));

beforeAll(async () => {
  const { results, runs } = fleet();
  await fillStore(storeFile, results, runs);
});

// In-process, but a spawned process where its exit status and streams are the point.
describe('fleet-dns gate', SPAWNED, () => {
  it('pass (a spawned process): exit 0, the decision of the latest scan', async () => {
    const { code, json, stderr } = await gateProcessJson('--cluster', DEV_B);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(json.decision).toBe('pass');
    expect(json.scan.id).toBe('s2');
    expect(json.reasons.map((r: Json) => r.code)).toEqual(['warning']);
  });

  it('fail: exit 3 (the process too) with the failing check; --severity critical lets it pass; --ignore-exit-code gives 0', async () => {
    const failed = await gateProcessJson('--cluster', PROD_A);
    expect(failed.code).toBe(EXIT.FINDINGS);
    expect(failed.json.decision).toBe('fail');
    expect(failed.json.reasons[0]).toMatchObject({ code: 'check-failed', checkId: 'NET-SG-DNS-UDP' });
    const critical = await gateJson('--cluster', PROD_A, '--severity', 'critical');
    expect(critical.code).toBe(EXIT.OK);
    expect(critical.json.decision).toBe('pass');
    expect((await gate('--cluster', PROD_A, '--ignore-exit-code')).code).toBe(EXIT.OK);
  });

  it('the table: the decision and its reasons', async () => {
    const { code, stdout } = await gate('--cluster', PROD_A);
    expect(code).toBe(EXIT.FINDINGS);
    expect(stdout.split('\n')[0]).toBe(`${PROD_A}: FAIL`);
    expect(stdout).toMatch(/^ {2}check-failed NET-SG-DNS-UDP: NET-SG-DNS-UDP FAIL \(high\)/m);
  });

  it('stale: unknown, exit 3; a longer --freshness-hours passes; --allow-unknown gives 0', async () => {
    const stale = await gateJson('--cluster', OLD_C);
    expect(stale.code).toBe(EXIT.FINDINGS);
    expect(stale.json).toMatchObject({ decision: 'unknown', scan: { id: 's0' } });
    expect(stale.json.reasons[0].code).toBe('stale');
    expect((await gateJson('--cluster', OLD_C, '--freshness-hours', '100')).code).toBe(EXIT.OK);
    expect((await gate('--cluster', OLD_C, '--allow-unknown')).code).toBe(EXIT.OK);
  });

  it('no scan (a cluster the store does not know, or no store at all): unknown, exit 3; --allow-unknown gives 0', async () => {
    const unknown = await gateJson('--cluster', '999988887777:eu-west-1:prod-z');
    expect(unknown.code).toBe(EXIT.FINDINGS);
    expect(unknown.json).toEqual({
      decision: 'unknown',
      reasons: [{ code: 'no-scan', message: 'no scan of this cluster is stored' }],
      scan: null,
    });
    const allowed = await gate('--cluster', '999988887777:eu-west-1:prod-z', '--allow-unknown');
    expect(allowed.code).toBe(EXIT.OK);
    const noStore = await runCliInProcess([
      'gate',
      '--store',
      path.join(scratch, 'none.db'),
      '--cluster',
      PROD_A,
    ]);
    expect(noStore.code).toBe(EXIT.FINDINGS);
    expect(noStore.stdout.split('\n')[0]).toBe(`${PROD_A}: UNKNOWN`);
  });

  it('a bare cluster name unique in the store is that cluster', async () => {
    const { code, stdout } = await gate('--cluster', 'dev-b');
    expect(code).toBe(EXIT.OK);
    expect(stdout.split('\n')[0]).toBe(`${DEV_B}: PASS`);
  });

  it('a malformed cluster id or target version: exit 2, one line naming it', async () => {
    const badId = await gate('--cluster', '1234:eu-west-1:prod-a');
    expect(badId.code).toBe(EXIT.USAGE);
    expect(badId.stdout).toBe('');
    expect(badId.stderr).toMatch(/^fleet-dns: error: --cluster "1234:eu-west-1:prod-a": [^\n]+\n$/);
    const badVersion = await gate('--cluster', PROD_A, '--target-version', 'latest');
    expect(badVersion.code).toBe(EXIT.USAGE);
    expect(badVersion.stderr).toBe(
      'fleet-dns: error: --target-version "latest": expected an EKS version MAJOR.MINOR, e.g. 1.33\n',
    );
    const badHours = await gate('--cluster', PROD_A, '--freshness-hours', '0');
    expect(badHours.code).toBe(EXIT.USAGE);
    expect(badHours.stderr).toMatch(/^fleet-dns: error: --freshness-hours "0": [^\n]+\n$/);
  });

  it('a well-formed --target-version is judged (the scan has no add-on check: said in a warning)', async () => {
    const { code, json } = await gateJson('--cluster', DEV_B, '--target-version', '1.34');
    expect(code).toBe(EXIT.OK);
    expect(json.reasons.map((r: Json) => r.message).join('\n')).toContain('1.34');
  });
});
