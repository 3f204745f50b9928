import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture } from '../../../runner-image/src/capture/index.js';
import { createQueryDns } from '../../../runner-image/src/dns/index.js';
import type { ProbeQuery } from '../../../lambdas/core/schema/index.js';
import { parsePcap } from '../../../lambdas/core/capture/index.js';
import { command, prerequisites, ROOT } from '../../support/prerequisites.js';
import { startTestDnsServer } from './dns-test-server.js';
import type { TestDnsServer } from './dns-test-server.js';

describe('startCapture without tcpdump', () => {
  it('returns a missing tcpdump as an error value, never a rejection', async () => {
    const handle = await startCapture({ interface: 'lo', tcpdumpPath: '/nonexistent/tcpdump' });
    expect(handle.running).toBe(false);
    const out = await handle.stop();
    expect(out).toMatchObject({
      packets: [],
      truncated: false,
      error: 'tcpdump not found (install the tcpdump package)',
    });
    expect(out.pcap.length).toBe(0);
  });

  it('rejects an interface name that could smuggle arguments', () => {
    expect(() => startCapture({ interface: 'lo; rm -rf /' })).toThrow(/invalid interface name/);
  });
});

describe.runIf(prerequisites(ROOT, command('tcpdump', 'tcpdump')))(
  'startCapture with a real tcpdump on lo',
  () => {
    let dns: TestDnsServer;
    beforeAll(async () => {
      dns = await startTestDnsServer({ behaviour: (q) => (q.name.startsWith('drop') ? 'drop' : 'answer') });
    });
    afterAll(async () => {
      await dns.close();
    });

    it('sees every probe query and answer on the wire, matched by id and name', async () => {
      const handle = await startCapture({ interface: 'lo', port: dns.port });
      expect(handle.running).toBe(true);
      expect(handle.banner).toMatch(/listening on lo/);
      const log: ProbeQuery[] = [];
      const client = createQueryDns({ log });
      await client({
        server: '127.0.0.1',
        port: dns.port,
        name: 'a1.fleet-dns-probe.cluster.local',
        type: 'A',
        transport: 'udp',
      });
      await client({
        server: '127.0.0.1',
        port: dns.port,
        name: 'a2.fleet-dns-probe.cluster.local',
        type: 'A',
        transport: 'tcp',
      });
      await client({
        server: '127.0.0.1',
        port: dns.port,
        name: 'drop.fleet-dns-probe.cluster.local',
        type: 'A',
        transport: 'udp',
        timeoutMs: 300,
      });
      await client.queryPair({
        server: '127.0.0.1',
        port: dns.port,
        name: 'pair.fleet-dns-probe.cluster.local',
      });
      const out = await handle.stop();
      expect(out.error).toBeUndefined();
      expect(out.truncated).toBe(false);
      for (const q of log) {
        const seen = out.packets.filter((p) => p.dnsId === q.dnsId && p.name === q.name && p.type === q.type);
        const queries = seen.filter((p) => p.qr === 'query');
        const responses = seen.filter((p) => p.qr === 'response');
        expect(queries.length, `query ${q.name} ${q.type} on the wire`).toBeGreaterThanOrEqual(1);
        expect(queries[0]).toMatchObject({
          transport: q.transport,
          dst: '127.0.0.1',
          dstPort: dns.port,
          srcPort: q.srcPort,
        });
        expect(responses.length > 0, `answer to ${q.name} ${q.type} on the wire`).toBe(
          q.latencyMs !== undefined,
        );
      }
      // the pcap kept for the artifact parses to the same packets
      expect(parsePcap(out.pcap, { port: dns.port }).packets).toEqual(out.packets);
    });

    it('reports a capture on a missing interface as an error value', async () => {
      const handle = await startCapture({ interface: 'fdns-nosuch0', startTimeoutMs: 3000 });
      expect(handle.running).toBe(false);
      const out = await handle.stop();
      expect(out.error).toMatch(/tcpdump exited before listening|did not start listening/);
    });

    it('marks the capture truncated when the packet bound is hit', async () => {
      const handle = await startCapture({ interface: 'lo', port: dns.port, maxPackets: 2 });
      const client = createQueryDns();
      for (let i = 0; i < 3; i += 1)
        await client({
          server: '127.0.0.1',
          port: dns.port,
          name: `t${i}.example`,
          type: 'A',
          transport: 'udp',
        });
      const out = await handle.stop();
      expect(out.truncated).toBe(true);
      expect(out.packets).toHaveLength(2);
    });
  },
);
