import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import '../../../lab/cli/index.js';
import { fleetReportSchema } from '../../../lambdas/core/schema/index.js';
import { captureIo } from '../../support/cli-io.js';

describe('fleet-dns demo (AWS side, embedded fleet)', () => {
  it('audits every embedded cluster and diagnoses each one', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--no-lab', '--format', 'json'], io)).toBe(EXIT.OK);
    const report = fleetReportSchema.parse(JSON.parse(io.out));
    const causes = Object.fromEntries(
      report.clusters.map((c) => [c.cluster.name, c.diagnosis.map((d) => d.cause).join(',')]),
    );
    expect(causes).toEqual({
      'analytics-prod': 'tcp-blocked',
      'batch-dev': 'resolver-throttling',
      'checkout-prod': 'network-path',
      'payments-prod': 'healthy',
      'search-staging': 'network-path',
    });
    expect(report.coverage).toMatchObject({ accounts: 3, clustersScanned: 5, gaps: [] });
    // every cluster carries all ten AWS-side checks
    for (const c of report.clusters) expect(c.checks).toHaveLength(10);
  });

  it('prints a fleet table naming the failing checks of each unhealthy cluster', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--no-lab'], io)).toBe(EXIT.OK);
    expect(io.out).toMatch(/^CLUSTER\s+PASS\s+WARN\s+FAIL\s+ERROR\s+SKIPPED\s+DIAGNOSIS/);
    expect(io.out).toMatch(/111122223333:eu-west-1:checkout-prod[\s\S]*FAIL\s+NET-SG-DNS-UDP/);
    expect(io.out).toMatch(/444455556666:us-east-1:search-staging[\s\S]*FAIL\s+NET-NACL-DNS-UDP/);
    expect(io.out).not.toMatch(/payments-prod\n\s+FAIL/);
  });
});
