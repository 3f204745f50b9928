/**
 * What the image runs, without Docker: the esbuild bundle, placed in an empty directory exactly
 * as the Dockerfile's runtime stage copies it (no node_modules anywhere near), started with the
 * Dockerfile's ENTRYPOINT under plain `node` — `--help`, a real probe against a DNS server on
 * loopback, and a node-agent run with the lab's statistics file.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResultFrames, hasValidSignature } from '../../../lambdas/core/runner-results/index.js';
import { runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../lambdas/core/schema/index.js';
import { startLab, stopLab } from '../../integration/runner/probe-lab.js';
import type { Lab } from '../../integration/runner/probe-lab.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'fleetdns-image-'));
const imageRoot = path.join(work, 'rootfs');
const KEY = 'scan-key-0123456789abcdef';
let entrypoint: string[] = [];

function exec(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs the image's ENTRYPOINT with `args`, in the staged root, with a bare environment. */
function runImage(args: string[], env: Record<string, string> = {}) {
  const [cmd, ...rest] = entrypoint;
  const resolved = rest.map((a) => (a.startsWith('/') ? path.join(imageRoot, a) : a));
  return exec(cmd === 'node' ? process.execPath : (cmd as string), [...resolved, ...args], {
    cwd: path.join(imageRoot, 'tmp'),
    // Only what a Pod gives it: no NODE_PATH, no KUBERNETES_SERVICE_HOST (no cluster API here).
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/tmp', ...env },
  });
}

beforeAll(async () => {
  // The build stage: the same build script the Dockerfile runs.
  const buildOut = path.join(work, 'build', 'src', 'runner-image', 'dist', 'runner.mjs');
  const built = await exec(
    process.execPath,
    [path.join(repo, 'runner-image', 'build.mjs'), '--outfile', buildOut],
    { cwd: repo },
  );
  expect(built.code, built.stderr).toBe(0);

  // The runtime stage: copy exactly what its COPY --from=build lines name.
  const dockerfile = DockerfileParser.parse(
    readFileSync(path.join(repo, 'runner-image', 'Dockerfile'), 'utf8'),
  );
  const instructions = dockerfile.getInstructions();
  const lastFrom = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  for (const copy of runtime.filter((i): i is Copy => i instanceof Copy)) {
    const [src, dest] = copy.getArguments().map((a) => a.getValue());
    expect(src?.startsWith('/src/')).toBe(true);
    const from = path.join(work, 'build', src as string);
    const to = path.join(imageRoot, dest as string);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  mkdirSync(path.join(imageRoot, 'tmp'), { recursive: true });
  const ep = runtime.find((i) => i.getKeyword() === 'ENTRYPOINT');
  entrypoint = JSON.parse(ep?.getRawArgumentsContent() ?? '[]') as string[];
  expect(existsSync(path.join(work, 'node_modules'))).toBe(false);
}, 120_000);

describe('the runner bundle as the image runs it', () => {
  it('prints its help under plain node with only the bundle present', async () => {
    const r = await runImage(['--help']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/probe \[options\]/);
    expect(r.stdout).toMatch(/node \[args\.\.\.\]/);
  });

  it('runs the node agent and writes signed, framed lines on stdout (the pod log)', async () => {
    writeFileSync(
      path.join(imageRoot, 'tmp', 'ena.yaml'),
      'interfaces:\n  eth0: { before: { linklocal_allowance_exceeded: 0 }, after: { linklocal_allowance_exceeded: 9 } }\n',
    );
    const r = await runImage(
      [
        'node',
        '--duration-seconds',
        '1',
        '--ena-stats-file',
        'ena.yaml',
        '--capture-interface',
        'none',
        '--ready-file',
        'ready',
      ],
      {
        NODE_NAME: 'ip-198-18-2-10.eu-west-1.compute.internal',
        FLEETDNS_SCAN_ID: 'scan-42',
        FLEETDNS_CLUSTER_ID: '111122223333:eu-west-1:prod-a',
        FLEETDNS_RESULT_KEY: KEY,
      },
    );

    expect(r.code, r.stderr).toBe(0);
    const decoded = decodeResultFrames(r.stdout);
    expect(decoded.ok).toBe(true);
    const doc = (decoded as { document: RunnerResult }).document;
    expect(runnerResultSchema.safeParse(doc).success).toBe(true);
    expect(hasValidSignature(doc, KEY)).toBe(true);
    expect(doc.checks.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.status).toBe('FAIL');
    expect(readFileSync(path.join(imageRoot, 'tmp', 'ready'), 'utf8')).toBe('ready\n');
  });

  describe('a real probe: the fake Kubernetes API and DNS servers on loopback', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab();
    });
    afterAll(async () => stopLab(lab));

    it('produces a valid probe result through the bundled client-node and DNS client; every query went to loopback', async () => {
      copyFileSync(lab.resolvConf, path.join(imageRoot, 'tmp', 'resolv.conf'));
      writeFileSync(path.join(imageRoot, 'tmp', 'kubeconfig'), lab.api.kubeconfig());
      const r = await runImage([
        'probe',
        '--kubeconfig',
        'kubeconfig',
        '--resolv-conf',
        'resolv.conf',
        '--capture-interface',
        'none',
        '--dns-port',
        String(lab.port),
        '--nodelocal-address',
        '127.0.0.99',
        '--latency-queries',
        '2',
        '--timeout-ms',
        '300',
        '--output',
        'probe.json',
      ]);

      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(readFileSync(path.join(imageRoot, 'tmp', 'probe.json'), 'utf8')) as RunnerResult;
      expect(runnerResultSchema.safeParse(doc).success).toBe(true);
      expect(doc.role).toBe('probe');
      const status = Object.fromEntries(doc.checks.map((c) => [c.id, c.status]));
      // The cluster API was read through the bundled client (TLS, token) and DNS really resolved.
      expect(status).toMatchObject({
        'K8S-DNS-SERVICE': 'PASS',
        'DNS-INTERNAL': 'PASS',
        'DNS-PER-ENDPOINT': 'PASS',
      });
      const queries = doc.observations.queries ?? [];
      expect(queries.length).toBeGreaterThan(0);
      expect(queries.every((q) => q.server.startsWith('127.'))).toBe(true);
      expect(lab.servers.every((s) => s.received.length > 0)).toBe(true);
    });
  });
});
