import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../lambdas/cli/index.js';
import { dynamoTableDefinition, openDynamoStore } from '../../../lambdas/store/dynamodb/index.js';
import { CSV_COLUMNS } from '../../../lambdas/core/report/index.js';
import { fleetReportSchema } from '../../../lambdas/core/schema/index.js';
import { parseCsv } from '../../support/parse-csv.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { childrenNamed, parseXml } from '../../support/parse-xml.js';
import { SPAWNED, spawnCli } from './spawn-cli.js';
import { ACCOUNT_A, DEV_B, fillStore, fleet, OLD_C, PROD_A, scratchDir } from './store-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const scratch = scratchDir('fleet-dns-report-');
const storeFile = path.join(scratch, 'results.db');
/** `fleet-dns report` in-process: the command's logic (each spawn costs seconds of process start). */
const report = (...args: string[]) => runCliInProcess(['report', '--store', storeFile, ...args]);
/** `fleet-dns report` as a process, where its exit status and streams are the point. */
const reportProcess = (...args: string[]) => spawnCli(['report', '--store', storeFile, ...args]);
/** Checks in the newest report: dev-b 2, old-c 2, prod-a 3. */
const CHECKS = 7;

const MUTE_SG = `Mutelist:
  Accounts:
    "${ACCOUNT_A}":
      Checks:
        NET-SG-DNS-UDP:
          Regions: ["eu-west-1"]
          Resources: ["prod-a"]
          Reason: SG change ticket OPS-1
`;

beforeAll(async () => {
  const { results, runs } = fleet();
  await fillStore(storeFile, results, runs);
});

