import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SPAWNED, spawnCli } from './spawn-cli.js';

const SNAPSHOT = path.join(
  fileURLToPath(new URL('../../fixtures/snapshots/', import.meta.url)),
  '01-healthy-baseline.snapshot.json',
);

describe('a standard output that cannot be written', SPAWNED, () => {
  it('full (>/dev/full): one error line, exit 1, no stack', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const { code, stderr } = await spawnCli(['audit-network', '--snapshot', SNAPSHOT], { stdout: full });
      expect(stderr).toBe(
        'fleet-dns: error: cannot write to standard output: ENOSPC: no space left on device, write\n',
      );
      expect(code).toBe(1);
    } finally {
      closeSync(full);
    }
  });

  it('a pipe whose reader went away (| head -c1): quiet, the run keeps its exit code 0', async () => {
    const { code, stderr } = await spawnCli(['audit-network', '--snapshot', SNAPSHOT, '--format', 'json'], {
      // the reader closes before the CLI has written anything: every write meets EPIPE
      onSpawn: (child) => child.stdout?.destroy(),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
