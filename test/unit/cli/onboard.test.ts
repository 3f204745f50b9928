import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { buildOnboardingManifests } from '../../../lambdas/kube/manifests/index.js';
import { captureIo } from '../../support/cli-io.js';
import { spawnCli } from './spawn-cli.js';

function documents(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('expected documents');
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS());
}

describe('fleet-dns onboard', () => {
  it('--print writes the onboarding objects as a YAML stream, exit 0', async () => {
    const io = captureIo();
    expect(await runCli(['onboard', '--print'], io)).toBe(EXIT.OK);
    expect(io.err).toBe('');
    expect(documents(io.out)).toEqual(buildOnboardingManifests().all);
  });

  it('--namespace and --group reach the objects', async () => {
    const io = captureIo();
    expect(
      await runCli(['onboard', '--print', '--namespace', 'dns-scan', '--group', 'ops:scanner'], io),
    ).toBe(EXIT.OK);
    const expected = buildOnboardingManifests({ namespace: 'dns-scan', scannerGroup: 'ops:scanner' }).all;
    expect(documents(io.out)).toEqual(expected);
    expect(expected[0]?.metadata?.name).toBe('dns-scan');
  });

  it('--help describes the command and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['onboard', '--help'], io)).toBe(EXIT.OK);
    expect(io.out).toContain('Usage: fleet-dns onboard');
    expect(io.out).toContain('--print');
  });

  it.each([
    [
      ['onboard'],
      /^fleet-dns: error: applying the onboarding objects is not implemented yet: use `fleet-dns onboard --print \| kubectl apply -f -`$/,
    ],
    [
      ['onboard', '--print', '--namespace', 'Bad_NS'],
      /^fleet-dns: error: namespace "Bad_NS" is not a DNS-1123 label$/,
    ],
    [
      ['onboard', '--print', '--group', ' '],
      /^fleet-dns: error: group name is empty or has surrounding spaces$/,
    ],
    [['onboard', '--print', '--nope'], /^fleet-dns: error: unknown option '--nope'/],
    [['onboard', '--print', '--namespace'], /^fleet-dns: error: option '--namespace <ns>' argument missing/],
  ])('%j exits 2 with one line', async (argv, line) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(EXIT.USAGE);
    expect(io.out).toBe('');
    const lines = io.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('the real process: --print --quiet writes only the manifests (exit 0); without --print one line, exit 2', async () => {
    const printed = await spawnCli(['onboard', '--print', '--quiet']);
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('');
    expect(documents(printed.stdout)).toEqual(buildOnboardingManifests({}).all);
    const refused = await spawnCli(['onboard']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 60_000);
});
