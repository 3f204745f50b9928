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

  it('demo: three clusters run the real runner in the netns lab, the other five replay, all through the scan path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-demo-lab-'));
    const ours = `${LAB_NETNS_PREFIX}${process.pid}-`;
    const before = labNamespacesOnMachine(ours).length;
    try {
      const io = captureIo();
      expect(
        await runCli(['demo', '--store', path.join(dir, 'demo.db'), '--day', '1', '--format', 'json'], io),
      ).toBe(EXIT.OK);
      expect(io.err).toContain(
        'the real runner in the netns lab for payments-prod, search-prod, platform-tools; recorded lab runs replayed for the other 5 clusters',
      );
      const report = fleetReportSchema.parse(JSON.parse(io.out));
      expect(report.clusters).toHaveLength(8);
      const cluster = (name: string) => report.clusters.find((c) => c.cluster.name === name);
      // the live labs' own runs: the dropping pod, the missing DNAT, and a healthy cluster
      expect(cluster('search-prod')?.diagnosis[0]?.cause).toBe('coredns-pod');
      expect(cluster('platform-tools')?.diagnosis[0]?.cause).toBe('kube-proxy');
      expect(cluster('payments-prod')?.diagnosis.map((d) => d.cause)).toEqual(['healthy']);
      for (const name of ['search-prod', 'platform-tools', 'payments-prod'])
        expect(cluster(name)?.checks.find((c) => c.id === 'DNS-CAPTURE')?.status).toMatch(/^(PASS|FAIL)$/);
      // nothing of the labs is left on the machine
      expect(labNamespacesOnMachine(ours).length).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
