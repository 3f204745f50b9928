/**
 * The CLI's lab paths end to end (root): `fleet-dns lab run` and the in-cluster half of
 * `fleet-dns demo`, each building a real lab and running the real runner in it.
 */
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../lambdas/cli/index.js';
import { clusterResultSchema, fleetReportSchema } from '../../lambdas/core/schema/index.js';
import { labNamespacesOnMachine } from '../../lab/engine/index.js';
import { captureIo } from '../support/cli-io.js';
import { ROOT, command, prerequisites } from '../support/prerequisites.js';

const ready = prerequisites(
  ROOT,
  command('ip', 'iproute2'),
  command('iptables', 'iptables'),
  command('dnsmasq', 'dnsmasq-base'),
  command('tcpdump', 'tcpdump'),
);

describe.runIf(ready)('fleet-dns lab run / demo with the netns lab', () => {
  it('lab run tcp-blocked: diagnoses tcp-blocked from the real data path and leaves no namespace behind', async () => {
    const before = labNamespacesOnMachine().length;
    const io = captureIo();
    expect(await runCli(['lab', 'run', 'tcp-blocked', '--format', 'json'], io)).toBe(EXIT.OK);
    const [cluster] = (JSON.parse(io.out) as unknown[]).map((c) => clusterResultSchema.parse(c));
    expect(cluster?.cluster.id).toBe('000000000000:lab:tcp-blocked');
    expect(cluster?.checks.find((c) => c.id === 'DNS-TCP-FALLBACK')?.status).toBe('FAIL');
    expect(cluster?.diagnosis.map((d) => d.cause)).toContain('tcp-blocked');
    expect(labNamespacesOnMachine().length).toBe(before);
  });

  it('demo: the embedded fleet plus a healthy lab cluster', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--scenario', 'healthy', '--format', 'json'], io)).toBe(EXIT.OK);
    const report = fleetReportSchema.parse(JSON.parse(io.out));
    const lab = report.clusters.find((c) => c.cluster.id === '000000000000:lab:healthy');
    expect(lab?.diagnosis.map((d) => d.cause)).toEqual(['healthy']);
    expect(lab?.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['DNS-INTERNAL', 'K8S-DNS-ENDPOINTS', 'NODE-LINKLOCAL-ALLOWANCE']),
    );
    expect(report.clusters).toHaveLength(6);
  });
});
