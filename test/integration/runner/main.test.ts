/**
 * `npm run -s runner -- probe …` as the image runs it: a real process, the fake Kubernetes API
 * through a kubeconfig file, framed and signed lines on stdout (the pod log) or plain JSON with
 * --output, exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeResultFrames, verifyRunnerResult } from '../../../lambdas/core/runner-results/index.js';
import { runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import { nodeAgentsObservationSchema } from '../../../lambdas/core/capture/index.js';
import { startLab, stopLab } from './probe-lab.js';
import type { Lab } from './probe-lab.js';

const run = promisify(execFile);
const KEY = 'a-per-scan-key-of-enough-length';
const CLUSTER = '111122223333:eu-west-1:lab';

async function runner(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'runner-image/src/main.ts', ...args],
      {
        env: { ...process.env, KUBERNETES_SERVICE_HOST: '', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('runner (process)', () => {
  let lab: Lab;
  let kubeconfig: string;
  beforeAll(async () => {
    lab = await startLab();
    kubeconfig = join(lab.dir, 'kubeconfig');
    writeFileSync(kubeconfig, lab.api.kubeconfig());
  });
  afterAll(async () => {
    await stopLab(lab);
  });

  const probeArgs = (): string[] => [
    'probe',
    '--kubeconfig',
    kubeconfig,
    '--resolv-conf',
    lab.resolvConf,
    '--scan-id',
    'scan-7',
    '--cluster-id',
    CLUSTER,
    '--capture-interface',
    'none',
    '--latency-queries',
    '8',
    '--timeout-ms',
    '500',
    '--metrics-interval-ms',
    '200',
    '--dns-port',
    String(lab.port),
  ];

  it('writes framed, signed lines on stdout that the collector can reassemble and verify', async () => {
    const out = await runner(probeArgs(), { FLEETDNS_RESULT_KEY: KEY });
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toMatch(/^FLEETDNS-RESULT 1\/\d+ /);
    const decoded = decodeResultFrames(out.stdout);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const verified = verifyRunnerResult(decoded.document, {
      key: KEY,
      scanId: 'scan-7',
      clusterId: CLUSTER,
      role: 'probe',
    });
    expect(verified.ok).toBe(true);
    if (verified.ok) expect(verified.result.checks.find((c) => c.id === 'DNS-INTERNAL')?.status).toBe('PASS');
  }, 60_000);

  it('writes the plain JSON document with --output and still exits 0 when checks fail', async () => {
    const file = join(lab.dir, 'result.json');
    // nothing listens on port 9 of the lab addresses: every DNS check fails
    const args = probeArgs();
    args[args.indexOf('--dns-port') + 1] = '9';
    const out = await runner([...args, '--output', file]);
    expect(out.code).toBe(0);
    const doc = runnerResultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(doc).toMatchObject({ role: 'probe', scanId: 'scan-7', clusterId: CLUSTER });
    expect(doc.checks.find((c) => c.id === 'DNS-INTERNAL')).toMatchObject({
      status: 'FAIL',
      evidence: { error: 'connection refused' },
    });
    expect(doc.signature).toBeUndefined();
  }, 60_000);

  it('waits for the node agents with --wait-for-node-agents, in POD_NAMESPACE by default', async () => {
    const file = join(lab.dir, 'result-wait.json');
    const selector = 'app.kubernetes.io/component=node-agent,fleet-dns.io/scan-id=scan-7';
    const out = await runner(
      [
        ...probeArgs(),
        '--output',
        file,
        '--wait-for-node-agents',
        selector,
        '--node-agents-timeout-ms',
        '700',
      ],
      { POD_NAMESPACE: 'scanner-ns' },
    );
    expect(out.code).toBe(0);
    const doc = runnerResultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(doc.observations.nodeAgents).toMatchObject({
      selector,
      namespace: 'scanner-ns',
      timedOut: true,
      ready: [],
      notReady: [],
    });
    expect(lab.api.requests.some((r) => r.path === '/api/v1/namespaces/scanner-ns/pods')).toBe(true);
    // waited at least the timeout given; the note's figure is measured, so only its shape is checked
    expect(nodeAgentsObservationSchema.parse(doc.observations.nodeAgents).waitedMs).toBeGreaterThanOrEqual(
      700,
    );
    expect(doc.checks.find((c) => c.id === 'DNS-CAPTURE')?.evidence.notes).toEqual([
      expect.stringMatching(
        /^no node agent pods matched .* in scanner-ns within \d+(\.\d)? s: probed anyway/,
      ),
    ]);
  }, 60_000);

  it.each([
    ['a directory', () => lab.dir, /is a directory/],
    ['a path under a file', () => join(kubeconfig, 'result.json'), /is not a directory/],
  ])(
    'exits 2 with one line, before probing, when --output is %s',
    async (_what, output, problem) => {
      const requestsBefore = lab.api.requests.length;
      const out = await runner([...probeArgs(), '--output', output()]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(problem);
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
      // nothing was probed: the cluster API was never asked
      expect(lab.api.requests.length).toBe(requestsBefore);
    },
    60_000,
  );

  it('reports an unparsable kubeconfig in one line on the checks that needed the cluster API', async () => {
    const bad = join(lab.dir, 'bad-kubeconfig');
    writeFileSync(bad, 'apiVersion: v1\nclusters:\n  - name: a\n   server: [\n\x1b[31m: :\n');
    const file = join(lab.dir, 'result-bad-kubeconfig.json');
    const args = probeArgs();
    args[args.indexOf('--kubeconfig') + 1] = bad;

    const out = await runner([...args, '--output', file]);

    expect(out.code).toBe(0);
    const doc = runnerResultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const reason = doc.checks.find((c) => c.id === 'K8S-DNS-SERVICE')?.evidence.reason;
    expect(reason).toMatch(/^could not load the cluster API config: /);
    expect(reason).not.toMatch(/[\p{Cc}]/u);
  }, 60_000);

  it('judges DNS-LATENCY at the thresholds given by --internal/--external-latency-warn-ms (checks.md: configurable)', async () => {
    const file = join(lab.dir, 'latency-thresholds.json');
    const out = await runner([
      ...probeArgs(),
      '--internal-latency-warn-ms',
      '7',
      '--external-latency-warn-ms',
      '900',
      '--output',
      file,
    ]);
    expect(out.code).toBe(0);
    const doc = runnerResultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(doc.checks.find((c) => c.id === 'DNS-LATENCY')?.evidence).toMatchObject({
      thresholds: { internalP99WarnMs: 7, externalP99WarnMs: 900 },
    });
    expect((await runner(['probe', '--internal-latency-warn-ms', '0'])).code).toBe(2);
  }, 60_000);

  it('exits 2 with one line naming an unusable argument', async () => {
    const out = await runner(['probe', '--max-qps', 'lots']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--max-qps must be a positive integer/);
  }, 60_000);

  it('hands `runner node` and its arguments to the node agent', async () => {
    const out = await runner(['node', '--capture-interface', 'none'], { NODE_NAME: '' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/runner node: error: --node-name \(or env NODE_NAME\) is required/);
  }, 60_000);
});
