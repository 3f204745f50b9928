/**
 * Every scenario in lab/scenarios, through the production path with the real runner (the
 * one-file bundle of runner-image/build.mjs, as the image runs it): build the lab; dispatch the
 * scan's Secret and Jobs through the fake Kubernetes API with lambdas/kube; the lab's Job
 * controller and kubelet run the runner for each Job (node agents in their node's namespace, the
 * probe in the probe pod's), its stdout and stderr becoming the pod log; wait for the probe Job,
 * collect the signed results from the pod logs, delete the scan's objects; combine and diagnose as
 * the collector does, and judge the scenario's `expect` block as `fleet-dns lab run` does. The
 * `runner-*` scenarios break the Jobs themselves (lab.md "Runner Jobs and their faults").
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeScenario, runScenario, startLab } from '../../lab/engine/index.js';
import type { Lab, ScenarioRun } from '../../lab/engine/index.js';
import { loadScenario } from '../../lab/scenarios/schema.js';
import { runnerResultSchema } from '../../lambdas/core/schema/index.js';
import { ROOT, command, prerequisites } from '../support/prerequisites.js';
import { buildRunnerBundle } from './support/runner-bundle.js';
import type { RunnerBundle } from './support/runner-bundle.js';

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
  let bundle: RunnerBundle | undefined;
  let runnerCommand: string[] = [];
  beforeAll(() => {
    bundle = buildRunnerBundle();
    runnerCommand = bundle.command;
  });
  afterAll(() => {
    bundle?.remove();
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
        'networkpolicy-default-deny',
        'networkpolicy-udp-only',
        'networkpolicy-nodelocal-no-ipblock',
        'networkpolicy-correct',
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

    const probeRuns = scenario.runnerJobs.probe === 'ok';
    const agentsFail = !['ok', 'never-ready'].includes(scenario.runnerJobs.nodeAgents);
    // When the probe never runs, the node agents are stopped seconds after they start, maybe
    // before their SIGTERM handler is in place: their results count when they arrived (checks.md
    // "Runner failures"), so they are only required when the probe ran.
    const agentsRun = probeRuns && !agentsFail;
    const corednsNodes = new Set(
      scenario.nodes.filter((n) => n.pods.some((p) => p.role === 'coredns')).map((n) => n.name),
    );

    // Only the expectations that apply to this scenario are registered (none is skipped).
    if (probeRuns)
      it('the probe reports one valid result document, for this scan and cluster', () => {
        expect(result.failures.probe).toBeUndefined();
        expect(runnerResultSchema.parse(result.probe)).toMatchObject({
          role: 'probe',
          scanId: `lab-${scenario.name}`,
          clusterId: scenario.cluster.id,
        });
      });

    if (agentsRun)
      it('every CoreDNS node reports a node-agent result, for this scan', () => {
        expect(result.failures.nodes).toEqual([]);
        expect(new Set(result.nodes.map((n) => n.nodeName))).toEqual(corednsNodes);
        for (const node of result.nodes)
          expect(node).toMatchObject({ role: 'node', scanId: `lab-${scenario.name}` });
      });

    if (!probeRuns)
      it('no probe result is used; every probe check is ERROR with the reason', () => {
        expect(result.probe).toBeUndefined();
        expect(result.failures.probe).toMatch(/\S/);
        const dnsChecks = result.checks.filter((c) => c.id.startsWith('DNS-'));
        expect(dnsChecks.length).toBeGreaterThan(0);
        for (const c of dnsChecks)
          expect(c, c.id).toMatchObject({ status: 'ERROR', evidence: { reason: result.failures.probe } });
      });

    if (agentsFail)
      it("the node agents' NODE-* checks are ERROR naming each CoreDNS node", () => {
        expect(new Set(result.failures.nodes?.map((n) => n.node))).toEqual(corednsNodes);
        const nodeChecks = result.checks.filter((c) => c.id.startsWith('NODE-'));
        expect(nodeChecks.length).toBeGreaterThan(0);
        for (const c of nodeChecks) expect(c.status, c.id).toBe('ERROR');
      });

    it("the scan's Secret, Jobs and pods are gone afterwards, and the lab's kubelet had no trouble", () => {
      expect(result.leftovers).toEqual([]);
      expect(
        lab?.api.store.list(lab.api.store.resourceFor('batch/v1', 'Job'), { namespace: 'fleet-dns' }),
      ).toEqual([]);
      expect(result.kubeletProblems).toEqual([]);
      expect(result.scan.cleanupError).toBeUndefined();
      // one Secret and one Job per CoreDNS node plus the probe, created once
      expect(result.apiRequests.total.create).toBe(2 + corednsNodes.size);
      expect(result.apiRequests.dispatch).toMatchObject({ create: 2 + corednsNodes.size });
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
