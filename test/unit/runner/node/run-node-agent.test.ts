import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResultFrames, hasValidSignature } from '../../../../lambdas/core/runner-results/index.js';
import { runnerResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../../lambdas/core/schema/index.js';
import { createQueryDns } from '../../../../runner-image/src/dns/index.js';
import { runNodeAgent, runNodeAgentCli } from '../../../../runner-image/src/node/index.js';
import { startTestDnsServer } from '../../../integration/runner/dns-test-server.js';
import type { TestDnsServer } from '../../../integration/runner/dns-test-server.js';
import { command, prerequisites, ROOT } from '../../../support/prerequisites.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fleetdns-node-'));
let n = 0;
const file = (name: string, text?: string): string => {
  const f = path.join(dir, `${n++}-${name}`);
  if (text !== undefined) writeFileSync(f, text);
  return f;
};
const KEY = 'k'.repeat(32);
const base = {
  nodeName: 'ip-198-18-2-10.eu-west-1.compute.internal',
  scanId: 'scan-1',
  clusterId: '111122223333:eu-west-1:prod-a',
};
const quiet = { write: () => true };
const byId = (r: RunnerResult, id: string) => r.checks.find((c) => c.id === id)!;

describe('runNodeAgent', () => {
  it('FAIL when the lab statistics file says linklocal_allowance_exceeded rose during the scan', async () => {
    const stats = file(
      'stats.yaml',
      'interfaces:\n  eth0:\n    before: { linklocal_allowance_exceeded: 3, conntrack_allowance_exceeded: 0, conntrack_allowance_available: 90000 }\n    after: { linklocal_allowance_exceeded: 812, conntrack_allowance_exceeded: 0, conntrack_allowance_available: 90000 }\n',
    );
    const output = file('result.json');

    const result = await runNodeAgent({
      ...base,
      durationSeconds: 0.05,
      enaStatsFile: stats,
      captureInterface: 'none',
      output,
      handleSignals: false,
    });

    expect(runnerResultSchema.safeParse(result).success).toBe(true);
    expect(result).toMatchObject({ role: 'node', nodeName: base.nodeName, scanId: 'scan-1' });
    expect(byId(result, 'NODE-LINKLOCAL-ALLOWANCE').status).toBe('FAIL');
    expect(byId(result, 'NODE-CONNTRACK-ALLOWANCE').status).toBe('PASS');
    expect(result.observations.counters?.after[0]).toMatchObject({
      interface: 'eth0',
      linklocal_allowance_exceeded: 812,
    });
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual(result);
  });

  it('re-reads a live statistics file at the end (the lab rewrites it while the agent captures)', async () => {
    const stats = file(
      'live.json',
      JSON.stringify({ interfaces: { eth0: { linklocal_allowance_exceeded: 0 } } }),
    );
    const ready = file('ready');
    const stop = new AbortController();

    const running = runNodeAgent({
      ...base,
      durationSeconds: 30,
      enaStatsFile: stats,
      captureInterface: 'none',
      readyFile: ready,
      signal: stop.signal,
      output: file('out.json'),
      handleSignals: false,
    });
    while (!existsSync(ready)) await delay(10);
    writeFileSync(stats, JSON.stringify({ interfaces: { eth0: { linklocal_allowance_exceeded: 40 } } }));
    stop.abort();
    const result = await running;

    expect(readFileSync(ready, 'utf8')).toBe('ready\n');
    expect(byId(result, 'NODE-LINKLOCAL-ALLOWANCE').evidence.interfaces).toEqual([
      { interface: 'eth0', before: 0, after: 40, increase: 40 },
    ]);
    expect((result as { endedBy?: string }).endedBy).toBe('stopped');
  });

  it('signs the result and frames it on stdout when no --output is given', async () => {
    const stats = file('stats.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: 0 }\n');
    let out = '';

    const result = await runNodeAgent({
      ...base,
      durationSeconds: 0.01,
      enaStatsFile: stats,
      captureInterface: 'none',
      resultKey: KEY,
      stdout: { write: (t: string) => (out += t) },
      handleSignals: false,
    });

    expect(hasValidSignature(result, KEY)).toBe(true);
    const decoded = decodeResultFrames(out);
    expect(decoded).toEqual({ ok: true, document: result, frames: expect.any(Number) });
  });

  it('SKIPPED on a non-ENA interface; ERROR when ethtool is missing', async () => {
    const veth = file('veth.yaml', 'interfaces:\n  veth0: { ena: false }\n');
    const skipped = await runNodeAgent({
      ...base,
      durationSeconds: 0.01,
      enaStatsFile: veth,
      captureInterface: 'none',
      stdout: quiet,
      handleSignals: false,
    });
    expect(byId(skipped, 'NODE-LINKLOCAL-ALLOWANCE')).toMatchObject({
      status: 'SKIPPED',
      evidence: { reason: expect.stringMatching(/not an ENA interface: veth0/) },
    });

    const missing = await runNodeAgent({
      ...base,
      durationSeconds: 0.01,
      interfaces: ['eth0'],
      ethtoolPath: '/nonexistent/ethtool',
      captureInterface: 'none',
      stdout: quiet,
      handleSignals: false,
    });
    expect(byId(missing, 'NODE-LINKLOCAL-ALLOWANCE')).toMatchObject({
      status: 'ERROR',
      evidence: { reason: expect.stringMatching(/ethtool not found/) },
    });
    expect(byId(missing, 'NODE-CONNTRACK-ALLOWANCE').status).toBe('ERROR');
  });

  it('reports a capture that could not start as a capture error, not a crash', async () => {
    const stats = file('stats.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: 0 }\n');
    const result = await runNodeAgent({
      ...base,
      durationSeconds: 0.01,
      enaStatsFile: stats,
      captureInterface: 'lo',
      tcpdumpPath: '/nonexistent/tcpdump',
      stdout: quiet,
      handleSignals: false,
    });

    expect(result.observations.capture).toMatchObject({
      where: `node:${base.nodeName}:lo`,
      packets: [],
      error: expect.any(String),
    });
  });
});

