import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { captureIo } from '../../support/cli-io.js';
import { SPAWNED, spawnCli } from './spawn-cli.js';

const SNAPSHOT = path.join(
  fileURLToPath(new URL('../../fixtures/snapshots/', import.meta.url)),
  '01-healthy-baseline.snapshot.json',
);
const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-snapshot-size-'));
const writers: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const w of writers) if (w.exitCode === null) w.kill();
});

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.out, stderr: io.err };
}

describe(
  'audit-network refuses a snapshot above --max-snapshot-size (network-snapshot.md: input is bounded)',
  SPAWNED,
  () => {
    it('/dev/zero, the default 256 MB limit: the real CLI stops at the limit and exits 2 with one line', async () => {
      const { code, stdout, stderr } = await spawnCli(['audit-network', '--snapshot', '/dev/zero']);
      expect(code).toBe(EXIT.USAGE);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'fleet-dns: error: --snapshot /dev/zero: larger than the 256 MB limit (raise it with --max-snapshot-size)\n',
      );
    });

    it('a sparse regular file past the limit is refused from its size, before a byte is read', async () => {
      const file = path.join(scratch, 'huge.snapshot.json');
      writeFileSync(file, '');
      truncateSync(file, 300 * 1024 * 1024); // a hole: no disk used
      expect(statSync(file).size).toBeGreaterThan(256 * 1024 * 1024);
      const { code, stderr } = await cli('audit-network', '--snapshot', file);
      expect(code).toBe(EXIT.USAGE);
      expect(stderr).toBe(
        `fleet-dns: error: --snapshot ${file}: larger than the 256 MB limit (raise it with --max-snapshot-size)\n`,
      );
    });

    it.each([
      ['1KB', '1 KB'],
      ['2048', '2 KB'],
      ['1000', '1000 bytes'],
    ])('--max-snapshot-size %s refuses a fixture larger than that', async (limit, shown) => {
      expect(statSync(SNAPSHOT).size).toBeGreaterThan(2048);
      const { code, stderr } = await cli(
        'audit-network',
        '--snapshot',
        SNAPSHOT,
        '--max-snapshot-size',
        limit,
      );
      expect(code).toBe(EXIT.USAGE);
      expect(stderr).toMatch(new RegExp(`^fleet-dns: error: --snapshot .*: larger than the ${shown} limit`));
    });

    it('a file within the limit is audited as before', async () => {
      const size = statSync(SNAPSHOT).size;
      const { code, stderr } = await cli(
        'audit-network',
        '--snapshot',
        SNAPSHOT,
        '--max-snapshot-size',
        String(size),
      );
      expect(stderr).toBe('');
      expect(code).toBe(EXIT.OK);
    });

    it('a FIFO fed without end is read only up to the limit', async () => {
      const fifo = path.join(scratch, 'endless.fifo');
      execFileSync('mkfifo', [fifo]);
      // The writer blocks until the CLI opens the FIFO, then writes until the CLI closes it.
      const writer = spawn('sh', ['-c', `exec cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
      writers.push(writer);
      const { code, stderr } = await cli('audit-network', '--snapshot', fifo, '--max-snapshot-size', '64KB');
      expect(code).toBe(EXIT.USAGE);
      expect(stderr).toBe(
        `fleet-dns: error: --snapshot ${fifo}: larger than the 64 KB limit (raise it with --max-snapshot-size)\n`,
      );
    });

    it.each(['0', 'lots', '12XB', '-5'])(
      'rejects --max-snapshot-size %j with one line (exit 2)',
      async (limit) => {
        const { code, stderr } = await cli(
          'audit-network',
          '--snapshot',
          SNAPSHOT,
          '--max-snapshot-size',
          limit,
        );
        expect(code).toBe(EXIT.USAGE);
        expect(stderr).toBe(
          `fleet-dns: error: --max-snapshot-size ${JSON.stringify(limit)}: expected a size such as 256MB, 64KB, 1GB or a number of bytes\n`,
        );
      },
    );
  },
);
