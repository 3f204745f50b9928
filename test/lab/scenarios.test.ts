/**
 * Every scenario in lab/scenarios, run with the real runner (the one-file bundle of
 * runner-image/build.mjs, as the image runs it): build the lab, start the node
 * agents on the CoreDNS nodes, run `runner probe --kubeconfig K --resolv-conf R --output OUT
 * --scan-id S --cluster-id C` inside the probe pod's namespace, combine and diagnose as the
 * collector does, and assert the scenario's expected statuses and diagnosis causes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, startLab } from '../../lab/engine/index.js';
import type { Lab, ScenarioRun } from '../../lab/engine/index.js';
import { loadScenario } from '../../lab/scenarios/schema.js';
import { runnerResultSchema } from '../../lambdas/core/schema/index.js';
import { ROOT, command, prerequisites } from '../support/prerequisites.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = path.join(REPO, 'lab/scenarios');
const files = readdirSync(SCENARIOS)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

const ready = prerequisites(
  ROOT,
  command('ip', 'iproute2'),
  command('iptables', 'iptables'),
  command('dnsmasq', 'dnsmasq-base'),
  command('tcpdump', 'tcpdump'),
  command('dig', 'bind9-dnsutils'),
);

// The CoreDNS metrics are scraped twice, 10 s apart by default; the lab serves each scrape at once.
const PROBE_ARGS = ['--metrics-interval-ms', '1000'];

describe.runIf(ready)('lab scenarios with the real runner', () => {
  // The runner as the image ships it: one bundle under plain node (runner-image/build.mjs).
  let bundleDir = '';
  let runnerCommand: string[] = [];
  beforeAll(() => {
    bundleDir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-runner-'));
    runnerCommand = [process.execPath, path.join(bundleDir, 'runner.mjs')];
    execFileSync(
      process.execPath,
      [path.join(REPO, 'runner-image/build.mjs'), '--outfile', runnerCommand[1] ?? ''],
      {
        stdio: 'ignore',
      },
    );
  });
  afterAll(() => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it('has the scenarios the issues ask for', () => {
    expect(files.map((f) => f.replace(/\.\w+$/, ''))).toEqual(
      expect.arrayContaining([
        'healthy',
        'coredns-pod-dropping',
        'kube-proxy-dnat-missing',
        'upstream-dead',
        'stub-domain-dead',
        'tcp-blocked',
        'conntrack-race',
        'ndots-amplification',
        'nodelocal-answering',
        'nodelocal-not-answering',
        'no-endpoints',
        'coredns-crashloop',
        'kube-proxy-403',
        'corefile-no-cache',
        'metrics-servfail',
        'ena-linklocal-rising',
      ]),
    );
  });

  describe.each(files)('%s', (file) => {
    const { scenario, dir } = loadScenario(path.join(SCENARIOS, file));
    let lab: Lab | undefined;
    let result: ScenarioRun;

    beforeAll(async () => {
      lab = await startLab({ scenario, scenarioDir: dir });
      result = await runScenario(lab, {
        scanId: `lab-${scenario.name}`,
        probeArgs: PROBE_ARGS,
        runnerCommand,
      });
    });
    afterAll(async () => {
      await lab?.stop();
    });

    it('the runner reports one valid result document per role, for this scan and cluster', () => {
      expect(runnerResultSchema.parse(result.probe)).toMatchObject({
        role: 'probe',
        scanId: `lab-${scenario.name}`,
        clusterId: scenario.cluster.id,
      });
      for (const node of result.nodes)
        expect(node).toMatchObject({ role: 'node', scanId: `lab-${scenario.name}` });
    });

    const expected = Object.entries(scenario.expect.checks);
    it.each(expected.length > 0 ? expected : [['(none)', 'PASS']])('%s is %s', (id, status) => {
      if (id === '(none)') return;
      const check = result.checks.find((c) => c.id === id);
      expect(check, `${id} missing from the results`).toBeDefined();
      expect({
        id,
        status: check?.status,
        evidence: check?.status === status ? undefined : check?.evidence,
      }).toEqual({ id, status, evidence: undefined });
    });

    it('every check result carries a one-line evidence.summary (the terminal table shows it)', () => {
      const missing = result.checks
        .filter((c) => {
          const summary = (c.evidence as { summary?: unknown }).summary;
          return typeof summary !== 'string' || summary === '' || summary.includes('\n');
        })
        .map((c) => `${c.id} ${c.status}`);
      expect(missing).toEqual([]);
    });

    it(`diagnoses ${scenario.expect.diagnosis.join(', ')}${scenario.expect.notDiagnosis.length ? ` and not ${scenario.expect.notDiagnosis.join(', ')}` : ''}`, () => {
      const causes = result.diagnosis.map((d) => d.cause);
      expect(causes).toEqual(expect.arrayContaining(scenario.expect.diagnosis));
      for (const cause of scenario.expect.notDiagnosis) expect(causes).not.toContain(cause);
    });
  });
});
