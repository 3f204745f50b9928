/**
 * The CLI's lab paths end to end (root): `fleet-dns lab run` (with its judgement of the
 * scenario's `expect` block) and the in-cluster half of `fleet-dns demo`, each building a real lab
 * and running the real runner in it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { EXIT, runCli } from '../../lambdas/cli/index.js';
import '../../lab/cli/index.js';
import { clusterResultSchema, fleetReportSchema } from '../../lambdas/core/schema/index.js';
import { labNamespacesOnMachine } from '../../lab/engine/index.js';
import { LAB_NETNS_PREFIX } from '../../lab/engine/names.js';
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
    // Only this process's labs: other test files may build labs of their own at the same time.
    const ours = `${LAB_NETNS_PREFIX}${process.pid}-`;
    const before = labNamespacesOnMachine(ours).length;
    const io = captureIo();
    expect(await runCli(['lab', 'run', 'tcp-blocked', '--format', 'json'], io)).toBe(EXIT.OK);
    const [cluster] = (JSON.parse(io.out) as unknown[]).map((c) => clusterResultSchema.parse(c));
    expect(cluster?.cluster.id).toBe('000000000000:lab:tcp-blocked');
    expect(cluster?.checks.find((c) => c.id === 'DNS-TCP-FALLBACK')?.status).toBe('FAIL');
    expect(cluster?.diagnosis.map((d) => d.cause)).toContain('tcp-blocked');
    expect(labNamespacesOnMachine(ours).length).toBe(before);
  });

  it('lab run PATH: a scenario whose expect block is wrong exits 3 and prints what held and what did not', async () => {
    const healthy = readFileSync(
      fileURLToPath(new URL('../../lab/scenarios/healthy.yaml', import.meta.url)),
      'utf8',
    );
    const wrong = {
      ...(parseYaml(healthy) as Record<string, unknown>),
      expect: {
        checks: { 'DNS-INTERNAL': 'PASS', 'DNS-EXTERNAL': 'FAIL' },
        diagnosis: ['healthy'],
        notDiagnosis: ['upstream'],
      },
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-lab-cli-'));
    try {
      const file = path.join(dir, 'healthy-expecting-fail.yaml');
      writeFileSync(file, toYaml(wrong));
      const io = captureIo();
      expect(await runCli(['lab', 'run', file], io)).toBe(EXIT.FINDINGS);
      const judgement = io.out.slice(io.out.indexOf('lab healthy-expecting-fail:')).trim().split('\n');
      expect(judgement[0]).toBe('lab healthy-expecting-fail: expect did NOT hold (1 of 4 not held)');
      expect(judgement.slice(1).map((l) => l.replace(/; got .*/, ''))).toEqual([
        '  held      DNS-INTERNAL is PASS',
        '  NOT HELD  DNS-EXTERNAL is FAIL',
        '  held      diagnosis has healthy',
        '  held      diagnosis has no upstream',
      ]);
      expect(judgement[2]).toMatch(/; got DNS-EXTERNAL is PASS/);

      // JSON keeps stdout machine-readable (the cluster results) and the judgement on stderr.
      const json = captureIo();
      expect(await runCli(['lab', 'run', file, '--format', 'json', '--ignore-exit-code'], json)).toBe(
        EXIT.OK,
      );
      expect(clusterResultSchema.parse((JSON.parse(json.out) as unknown[])[0]).cluster.name).toBe(
        'healthy-expecting-fail',
      );
      expect(json.err).toMatch(/^lab healthy-expecting-fail: expect did NOT hold \(1 of 4 not held\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
