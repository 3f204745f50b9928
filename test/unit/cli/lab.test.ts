import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { captureIo } from '../../support/cli-io.js';

describe('fleet-dns lab', () => {
  it('lists the scenarios of lab/scenarios', async () => {
    const io = captureIo();
    expect(await runCli(['lab', 'list'], io)).toBe(EXIT.OK);
    expect(io.out.trim().split('\n')).toEqual(
      expect.arrayContaining(['healthy', 'tcp-blocked', 'no-endpoints']),
    );
  });

  it('rejects an unknown scenario with one line naming it (exit 2), before building anything', async () => {
    const io = captureIo();
    const code = await runCli(['lab', 'run', 'no-such-scenario'], io);
    // Without root the lab cannot run at all (exit 1); as root the name is checked first (exit 2).
    if (process.getuid?.() === 0) {
      expect(code).toBe(EXIT.USAGE);
      expect(io.err).toMatch(/^fleet-dns: error: unknown lab scenario no-such-scenario \(known: .*healthy/);
    } else {
      expect(code).toBe(EXIT.TOOL_ERROR);
      expect(io.err).toMatch(/^fleet-dns: error: cannot build the lab here: the netns lab needs root/);
    }
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });
});
