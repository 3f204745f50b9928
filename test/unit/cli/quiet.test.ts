import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import '../../../lab/cli/index.js';
import { captureIo, runCliInProcess } from '../../support/cli-io.js';
import { SPAWNED, spawnCli } from './spawn-cli.js';

const SNAPSHOT = path.join(
  fileURLToPath(new URL('../../fixtures/snapshots/', import.meta.url)),
  '02-sg-coredns-ingress-tcp-only.snapshot.json',
);

/** The CLI in-process with stderr playing a terminal, so progress would show. */
async function onTerminal(argv: string[]) {
  const io = captureIo();
  io.stderrIsTTY = true;
  const code = await runCli(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}

describe('--quiet and --no-progress (conventions.md: quiet with --quiet; results on stdout)', SPAWNED, () => {
  // In-process, and once as the real process (bin/fleet-dns.ts composes the lab commands in).
  it.each([
    [
      'audit-network after the command',
      ['audit-network', '--snapshot', SNAPSHOT, '--quiet'],
      runCliInProcess,
    ],
    [
      'audit-network before the command',
      ['--quiet', 'audit-network', '--snapshot', SNAPSHOT],
      runCliInProcess,
    ],
    [
      'audit-network --no-progress',
      ['audit-network', '--snapshot', SNAPSHOT, '--no-progress'],
      runCliInProcess,
    ],
    ['lab list, a spawned process', ['lab', 'list', '--quiet'], spawnCli],
  ])('are accepted by the CLI (%s) and leave stdout byte for byte the same', async (_name, argv, run) => {
    const plain = await run(argv.filter((a) => a !== '--quiet' && a !== '--no-progress'));
    const quiet = await run(argv);
    expect(plain.code).toBe(0);
    expect(quiet).toEqual({ code: 0, stdout: plain.stdout, stderr: '' });
    expect(quiet.stdout.length).toBeGreaterThan(0);
  });

  it('demo: --quiet and --no-progress drop the task list shown on a terminal', async () => {
    const store = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), 'fleet-dns-quiet-')), name);
    const args = (name: string) => ['demo', '--no-lab', '--day', '1', '--store', store(name)];
    const shown = await onTerminal(args('shown.db'));
    const quiet = await onTerminal([...args('quiet.db'), '--quiet']);
    const noProgress = await onTerminal(['--no-progress', ...args('plain.db')]);
    expect(shown.code).toBe(EXIT.OK);
    expect(shown.stderr).toContain('Collect the AWS side: 6/6 account×regions, 8 clusters');
    expect(quiet).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(quiet.stdout).toContain('Top diagnoses:');
    expect(noProgress.code).toBe(EXIT.OK);
    expect(noProgress.stderr).not.toContain('Collect the AWS side');
    expect(noProgress.stderr).toContain('fleet-dns: day 1');
  }, 120_000);

  it('--quiet never silences an error line', async () => {
    const { code, stderr } = await onTerminal([
      'audit-network',
      '--quiet',
      '--snapshot',
      '/nonexistent.json',
    ]);
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toBe('fleet-dns: error: --snapshot /nonexistent.json: no such file\n');
  });

  it('are listed in the help of every command', async () => {
    for (const argv of [
      ['audit-network', '--help'],
      ['demo', '--help'],
      ['lab', 'run', '--help'],
    ]) {
      const io = captureIo();
      expect(await runCli(argv, io)).toBe(EXIT.OK);
      expect(io.out).toContain('--quiet');
      expect(io.out).toContain('--no-progress');
    }
  });
});
