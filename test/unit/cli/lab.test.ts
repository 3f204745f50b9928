import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import '../../../lab/cli/index.js';
import { captureIo } from '../../support/cli-io.js';

describe('fleet-dns lab', () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('lists the scenarios of lab/scenarios', async () => {
    const io = captureIo();
    expect(await runCli(['lab', 'list'], io)).toBe(EXIT.OK);
    expect(io.out.trim().split('\n')).toEqual(
      expect.arrayContaining(['healthy', 'tcp-blocked', 'no-endpoints']),
    );
  });

  // Arguments are checked before the machine is: these hold with or without root.
  it('rejects an unknown scenario with one line naming it (exit 2), before building anything', async () => {
    const io = captureIo();
    expect(await runCli(['lab', 'run', 'no-such-scenario'], io)).toBe(EXIT.USAGE);
    expect(io.err).toMatch(/^fleet-dns: error: unknown lab scenario no-such-scenario \(known: .*healthy/);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a scenario path that does not exist (exit 2)', async () => {
    const io = captureIo();
    expect(await runCli(['lab', 'run', '/nonexistent/dir/healthy.yaml'], io)).toBe(EXIT.USAGE);
    expect(io.err).toMatch(/^fleet-dns: error: unknown lab scenario \/nonexistent\/dir\/healthy\.yaml/);
  });

  it('rejects an invalid scenario file with the field at fault (exit 2)', async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'fleet-dns-lab-cli-'));
    const file = path.join(tmp, 'broken.yaml');
    writeFileSync(file, 'name: broken\ndescription: no nodes\nexpect: { diagnosis: [healthy] }\n');
    const io = captureIo();
    expect(await runCli(['lab', 'run', file], io)).toBe(EXIT.USAGE);
    expect(io.err).toMatch(/^fleet-dns: error: broken\.yaml: .*nodes/);
    expect(io.out).toBe('');
  });
});