// In-process, but a spawned process where its exit status, streams or environment are the point.
describe('fleet-dns report', SPAWNED, () => {
  it('json (a spawned process): the fleet report of the newest scan, valid against the schema, each cluster its latest result', async () => {
    const { code, stdout, stderr } = await reportProcess('--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.OK);
    const json = JSON.parse(stdout) as Json;
    expect(fleetReportSchema.safeParse(json).success).toBe(true);
    expect(json.scan.id).toBe('s2');
    expect(json.clusters.map((c: Json) => c.cluster.id)).toEqual([OLD_C, PROD_A, DEV_B]);
    expect(json.clusters.map((c: Json) => c.scan.id)).toEqual(['s0', 's2', 's2']);
    const prod = json.clusters.find((c: Json) => c.cluster.id === PROD_A);
    expect(prod.checks.find((r: Json) => r.id === 'NET-SG-DNS-UDP').status).toBe('FAIL');
    expect(json.coverage.clustersScanned).toBe(2); // the s2 scan run's coverage
  });

  it("--scan s1: that scan's results only", async () => {
    const { code, stdout } = await report('--format', 'json', '--scan', 's1');
    expect(code).toBe(EXIT.OK);
    const json = JSON.parse(stdout) as Json;
    expect(json.scan.id).toBe('s1');
    expect(json.clusters.map((c: Json) => `${c.cluster.id} ${c.scan.id}`)).toEqual([`${PROD_A} s1`]);
    const unknown = await report('--scan', 'nope');
    expect(unknown.code).toBe(EXIT.USAGE);
    expect(unknown.stderr).toBe(
      `fleet-dns: error: --scan "nope": no such scan in the store at ${storeFile}\n`,
    );
  });

  it('csv: the header and one row per cluster × check', async () => {
    const { code, stdout } = await report('--format', 'csv');
    expect(code).toBe(EXIT.OK);
    expect(stdout).toContain('\r\n');
    const rows = parseCsv(stdout);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.length - 1).toBe(CHECKS);
    const checkId = rows[0]!.indexOf('check_id');
    const status = rows[0]!.indexOf('status');
    expect(rows.filter((r) => r[checkId] === 'NET-SG-DNS-UDP').map((r) => r[status])).toEqual(['FAIL']);
  });

  it('junit: well-formed XML, a testsuite per cluster, the FAIL as a failure', async () => {
    const { code, stdout } = await report('--format', 'junit');
    expect(code).toBe(EXIT.OK);
    const root = parseXml(stdout);
    expect(root.name).toBe('testsuites');
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes.name)).toEqual(expect.arrayContaining([DEV_B, OLD_C, PROD_A]));
    expect(suites).toHaveLength(3);
    const cases = suites.flatMap((s) => childrenNamed(s, 'testcase'));
    expect(cases).toHaveLength(CHECKS);
    expect(cases.filter((c) => childrenNamed(c, 'failure').length > 0)).toHaveLength(1);
  });

  it('sarif and asff: JSON documents with the FAIL in them', async () => {
    const sarif = await report('--format', 'sarif');
    expect(sarif.code).toBe(EXIT.OK);
    const log = JSON.parse(sarif.stdout) as Json;
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((r: Json) => r.ruleId)).toContain('NET-SG-DNS-UDP');
    const asff = await report('--format', 'asff');
    expect(asff.code).toBe(EXIT.OK);
    const findings = JSON.parse(asff.stdout) as Json[];
    expect(Array.isArray(findings)).toBe(true);
    const sg = findings.filter((f) => String(f.Id).endsWith('/fleet-dns/NET-SG-DNS-UDP'));
    expect(sg).toHaveLength(1);
    expect(sg[0]!.Compliance.Status).toBe('FAILED');
  });

  it('html: one page with the fleet counts and the regression', async () => {
    const { code, stdout } = await report('--format', 'html');
    expect(code).toBe(EXIT.OK);
    expect(stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(stdout).toContain('<span class="n">1</span>FAIL');
    expect(stdout).toContain('<span class="n">4</span>PASS');
    expect(stdout).toContain('<span class="n">2</span>WARN');
    expect(stdout).toContain(`${CHECKS} check results`);
    expect(stdout).toContain('NET-SG-DNS-UDP');
  });

  it('table (the default): the scan, counts, the regression since the previous scan, a row per cluster', async () => {
    const { code, stdout } = await report();
    expect(code).toBe(EXIT.OK);
    expect(stdout).toContain('scan s2');
    expect(stdout).toContain('3 clusters · PASS 4 · FAIL 1 · WARN 2 · ERROR 0 · SKIPPED 0 · muted 0');
    expect(stdout).toContain(
      `1 regressions since the previous scan:\n  ${PROD_A} NET-SG-DNS-UDP: PASS → FAIL`,
    );
    const rows = stdout.split('\n').filter((l) => /^\d{12}:/.test(l));
    expect(rows[0]).toMatch(new RegExp(`^${PROD_A}\\s`)); // worst first
    expect(rows.filter((l) => /\s\d+\s+\d+/.test(l))).toHaveLength(3);
  });

  it('--output FILE: the report in the file, nothing on stdout', async () => {
    const out = path.join(scratch, 'report.csv');
    const { code, stdout } = await report('--format', 'csv', '--output', out);
    expect(code).toBe(EXIT.OK);
    expect(stdout).toBe('');
    expect(parseCsv(readFileSync(out, 'utf8'))).toHaveLength(CHECKS + 1);
    const bad = await report('--output', path.join(scratch, 'no', 'dir.txt'));
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/^fleet-dns: error: --output \S+: no such directory\n$/);
  });

  it('--fail-on: 3 for an unmuted FAIL at or above it (the process exits 3), 0 below it; --ignore-exit-code turns 3 into 0', async () => {
    expect((await reportProcess('--fail-on', 'high')).code).toBe(EXIT.FINDINGS);
    expect((await report('--fail-on', 'medium', '--format', 'json')).code).toBe(EXIT.FINDINGS);
    expect((await report('--fail-on', 'critical')).code).toBe(EXIT.OK);
    expect((await report('--fail-on', 'high', '--ignore-exit-code')).code).toBe(EXIT.OK);
    const bad = await report('--fail-on', 'urgent');
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toBe(
      'fleet-dns: error: --fail-on "urgent": expected one of critical, high, medium, low, info\n',
    );
  });

  it('--mutelist mutes the FAIL (status kept, flagged) so --fail-on gives 0', async () => {
    const mutelist = path.join(scratch, 'mutelist.yaml');
    writeFileSync(mutelist, MUTE_SG);
    const { code, stdout } = await report('--format', 'json', '--mutelist', mutelist, '--fail-on', 'high');
    expect(code).toBe(EXIT.OK);
    const json = JSON.parse(stdout) as Json;
    const sg = json.clusters
      .find((c: Json) => c.cluster.id === PROD_A)
      .checks.find((r: Json) => r.id === 'NET-SG-DNS-UDP');
    expect(sg).toMatchObject({ status: 'FAIL', muted: true, mutedReason: 'SG change ticket OPS-1' });
  });

  it('an invalid --mutelist: exit 2, one line per problem, no report', async () => {
    const mutelist = path.join(scratch, 'bad-mutelist.yaml');
    writeFileSync(mutelist, MUTE_SG.replace('Regions: ["eu-west-1"]', 'Regions: eu-west-1'));
    const { code, stdout, stderr } = await report('--mutelist', mutelist);
    expect(code).toBe(EXIT.USAGE);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `fleet-dns: error: ${mutelist}: Accounts.${ACCOUNT_A}.Checks.NET-SG-DNS-UDP.Regions: must be a list of region names (e.g. eu-west-1), or *\n`,
    );
  });

  it('an empty store, or none at the path: exit 2 with one line (the process too), and no file is created', async () => {
    const missing = path.join(scratch, 'nothing-here.db');
    const none = await spawnCli(['report', '--store', missing]);
    expect(none).toEqual({
      code: EXIT.USAGE,
      stdout: '',
      stderr: `fleet-dns: error: no scan in the store at ${missing}: run \`fleet-dns scan\` or \`fleet-dns demo\` first\n`,
    });
    expect(() => readFileSync(missing)).toThrow();
    const empty = await fillStore(path.join(scratch, 'empty.db'), []);
    const emptyRun = await runCliInProcess(['report', '--store', empty, '--format', 'json']);
    expect(emptyRun.code).toBe(EXIT.USAGE);
    expect(emptyRun.stderr).toBe(
      `fleet-dns: error: no scan in the store at ${empty}: run \`fleet-dns scan\` or \`fleet-dns demo\` first\n`,
    );
  });

  it("the default store is the data directory's (a spawned process: XDG_DATA_HOME of its environment)", async () => {
    const data = scratchDir('fleet-dns-xdg-');
    await fillStore(path.join(data, 'fleet-dns', 'results.db'), fleet().results, fleet().runs);
    const { code, stdout } = await spawnCli(['report', '--format', 'json'], {
      env: { XDG_DATA_HOME: data },
    });
    expect(code).toBe(EXIT.OK);
    expect((JSON.parse(stdout) as Json).scan.id).toBe('s2');
  });

  it('--table NAME reads the DynamoDB store (a spawned process, dynalite behind AWS_ENDPOINT_URL_DYNAMODB), same report as the embedded one', async () => {
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const client = new DynamoDBClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await client.send(new CreateTableCommand(dynamoTableDefinition('fleet-dns-results').createTable));
      const store = openDynamoStore({
        tableName: 'fleet-dns-results',
        client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      });
      const { results, runs } = fleet();
      for (const r of results) await store.putClusterResult(r);
      for (const run of runs) await store.putScanRun(run);
      await store.close();
      // the same documents in an embedded store: both reports must be the same
      const sameFile = await fillStore(path.join(scratchDir('fleet-dns-same-'), 'results.db'), results, runs);
      const fromTable = await spawnCli(['report', '--table', 'fleet-dns-results', '--format', 'json'], {
        env,
      });
      expect(fromTable.stderr).toBe('');
      expect(fromTable.code).toBe(EXIT.OK);
      const fromFile = await runCliInProcess(['report', '--store', sameFile, '--format', 'json']);
      expect(JSON.parse(fromTable.stdout)).toEqual(JSON.parse(fromFile.stdout));
      const bad = await runCliInProcess(['report', '--table', 'no spaces allowed']);
      expect(bad.code).toBe(EXIT.USAGE);
      expect(bad.stderr).toMatch(/^fleet-dns: error: --table "no spaces allowed": not a DynamoDB table name/);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
