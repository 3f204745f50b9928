/**
 * Every scenario in lab/scenarios, run with the real runner (the one-file bundle of
 * runner-image/build.mjs, as the image runs it): build the lab, start the node
 * agents on the CoreDNS nodes, run `runner probe --kubeconfig K --resolv-conf R --output OUT
 * --scan-id S --cluster-id C` inside the probe pod's namespace, combine and diagnose as the
 * collector does, and judge the scenario's `expect` block as `fleet-dns lab run` does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeScenario, runScenario, startLab } from '../../lab/engine/index.js';
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

    it('its expect block holds (judgeScenario: check statuses, expected and forbidden causes)', () => {
      const notHeld = judgeScenario(scenario.expect, result).verdicts.filter((v) => !v.held);
      expect(notHeld).toEqual([]);
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
  });
});
