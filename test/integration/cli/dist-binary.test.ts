/**
 * The real built binary: `npm run build`'s bundle (scripts/build-cli.mjs, esbuild, packages left
 * external) run as `node <bundle> …` — what an installed `fleet-dns` runs — not the TypeScript
 * sources through tsx (test/unit/cli/spawn-cli.ts). A bundle can break where the sources work:
 * a module found relative to `import.meta.url` (the lab's files, found by walking up to the
 * checkout, lab/repo-root.ts), a JSON import, a side-effect import that registers a command, a
 * dependency esbuild inlined or left out. So every command's help, every report format, the demo
 * (replayed in-cluster half), `serve` and `gate --api` exit codes, and Ctrl-C during a scan.
 *
 * The bundle is built once, into dist/test-<pid>/ (inside the checkout, so the lab's files are
 * found; never dist/fleet-dns.mjs, which bin/fleet-dns.js would then run), and removed at the end.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCluster, buildVpc, startFakeAwsEndpoint } from '../../../lab/fake-aws/index.js';
import type { FakeAwsEndpoint } from '../../../lab/fake-aws/index.js';
import { eksKubeconfig } from '../../../lab/fake-kube-api/index.js';
import { EXIT } from '../../../lambdas/cli/errors.js';
import { fleetReportSchema } from '../../../lambdas/core/schema/index.js';
import { parseCsv } from '../../support/parse-csv.js';
import { parseXml } from '../../support/parse-xml.js';
import { corednsPodObjects, NS, startRunnerCluster } from '../../unit/kube/support/runner-cluster.js';
import type { RunnerCluster } from '../../unit/kube/support/runner-cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** This run's own bundle directory: two runs (or a developer's `npm run build`) never collide. */
const BUNDLE_DIR = path.join(REPO_ROOT, 'dist', `test-${process.pid}`);
const BUNDLE = path.join(BUNDLE_DIR, 'fleet-dns.mjs');

/** Each spawn loads the bundle and its packages: seconds on a busy 2-core machine (a limit, not a measurement). */
const SPAWNED = 60_000;
/** A demo run spawned, and what follows it: the demo scans 8 clusters (a limit, not a measurement). */
const DEMO = 120_000;

const PAYMENTS_PROD = '111111111111:eu-west-1:payments-prod';
const SEARCH_PROD = '222222222222:eu-west-1:search-prod';
const PLATFORM_TOOLS = '333333333333:eu-west-1:platform-tools';

const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-dist-'));
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * A clean environment: no credentials or config of the machine are read (HOME and the AWS files
 * point nowhere, IMDS is off), the default store would be under the scratch directory.
 */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    XDG_DATA_HOME: path.join(scratch, 'xdg'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** Static fake keys: enough for the CLI's SigV4 signing of `--api` requests to 127.0.0.1. */
const FAKE_KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAFLEETDNSTESTKEY1',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key-for-tests-only',
  AWS_REGION: 'eu-west-1',
};

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  /** what the process printed so far */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** resolves when the process has exited and its streams closed */
  readonly done: Promise<Ran>;
}