describe('runNodeAgent stopped before its capture runs', () => {
  it('a SIGTERM that arrives while it is still starting ends the capture at once, and it still reports', async () => {
    const stats = file('stats.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: 0 }\n');
    const before = process.listenerCount('SIGTERM');
    const running = runNodeAgent({
      ...base,
      durationSeconds: 3600, // only the SIGTERM can end it within the test's timeout
      enaStatsFile: stats,
      captureInterface: 'none',
      stdout: quiet,
    });
    // the collector deleted the pod: the kubelet's SIGTERM comes before the counters are read
    process.emit('SIGTERM');
    const result = await running;
    expect(result.endedBy).toBe('SIGTERM');
    expect(byId(result, 'NODE-LINKLOCAL-ALLOWANCE').status).toBe('PASS');
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe.runIf(prerequisites(ROOT, command('tcpdump', 'tcpdump')))('runNodeAgent with a real capture', () => {
  let server: TestDnsServer | undefined;
  afterEach(async () => server?.close());

  it('captures the port-53 query and answer that cross loopback while it is Ready', async () => {
    server = await startTestDnsServer({ host: '127.0.0.77', port: 53, tcp: false });
    const stats = file('stats.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: 0 }\n');
    const ready = file('ready');
    const stop = new AbortController();
    const running = runNodeAgent({
      ...base,
      durationSeconds: 30,
      enaStatsFile: stats,
      captureInterface: 'lo',
      readyFile: ready,
      signal: stop.signal,
      stdout: quiet,
      handleSignals: false,
    });
    while (!existsSync(ready)) await delay(10);

    const name = `fleetdns-${Date.now().toString(16)}.example.net`;
    const outcome = await createQueryDns()({ server: '127.0.0.77', name, type: 'A', transport: 'udp' });
    stop.abort();
    const result = await running;

    expect(outcome.outcome).toBe('answer');
    const packets = (result.observations.capture?.packets ?? []).filter(
      (p) => p.name?.replace(/\.$/, '') === name,
    );
    expect(packets.map((p) => p.qr).sort()).toEqual(['query', 'response']);
  });
});

describe('runNodeAgentCli', () => {
  it('prints help and exits 0', async () => {
    let out = '';
    expect(
      await runNodeAgentCli(['--help'], {
        stdout: { write: (t: string) => (out += t) },
        stderr: quiet,
        env: {},
      }),
    ).toBe(0);
    expect(out).toMatch(/--ena-stats-file/);
  });

  it('exits 2 with one line when --output is a directory, before capturing anything', async () => {
    let err = '';
    const code = await runNodeAgentCli(
      [
        '--node-name',
        'node-1',
        '--duration-seconds',
        '30',
        '--capture-interface',
        'none',
        '--output',
        tmpdir(),
      ],
      { stderr: { write: (t: string) => (err += t) }, stdout: quiet, env: {} },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/^runner node: error: --output: .* is a directory\n$/);
  });

  it.each([
    [['--duration-seconds', '0'], /positive integer/],
    [['--unknown'], /unknown option/],
    [[], /--node-name/],
  ])('exits 2 on unusable arguments %j', async (argv, message) => {
    let err = '';
    expect(
      await runNodeAgentCli(argv, { stderr: { write: (t: string) => (err += t) }, stdout: quiet, env: {} }),
    ).toBe(2);
    expect(err).toMatch(message);
  });

  it('runs from flags and the Job environment, writing the signed result to --output', async () => {
    const stats = file('stats.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: 0 }\n');
    const output = file('cli.json');
    const code = await runNodeAgentCli(
      [
        '--duration-seconds',
        '1',
        '--ena-stats-file',
        stats,
        '--capture-interface',
        'none',
        '--output',
        output,
      ],
      {
        env: {
          NODE_NAME: 'node-a',
          FLEETDNS_SCAN_ID: 'scan-9',
          FLEETDNS_CLUSTER_ID: '111122223333:eu-west-1:prod-a',
          FLEETDNS_RESULT_KEY: KEY,
        },
        stderr: quiet,
      },
    );

    expect(code).toBe(0);
    const doc = JSON.parse(readFileSync(output, 'utf8')) as RunnerResult;
    expect(doc).toMatchObject({ nodeName: 'node-a', scanId: 'scan-9', role: 'node' });
    expect(hasValidSignature(doc, KEY)).toBe(true);
  });

  it('exits 2 naming the file when the statistics file is unusable', async () => {
    let err = '';
    const code = await runNodeAgentCli(
      [
        '--node-name',
        'n',
        '--duration-seconds',
        '1',
        '--ena-stats-file',
        file('bad.json', '{'),
        '--capture-interface',
        'none',
      ],
      {
        env: {},
        stdout: quiet,
        stderr: { write: (t: string) => (err += t) },
      },
    );

    expect(code).toBe(2);
    expect(err).toMatch(/bad\.json is not valid JSON/);
  });
});
