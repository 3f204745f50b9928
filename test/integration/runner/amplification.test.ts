/**
 * The ndots/search amplification confirmed on the wire: one lookup through the real system
 * resolver (glibc getaddrinfo) of a unique name, counted in the probe's own capture, inside a
 * network + mount namespace the test creates (nothing in the root namespace changes).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunnerResult } from '../../../lambdas/core/schema/index.js';
import { command, prerequisites, ROOT } from '../../support/prerequisites.js';

const run = promisify(execFile);

describe.runIf(prerequisites(ROOT, command('unshare', 'util-linux'), command('tcpdump', 'tcpdump')))(
  'search-list amplification seen on the wire',
  () => {
    it.each([
      [
        'ndots:5 with 3 search domains',
        'search default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5',
        8,
      ],
      [
        'ndots:1 (dots ≥ ndots: as is, then every search domain)',
        'search a.example b.example\noptions ndots:1',
        6,
      ],
    ])(
      'counts the queries of one real lookup (%s)',
      async (_what, lines, expected) => {
        const dir = mkdtempSync(join(tmpdir(), 'fleet-dns-amp-'));
        const resolv = join(dir, 'resolv.conf');
        writeFileSync(resolv, `nameserver 127.0.0.10\n${lines}\noptions timeout:1 attempts:1\n`);
        const script = `ip link set lo up && mount --bind ${resolv} /etc/resolv.conf && exec ${process.execPath} --import tsx test/integration/runner/amplification-harness.ts`;
        const { stdout } = await run('unshare', ['--net', '--mount', 'sh', '-c', script], {
          maxBuffer: 32 * 1024 * 1024,
        });
        const result = JSON.parse(stdout) as RunnerResult;
        const resolvCheck = result.checks.find((c) => c.id === 'DNS-RESOLV-CONF');
        const amp = (resolvCheck?.evidence as { amplification: { observed: Record<string, unknown> } })
          .amplification;
        expect(amp.observed).toMatchObject({
          expectedQueries: expected,
          seenQueries: expected,
          confirmed: true,
        });
        expect((amp.observed.seenNames as string[]).length).toBe(expected / 2);
      },
      60_000,
    );
  },
);
