import path from 'node:path';
import { runScenario, startLab, judgeScenario } from '/work/wt-jobs/lab/engine/index.js';
import { loadScenario } from '/work/wt-jobs/lab/scenarios/schema.js';
const file = process.argv[2] ?? 'healthy.yaml';
const { scenario, dir } = loadScenario(path.join('/work/wt-jobs/lab/scenarios', file));
const lab = await startLab({ scenario, scenarioDir: dir, log: (l) => console.error(l) });
try {
  const t = Date.now();
  const r = await runScenario(lab, { scanId: `try-${scenario.name}`, probeArgs: ['--metrics-interval-ms', '1000'] });
  console.log('wall', Date.now() - t, 'scanWall', r.scanWallMs, 'probeWall', r.probeWallMs, 'timings', r.scan.timings, 'wait', r.scan.wait.stoppedBecause, r.scan.wait.polls);
  console.log('failures', JSON.stringify(r.failures));
  console.log('jobs', JSON.stringify(r.scan.jobs));
  console.log('api', r.apiRequests, 'leftovers', r.leftovers, 'problems', r.kubeletProblems, 'cleanup', r.scan.cleanupError);
  console.log('checks', r.checks.map((c) => `${c.id}=${c.status}`).join(' '));
  console.log('diagnosis', r.diagnosis.map((d) => d.cause));
  const j = judgeScenario(scenario.expect, r);
  for (const v of j.verdicts.filter((v) => !v.held)) console.log('NOT HELD', v.expectation, '|', v.reason);
  if (process.env.SHOW_STDERR) console.log(r.probeStderr.slice(-3000));
} finally {
  await lab.stop();
}