function startBin(args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BUNDLE, ...args], {
    cwd: scratch,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Ran>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

const runBin = (args: readonly string[], env?: Record<string, string>) => startBin(args, env).done;

/** Children still running when a test failed: ended in afterAll so none outlives the file. */
const running = new Set<ChildProcess>();

/** Waits until `ready()` holds, polling; fails when the process exits first. */
async function waitFor(process_: Running, ready: () => boolean, what: string): Promise<void> {
  let exited: Ran | undefined;
  void process_.done.then((r) => (exited = r));
  while (!ready()) {
    if (exited)
      throw new Error(`exited (${exited.code ?? exited.signal}) before ${what}; stderr:\n${exited.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a command that serves, and returns its base URL once it printed `listening on …`. */
async function startServing(args: readonly string[], env?: Record<string, string>) {
  const proc = startBin(args, env);
  running.add(proc.child);
  void proc.done.then(() => running.delete(proc.child));
  const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  await waitFor(proc, () => listening.test(proc.stderr()), '"listening on"');
  return { proc, url: listening.exec(proc.stderr())![1]! };
}

/** The rows of the fleet table (`CLUSTER  PASS …` header, dashes, one line per cluster). */
function fleetTableRows(stdout: string): string[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) =>
    /^CLUSTER\s+PASS\s+WARN\s+FAIL\s+ERROR\s+SKIPPED\s+DIAGNOSIS$/.test(l),
  );
  if (header < 0) return [];
  const end = lines.indexOf('', header);
  return lines.slice(header + 2, end < 0 ? undefined : end);
}

/** Whether a developer's own bundle (the one bin/fleet-dns.js runs) was there before the build. */
const DEVELOPER_BUNDLE = path.join(REPO_ROOT, 'dist', 'fleet-dns.mjs');
const developerBundleBefore = existsSync(DEVELOPER_BUNDLE);

beforeAll(() => {
  // the project's own build script, as `npm run build` runs it, with this run's output file
  return new Promise<void>((resolve, reject) => {
    const build = spawn(process.execPath, ['scripts/build-cli.mjs', '--outfile', BUNDLE], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    build.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    build.once('error', reject);
    build.once('close', (code) =>
      code === 0 && existsSync(BUNDLE) ? resolve() : reject(new Error(`build failed (${code}): ${stderr}`)),
    );
  });
}, 60_000);

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  // dist/ itself only when nothing else is in it (a developer's build, another run's bundle)
  try {
    rmdirSync(path.dirname(BUNDLE_DIR));
  } catch {
    // not empty: not ours to remove
  }
  rmSync(scratch, { recursive: true, force: true });
});

it('the build wrote its own bundle only, never the dist/fleet-dns.mjs bin/fleet-dns.js runs', () => {
  expect(existsSync(BUNDLE)).toBe(true);
  expect(existsSync(DEVELOPER_BUNDLE)).toBe(developerBundleBefore);
});

describe('the bundle: help and usage errors', () => {
  /** Every command and subcommand; the first test proves the program lists no other. */
  const COMMANDS = ['scan', 'audit-network', 'onboard', 'mutelist', 'report', 'gate', 'serve', 'demo', 'lab'];
  const SUBCOMMANDS = [
    ['mutelist', 'validate'],
    ['mutelist', 'put'],
    ['mutelist', 'show'],
    ['lab', 'list'],
    ['lab', 'run'],
  ];

  it(
    '--help exits 0 and lists exactly the known commands',
    async () => {
      const run = await runBin(['--help']);
      expect(run.code).toBe(EXIT.OK);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Usage: fleet-dns \[options\] \[command\]\n/);
      const listed = [...run.stdout.split('Commands:\n')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]);
      expect(listed.filter((c) => c !== 'help').sort()).toEqual([...COMMANDS].sort());
    },
    SPAWNED,
  );

  it('<command> --help exits 0 with the command usage for every command and subcommand', async () => {
    const limit = pLimit(3);
    const all = [...COMMANDS.map((c) => [c]), ...SUBCOMMANDS];
    const runs = await Promise.all(all.map((words) => limit(() => runBin([...words, '--help']))));
    for (const [i, words] of all.entries()) {
      const run = runs[i]!;
      expect({ words, code: run.code, stderr: run.stderr }).toEqual({ words, code: EXIT.OK, stderr: '' });
      expect(run.stdout.startsWith(`Usage: fleet-dns ${words.join(' ')} `)).toBe(true);
    }
  }, 180_000);

  it(
    '--version prints the package version',
    async () => {
      const run = await runBin(['--version']);
      expect(run.code).toBe(EXIT.OK);
      const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(run.stdout).toBe(`${pkg.version}\n`);
    },
    SPAWNED,
  );

  it.each([
    [['--bogus'], "fleet-dns: error: unknown option '--bogus'\n"],
    [['report', '--bogus'], "fleet-dns: error: unknown option '--bogus'\n"],
    [['bogus'], "fleet-dns: error: unknown command 'bogus'\n"],
  ])(
    '%j exits 2 with one error line',
    async (args, line) => {
      const run = await runBin(args);
      expect(run.code).toBe(EXIT.USAGE);
      expect(run.stderr).toBe(line);
      expect(run.stdout).toBe('');
    },
    SPAWNED,
  );

  it(
    'scan --cluster a:b exits 2 with one line naming the expected id shape',
    async () => {
      const run = await runBin(['scan', '--cluster', 'a:b']);
      expect(run.code).toBe(EXIT.USAGE);
      expect(run.stderr).toMatch(
        /^fleet-dns: error: --cluster "a:b": .*expected <accountId>:<region>:<clusterName>[^\n]*\n$/,
      );
      expect(run.stdout).toBe('');
    },
    SPAWNED,
  );
});

describe('the bundle: the demo (replayed in-cluster half) end to end', () => {
  const dir = path.join(scratch, 'demo-e2e');
  const store = path.join(dir, 'demo.db');

  it(
    'day 1: the fleet table of 8 clusters, top diagnoses, the HTML report written',
    async () => {
      const run = await runBin(['demo', '--no-lab', '--store', store]);
      expect(run.stderr).toContain('replaying recorded lab runs for every cluster (--no-lab)');
      expect(run.code).toBe(EXIT.OK);
      const rows = fleetTableRows(run.stdout);
      expect(rows).toHaveLength(8);
      expect(new Set(rows.map((r) => /^(\d{12}:[a-z0-9-]+:[a-z0-9-]+)\s/.exec(r)?.[1])).size).toBe(8);
      expect(run.stdout).toMatch(/\nTop diagnoses:\n {2}\d{12}:/);
      const html = /^HTML report: (.+)$/m.exec(run.stdout)?.[1];
      expect(html).toBe(path.join(dir, 'demo-report.html'));
      expect(readFileSync(html!, 'utf8')).toMatch(/^<!DOCTYPE html/i);
      expect(run.stdout).not.toContain('regressions since the previous scan');
    },
    DEMO,
  );

  it(
    'the second run is day 2 and prints the regression',
    async () => {
      const run = await runBin(['demo', '--no-lab', '--store', store]);
      expect(run.code).toBe(EXIT.OK);
      expect(run.stderr).toContain('day 2: 8 clusters in 3 accounts × 2 regions');
      expect(run.stdout).toContain('1 regressions since the previous scan:');
      expect(run.stdout).toContain(`${PAYMENTS_PROD} NET-NACL-DNS-UDP: PASS → FAIL`);
      expect(fleetTableRows(run.stdout)).toHaveLength(8);
    },
    DEMO,
  );
});

describe('the bundle: a seeded store — every report format, serve, gate', () => {
  const dir = path.join(scratch, 'seeded');
  const store = path.join(dir, 'results.db');

  beforeAll(async () => {
    const seeded = await runBin(['demo', '--no-lab', '--store', store, '--day', '1', '--quiet']);
    if (seeded.code !== EXIT.OK) throw new Error(`demo seeding failed (${seeded.code}): ${seeded.stderr}`);
  }, DEMO);

  const report = (format: string) => runBin(['report', '--store', store, '--format', format]);

  it(
    'table: the summary line and the fleet table',
    async () => {
      const run = await report('table');
      expect(run.code).toBe(EXIT.OK);
      expect(run.stdout).toMatch(/^scan scan-\S+ · started /);
      expect(run.stdout).toContain('8 clusters · PASS ');
      expect(fleetTableRows(run.stdout)).toHaveLength(8);
    },
    SPAWNED,
  );

  it(
    'json: a fleet report of the 8 clusters',
    async () => {
      const run = await report('json');
      expect(run.code).toBe(EXIT.OK);
      const parsed = fleetReportSchema.parse(JSON.parse(run.stdout)) as Json;
      expect(parsed.clusters).toHaveLength(8);
      expect(parsed.coverage).toMatchObject({ accounts: 3, clustersScanned: 8 });
    },
    SPAWNED,
  );

  it(
    'csv: the header, then one row per check of each cluster',
    async () => {
      const run = await report('csv');
      expect(run.code).toBe(EXIT.OK);
      const [header, ...rows] = parseCsv(run.stdout);
      expect(header!.slice(0, 3)).toEqual(['account_id', 'region', 'cluster_name']);
      expect(header).toContain('check_id');
      expect(header).toContain('status');
      const clusterName = header!.indexOf('cluster_name');
      expect(new Set(rows.map((r) => r[clusterName])).size).toBe(8);
    },
    SPAWNED,
  );

  it(
    'junit: a <testsuites> document with the failures counted',
    async () => {
      const run = await report('junit');
      expect(run.code).toBe(EXIT.OK);
      const root = parseXml(run.stdout);
      expect(root.name).toBe('testsuites');
      expect(Number(root.attributes.failures)).toBeGreaterThan(0);
    },
    SPAWNED,
  );

  it(
    'sarif: SARIF 2.1.0 with results',
    async () => {
      const run = await report('sarif');
      expect(run.code).toBe(EXIT.OK);
      const sarif = JSON.parse(run.stdout) as Json;
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    },
    SPAWNED,
  );

  it(
    'html: a whole document naming the clusters',
    async () => {
      const run = await report('html');
      expect(run.code).toBe(EXIT.OK);
      expect(run.stdout).toMatch(/^<!DOCTYPE html/i);
      expect(run.stdout).toContain('payments-prod');
      expect(run.stdout.trimEnd()).toMatch(/<\/html>$/);
    },
    SPAWNED,
  );

  it(
    'asff: an array of Security Hub findings',
    async () => {
      const run = await report('asff');
      expect(run.code).toBe(EXIT.OK);
      const findings = JSON.parse(run.stdout) as Json[];
      expect(findings.length).toBeGreaterThan(0);
      expect(findings[0]).toMatchObject({ SchemaVersion: '2018-10-08' });
    },
    SPAWNED,
  );

  it(
    'gate --store on a cluster never scanned: exit 3 (unknown), 0 with --allow-unknown',
    async () => {
      const never = '999999999999:eu-west-1:never-scanned';
      const strict = await runBin(['gate', never, '--store', store]);
      expect(strict.code).toBe(EXIT.FINDINGS);
      expect(strict.stdout).toContain(`${never}: UNKNOWN`);
      const allowed = await runBin(['gate', never, '--store', store, '--allow-unknown']);
      expect(allowed.code).toBe(EXIT.OK);
      expect(allowed.stdout).toContain(`${never}: UNKNOWN`);
    },
    SPAWNED,
  );

  describe('serve, and gate --api against it (SigV4-signed with static fake keys)', () => {
    let served: Awaited<ReturnType<typeof startServing>>;

    beforeAll(async () => {
      served = await startServing(['serve', '--store', store, '--port', '0']);
    }, SPAWNED);

    afterAll(async () => {
      if (served?.proc.child.exitCode === null) {
        served.proc.child.kill('SIGTERM');
        await served.proc.done;
      }
    });

    it('the served API answers the gate: payments-prod passes, search-prod and platform-tools fail', async () => {
      const decision = async (id: string) => {
        const res = await fetch(`${served.url}/clusters/${id}/gate`);
        expect(res.status).toBe(200);
        return ((await res.json()) as Json).decision as string;
      };
      expect(await decision(PAYMENTS_PROD)).toBe('pass');
      expect(await decision(SEARCH_PROD)).toBe('fail');
      expect(await decision(PLATFORM_TOOLS)).toBe('fail');
    });

    it(
      'gate --api: a failing cluster exits 3, a passing one 0',
      async () => {
        const [fail, pass] = await Promise.all([
          runBin(['gate', SEARCH_PROD, '--api', served.url], FAKE_KEYS),
          runBin(['gate', PAYMENTS_PROD, '--api', served.url], FAKE_KEYS),
        ]);
        expect({ code: fail.code, stderr: fail.stderr }).toEqual({ code: EXIT.FINDINGS, stderr: '' });
        expect(fail.stdout).toMatch(new RegExp(`^${SEARCH_PROD}: FAIL\n`));
        expect(fail.stdout).toContain('DNS-PER-ENDPOINT');
        expect({ code: pass.code, stderr: pass.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
        expect(pass.stdout).toMatch(new RegExp(`^${PAYMENTS_PROD}: PASS\n`));
      },
      SPAWNED,
    );

    it(
      'gate --api --format json: the same decision as the API',
      async () => {
        const run = await runBin(
          ['gate', PLATFORM_TOOLS, '--api', served.url, '--format', 'json'],
          FAKE_KEYS,
        );
        expect(run.code).toBe(EXIT.FINDINGS);
        expect((JSON.parse(run.stdout) as Json).decision).toBe('fail');
      },
      SPAWNED,
    );

    it(
      'serve stops on SIGTERM with exit 0',
      async () => {
        served.proc.child.kill('SIGTERM');
        const ran = await served.proc.done;
        expect(ran.code).toBe(EXIT.OK);
      },
      SPAWNED,
    );
  });
});

describe('the bundle: demo --serve', () => {
  it(
    'serves the scan it just made on 127.0.0.1 and stops on Ctrl-C with exit 0',
    async () => {
      const store = path.join(scratch, 'demo-serve', 'demo.db');
      const { proc, url } = await startServing([
        'demo',
        '--no-lab',
        '--store',
        store,
        '--serve',
        '--port',
        '0',
      ]);
      const summary = await fetch(`${url}/summary`);
      expect(summary.status).toBe(200);
      const body = (await summary.json()) as Json;
      expect(body.clusters).toBe(8);
      expect(body.scan.id).toMatch(/^scan-/);
      expect(proc.stdout()).toContain(`scan ${body.scan.id as string} `);
      const gate = await fetch(`${url}/clusters/${PAYMENTS_PROD}/gate?targetVersion=1.32`);
      expect(gate.status).toBe(200);
      expect(((await gate.json()) as Json).decision).toBe('pass');
      proc.child.kill('SIGINT');
      const ran = await proc.done;
      expect(ran.code).toBe(EXIT.OK);
      expect(ran.stderr).toContain(`curl -s ${url}/summary`);
    },
    DEMO,
  );
});

describe('the bundle: Ctrl-C during a scan', () => {
  const ACCOUNT = '111122223333';
  const REGION = 'eu-west-1';
  const NAME = 'slow';
  const ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${NAME}`;
  let kube: RunnerCluster;
  let aws: FakeAwsEndpoint;
  let kubeconfig: string;

  beforeAll(async () => {
    // runner pods that never complete: the scan waits on them until interrupted
    kube = await startRunnerCluster({ complete: false, objects: corednsPodObjects() });
    const vpc = buildVpc({
      vpcId: 'vpc-slow',
      octet: 43,
      accountId: ACCOUNT,
      region: REGION,
      clusters: [{ name: NAME, nodes: 2 }],
    });
    aws = await startFakeAwsEndpoint(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: [
            buildCluster({
              name: NAME,
              accountId: ACCOUNT,
              region: REGION,
              vpc,
              endpoint: kube.api.url,
              caData: b64(kube.api.caPem),
            }),
          ],
        },
      ],
      { currentAccountId: ACCOUNT, region: REGION },
    );
    // what `aws eks update-kubeconfig` writes, with the fake API's static token as the user
    kubeconfig = path.join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, eksKubeconfig([{ arn: ARN, api: kube.api }]));
  }, 60_000);

  afterAll(async () => {
    await aws?.close();
    await kube?.stop();
  });

  it(
    'SIGINT once a runner Job exists: exit 130, runner objects deleted, the interrupted cluster reported',
    async () => {
      const store = path.join(scratch, 'interrupted', 'results.db');
      const hasJob = () => kube.api.store.all().some((o) => o.kind === 'Job' && o.metadata.namespace === NS);
      const proc = startBin(
        [
          'scan',
          '--store',
          store,
          '--kubeconfig',
          kubeconfig,
          '--runner-image',
          'example.invalid/r:1',
          '--regions',
          REGION,
          '--poll-interval',
          '100',
          '--format',
          'json',
        ],
        aws.env,
      );
      running.add(proc.child);
      await waitFor(proc, hasJob, 'a runner Job was created');
      proc.child.kill('SIGINT');
      const ran = await proc.done;
      expect(ran.stderr).toContain('stopping');
      expect(ran.code).toBe(EXIT.INTERRUPTED);
      const report = fleetReportSchema.parse(JSON.parse(ran.stdout)) as Json;
      expect(report.clusters.map((c: Json) => c.cluster.id)).toEqual([`${ACCOUNT}:${REGION}:${NAME}`]);
      const internal = report.clusters[0].checks.find((k: Json) => k.id === 'DNS-INTERNAL');
      expect(internal.status).toBe('ERROR');
      expect(internal.evidence.reason).toContain('interrupted');
      // the AWS side went through the fake endpoint over HTTP
      expect(aws.calls().some((c) => c.operation === 'DescribeCluster')).toBe(true);
      // nothing of the scan's left in the cluster: no Job, no Secret, no pod of the runner
      const leftovers = kube.api.store
        .all()
        .filter((o) => o.metadata.labels?.['fleet-dns.io/scan-id'] !== undefined)
        .map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);
      expect(leftovers).toEqual([]);
      expect(kube.api.store.all().filter((o) => o.kind === 'Job' || o.kind === 'Secret')).toEqual([]);
      // what was collected is stored: the same scan, read back by the binary's `report`
      const stored = await runBin(['report', '--store', store, '--format', 'json']);
      expect(stored.code).toBe(EXIT.OK);
      const back = JSON.parse(stored.stdout) as Json;
      expect(back.scan.id).toBe(report.scan.id);
      expect(back.clusters[0].checks.find((k: Json) => k.id === 'DNS-INTERNAL').status).toBe('ERROR');
    },
    SPAWNED,
  );
});
