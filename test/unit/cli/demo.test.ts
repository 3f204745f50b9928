/**
 * `fleet-dns demo` without the lab (the path of every machine without root): the bundled fleet
 * scanned through `scan`'s code path — the fake AWS endpoint on 127.0.0.1 for the AWS side, every
 * cluster's runner replayed from recorded lab runs through the real dispatch/collect steps — into
 * a scratch store; the second run is day 2 and shows the regression.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../lambdas/cli/index.js';
import '../../../lab/cli/index.js';
import { fleetReportSchema } from '../../../lambdas/core/schema/index.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { spawnCli } from './spawn-cli.js';
import { scratchDir } from './store-fixture.js';

const scratch = scratchDir('fleet-dns-demo-');

/** The cause the demo fleet's faults lead to, per cluster (replayed runs are deterministic). */
const EXPECTED_CAUSES = {
  'payments-prod': 'healthy',
  'payments-dr': 'upstream',
  'search-prod': 'coredns-pod',
  'search-staging': 'network-path',
  'search-dev': 'healthy',
  'platform-tools': 'kube-proxy',
  'platform-prod': 'healthy',
  'batch-dev': 'healthy',
};

describe('fleet-dns demo --no-lab (replayed in-cluster half)', () => {
  const store = path.join(scratch, 'demo.db');

  it('day 1: scans 8 clusters in 3 accounts × 2 regions and diagnoses each, saying the runs are replayed', async () => {
    const run = await runCliInProcess(['demo', '--no-lab', '--store', store, '--format', 'json']);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stderr).toContain('replaying recorded lab runs for every cluster (--no-lab)');
    expect(run.stderr).toMatch(/AWS side: \d+ requests to the fake AWS endpoint on 127\.0\.0\.1/);
    const report = fleetReportSchema.parse(JSON.parse(run.stdout));
    expect(Object.fromEntries(report.clusters.map((c) => [c.cluster.name, c.diagnosis[0]?.cause]))).toEqual(
      EXPECTED_CAUSES,
    );
    expect(report.coverage).toMatchObject({ accounts: 3, regions: 6, clustersScanned: 8, gaps: [] });
    // the only-AWS fault and the only-in-cluster fault, each seen by its half
    const check = (name: string, id: string) =>
      report.clusters.find((c) => c.cluster.name === name)?.checks.find((k) => k.id === id)?.status;
    expect(check('search-staging', 'NET-NACL-DNS-UDP')).toBe('FAIL');
    expect(check('search-staging', 'DNS-PER-ENDPOINT')).toBe('PASS');
    expect(check('search-prod', 'DNS-PER-ENDPOINT')).toBe('FAIL');
    expect(check('search-prod', 'NET-NACL-DNS-UDP')).toBe('PASS');
    expect(existsSync(path.join(scratch, 'demo-report.html'))).toBe(true);
  }, 120_000);

  it('day 2 (the second run): the fleet table, the regression, top diagnoses and the HTML report path', async () => {
    const run = await runCliInProcess(['demo', '--no-lab', '--store', store]);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stderr).toContain(
      'day 2: 8 clusters in 3 accounts × 2 regions (one fault changed since day 1)',
    );
    expect(run.stdout).toMatch(/^scan scan-\d{8}t\d{6}z-[0-9a-f]{6} /);
    expect(run.stdout).toContain('1 regressions since the previous scan:');
    expect(run.stdout).toContain('111111111111:eu-west-1:payments-prod NET-NACL-DNS-UDP: PASS → FAIL');
    expect(run.stdout).toMatch(/CLUSTER\s+PASS\s+WARN\s+FAIL\s+ERROR\s+SKIPPED\s+DIAGNOSIS/);
    expect(run.stdout).toMatch(/Top diagnoses:\n\s+333333333333:eu-west-1:platform-tools\s+kube-proxy/);
    const html = path.join(scratch, 'demo-report.html');
    expect(run.stdout).toContain(`HTML report: ${html}`);
    expect(readFileSync(html, 'utf8')).toContain('payments-prod');
    // history: two scans of payments-prod, the newest failing the NACL check
    const opened = openEmbeddedStore({ path: store });
    try {
      const history = await opened.listClusterScans('111111111111:eu-west-1:payments-prod', {
        limit: 10,
        cursor: null,
      });
      expect(history.items).toHaveLength(2);
    } finally {
      await opened.close();
    }
  }, 120_000);

  it('--day 2 on a fresh store plays the changed fault without a previous scan to regress from', async () => {
    const fresh = path.join(scratch, 'day2', 'demo.db');
    const run = await runCliInProcess([
      'demo',
      '--no-lab',
      '--store',
      fresh,
      '--day',
      '2',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stderr).toContain('day 2:');
    const report = fleetReportSchema.parse(JSON.parse(run.stdout));
    const payments = report.clusters.find((c) => c.cluster.name === 'payments-prod');
    expect(payments?.checks.find((k) => k.id === 'NET-NACL-DNS-UDP')?.status).toBe('FAIL');
    expect(payments?.diagnosis[0]?.cause).toBe('network-path');
  }, 120_000);

  it('--serve: serves the API over the demo store on 127.0.0.1 with curl examples, until Ctrl-C (a process)', async () => {
    const served = path.join(scratch, 'served', 'demo.db');
    let summary: unknown;
    let examples = '';
    const run = await spawnCli(['demo', '--no-lab', '--store', served, '--serve', '--port', '0', '--quiet'], {
      onSpawn: (child) => {
        let err = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          err += chunk.toString('utf8');
          const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)?.[1];
          if (port === undefined || summary !== undefined) return;
          summary = null;
          void fetch(`http://127.0.0.1:${port}/summary`)
            .then(async (r) => (summary = { status: r.status, body: (await r.json()) as unknown }))
            .finally(() => {
              examples = err;
              child.kill('SIGINT');
            });
        });
      },
    });
    expect(run.code).toBe(EXIT.OK);
    expect(summary).toMatchObject({ status: 200, body: { coverage: { clustersScanned: 8 } } });
    expect(examples).toMatch(/curl -s 'http:\/\/127\.0\.0\.1:\d+\/clusters\?status=FAIL'/);
  }, 120_000);

  it('--day outside 1–2 is a usage error (exit 2)', async () => {
    const run = await runCliInProcess(['demo', '--no-lab', '--store', store, '--day', '3']);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toBe('fleet-dns: error: --day "3": expected 1 or 2\n');
  });
});
