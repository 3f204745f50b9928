import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { captureIo } from '../../support/cli-io.js';

describe('fleet-dns CLI', () => {
  it('prints the package version with --version and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(EXIT.OK);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints usage with --help and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(EXIT.OK);
    expect(io.out).toContain('Usage: fleet-dns');
  });

  it('rejects an unknown option with one error line and exit 2', async () => {
    const io = captureIo();
    expect(await runCli(['--no-such-flag'], io)).toBe(EXIT.USAGE);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^fleet-dns: error: unknown option '--no-such-flag'/);
  });
});
