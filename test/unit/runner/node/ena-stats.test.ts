import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  enaCountersFrom,
  listPhysicalInterfaces,
  parseEthtoolStats,
  readEnaStatsFile,
  readInterfaceWithEthtool,
} from '../../../../runner-image/src/node/index.js';
import { command, prerequisites } from '../../../support/prerequisites.js';

// `ethtool -S eth0` on an m5.large (ENA driver 2.8), abridged.
const ENA_STATS = `NIC statistics:
     tx_timeout: 0
     suspend: 0
     resume: 0
     wd_expired: 0
     interface_up: 1
     interface_down: 0
     admin_q_pause: 0
     bw_in_allowance_exceeded: 0
     bw_out_allowance_exceeded: 0
     pps_allowance_exceeded: 0
     conntrack_allowance_exceeded: 0
     linklocal_allowance_exceeded: 1845
     conntrack_allowance_available: 136812
     queue_0_tx_cnt: 5837913
     queue_0_tx_bytes: 1213487634
     queue_0_rx_cnt: 6241109
     ena_admin_q_aq_completed: 104
`;

const dir = mkdtempSync(path.join(tmpdir(), 'fleetdns-ena-'));
const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('parseEthtoolStats', () => {
  it('reads the ENA allowance counters from real ethtool -S output', () => {
    const stats = parseEthtoolStats(ENA_STATS);

    expect(stats.linklocal_allowance_exceeded).toBe(1845);
    expect(stats.queue_0_tx_bytes).toBe(1213487634);
    expect(enaCountersFrom('eth0', stats)).toEqual({
      interface: 'eth0',
      linklocal_allowance_exceeded: 1845,
      conntrack_allowance_exceeded: 0,
      conntrack_allowance_available: 136812,
      pps_allowance_exceeded: 0,
      bw_in_allowance_exceeded: 0,
      bw_out_allowance_exceeded: 0,
    });
  });

  it('never throws and returns only integers (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const v of Object.values(parseEthtoolStats(text))) expect(Number.isSafeInteger(v)).toBe(true);
      }),
    );
  });
});

describe('readEnaStatsFile (the lab statistics source)', () => {
  it('reads before/after values, live values and non-ENA interfaces from YAML', async () => {
    const file = write(
      'stats.yaml',
      'interfaces:\n  eth0: { before: { linklocal_allowance_exceeded: 0 }, after: { linklocal_allowance_exceeded: 120 } }\n  eth1: { linklocal_allowance_exceeded: 7 }\n  veth0: { ena: false }\n',
    );

    expect(await readEnaStatsFile(file, 'before')).toEqual([
      { kind: 'ena', counters: { interface: 'eth0', linklocal_allowance_exceeded: 0 } },
      { kind: 'ena', counters: { interface: 'eth1', linklocal_allowance_exceeded: 7 } },
      { kind: 'not-ena', interface: 'veth0', reason: 'marked not ENA in the statistics file' },
    ]);
    expect((await readEnaStatsFile(file, 'after'))[0]).toEqual({
      kind: 'ena',
      counters: { interface: 'eth0', linklocal_allowance_exceeded: 120 },
    });
  });

  it('reads JSON too', async () => {
    const file = write(
      'stats.json',
      JSON.stringify({ interfaces: { eth0: { conntrack_allowance_exceeded: 3 } } }),
    );

    expect(await readEnaStatsFile(file, 'after')).toEqual([
      { kind: 'ena', counters: { interface: 'eth0', conntrack_allowance_exceeded: 3 } },
    ]);
  });

  it.each([
    ['missing.yaml', null, /cannot read/],
    ['bad.json', '{', /not valid JSON/],
    ['shape.yaml', 'eth0: 1\n', /interfaces/],
    ['negative.yaml', 'interfaces:\n  eth0: { linklocal_allowance_exceeded: -1 }\n', /interfaces\.eth0/],
  ])('rejects %s with a clear error', async (name, text, message) => {
    const file = text === null ? path.join(dir, name) : write(name, text);

    await expect(readEnaStatsFile(file, 'before')).rejects.toThrow(message);
  });

  // a garbage file: terminal escapes, NULs, a bidi override, and far more than a line of it
  const GARBAGE = `\x1b[2J\x1b]0;owned\x07\u0000\u202e${'\x01\x02garbage'.repeat(500)}`;
  it.each([
    ['garbage.json', GARBAGE],
    ['garbage.yaml', `interfaces: [${GARBAGE}`],
    [
      'key.yaml',
      `interfaces:\n  "eth0\\x1b[31m\\n${'x'.repeat(2000)}": { linklocal_allowance_exceeded: -1 }\n`,
    ],
    ['frame.yaml', 'interfaces:\n  eth0: { a: 1\n  eth1: [\n'],
  ])('names what is wrong with %s in one bounded, printable line', async (name, text) => {
    const file = write(name, text);

    const message = await readEnaStatsFile(file, 'before').then(
      () => 'no error',
      (err: Error) => err.message,
    );

    expect(message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}`));
    expect(message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(message.length).toBeLessThanOrEqual(file.length + 260);
  });
});

describe.runIf(prerequisites(command('ethtool', 'ethtool')))('ethtool on this machine', () => {
  it('calls loopback not an ENA interface (real ethtool)', async () => {
    const reading = await readInterfaceWithEthtool('lo');

    expect(reading).toMatchObject({ kind: 'not-ena', interface: 'lo' });
  });

  it('lists physical interfaces with their drivers from sysfs (ENA first)', async () => {
    const list = await listPhysicalInterfaces();

    expect(list.every((i) => i.name !== 'lo' && i.driver !== '')).toBe(true);
    const firstNonEna = list.findIndex((i) => i.driver !== 'ena');
    expect(list.slice(firstNonEna === -1 ? list.length : firstNonEna).every((i) => i.driver !== 'ena')).toBe(
      true,
    );
  });
});

it('reports a missing ethtool as an error, not as "not ENA"', async () => {
  expect(await readInterfaceWithEthtool('eth0', '/nonexistent/ethtool')).toEqual({
    kind: 'error',
    interface: 'eth0',
    error: '/nonexistent/ethtool not found',
  });
});
