/**
 * Records the runner results the demo replays on machines without the netns lab:
 * `sudo npx tsx scripts/record-demo-runs.ts [SCENARIO…]` runs each scenario's lab (root), the
 * real runner in it by hand (both roles), and writes lab/demo/recorded/<scenario>.json — the
 * lab's Kubernetes objects and pod addresses (so the replayed cluster and its VPC are the same
 * cluster) and the probe's and node agents' result documents, unsigned (the demo re-stamps them
 * with its scan and cluster id and signs them with the scan's key, as a runner would).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runByHand, startLab } from '../lab/engine/index.js';
import { LAB_LATENCY_WARN_ARGS } from '../lab/engine/run-by-hand.js';
import { DEMO_RECORDED_SCENARIOS } from '../lab/demo/recorded-runs.js';
import type { RecordedRun } from '../lab/demo/recorded-runs.js';
import { loadScenario } from '../lab/scenarios/schema.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const unsigned = <T extends { signature?: string }>(doc: T): Omit<T, 'signature'> => {
  const { signature: _, ...rest } = doc;
  return rest;
};

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [...DEMO_RECORDED_SCENARIOS];
for (const name of names) {
  const loaded = loadScenario(path.join(REPO, 'lab/scenarios', `${name}.yaml`));
  const lab = await startLab({ scenario: loaded.scenario, scenarioDir: loaded.dir });
  try {
    const run = await runByHand(lab, {
      scanId: 'recorded',
      probeArgs: [...LAB_LATENCY_WARN_ARGS, ...loaded.scenario.probe.args, '--metrics-interval-ms', '1000'],
    });
    const recorded: RecordedRun = {
      scenario: name,
      objects: lab.objects,
      pods: lab.pods.map((p) => ({ name: p.name, namespace: p.namespace, node: p.node, address: p.address })),
      probe: unsigned(run.probe),
      nodes: run.nodes.map(unsigned),
    };
    const file = path.join(REPO, 'lab/demo/recorded', `${name}.json`);
    writeFileSync(file, `${JSON.stringify(recorded, null, 1)}\n`);
    console.error(`${name}: ${run.checks.map((c) => `${c.id}=${c.status}`).join(' ')} → ${file}`);
  } finally {
    await lab.stop();
  }
}
