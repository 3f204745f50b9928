import { afterEach, describe, expect, it } from 'vitest';
import { createQueryDns } from '../../../runner-image/src/dns/index.js';
import { createProbeBudget } from '../../../runner-image/src/budget/index.js';
import type { ProbeQuery } from '../../../lambdas/core/schema/index.js';
import { probeQuerySchema } from '../../../lambdas/core/schema/index.js';
import { startTestDnsServer } from './dns-test-server.js';
import type { TestDnsServer } from './dns-test-server.js';

const servers: TestDnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(options: Parameters<typeof startTestDnsServer>[0] = {}): Promise<TestDnsServer> {
  const s = await startTestDnsServer(options);
  servers.push(s);
  return s;
}

describe('createQueryDns against real DNS servers on 127.0.0.1', () => {
  it('gets an answer over UDP and logs the query as a ProbeQuery observation', async () => {
    const s = await server();
    const log: ProbeQuery[] = [];
    const queryDns = createQueryDns({ log });
    const outcome = await queryDns({
      server: '127.0.0.1',
      port: s.port,
      name: 'kubernetes.default.svc.cluster.local',
      type: 'A',
      transport: 'udp',
    });
    expect(outcome).toMatchObject({
      outcome: 'answer',
      rcode: 'NOERROR',
      answers: ['198.18.0.42'],
      truncated: false,
    });
    expect(log).toHaveLength(1);
    expect(probeQuerySchema.parse(log[0])).toMatchObject({
      name: 'kubernetes.default.svc.cluster.local',
      type: 'A',
      server: '127.0.0.1',
      transport: 'udp',
      rcode: 'NOERROR',
      answers: ['198.18.0.42'],
      port: s.port,
    });
    expect(log[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(typeof log[0]?.dnsId).toBe('number');
    expect(typeof log[0]?.srcPort).toBe('number');
  });

  it('gets an answer over TCP, also when it arrives one byte at a time', async () => {
    const s = await server({ trickleTcp: true });
    const queryDns = createQueryDns();
    const outcome = await queryDns({
      server: '127.0.0.1',
      port: s.port,
      name: 'amazon.com',
      type: 'AAAA',
      transport: 'tcp',
    });
    expect(outcome).toMatchObject({ outcome: 'answer', rcode: 'NOERROR', answers: ['fd00::42'] });
    expect(s.received).toEqual([{ name: 'amazon.com', type: 'AAAA', transport: 'tcp' }]);
  });

  it('reports SERVFAIL and NXDOMAIN as answers with their rcode', async () => {
    const s = await server({ behaviour: (q) => (q.name.startsWith('bad') ? 'servfail' : 'nxdomain') });
    const queryDns = createQueryDns();
    const a = await queryDns({
      server: '127.0.0.1',
      port: s.port,
      name: 'bad.example',
      type: 'A',
      transport: 'udp',
    });
    const b = await queryDns({
      server: '127.0.0.1',
      port: s.port,
      name: 'x.fleet-dns-probe.cluster.local',
      type: 'A',
      transport: 'tcp',
    });
    expect(a).toMatchObject({ outcome: 'answer', rcode: 'SERVFAIL', answers: [] });
    expect(b).toMatchObject({ outcome: 'answer', rcode: 'NXDOMAIN' });
  });

  it('times out on a server that drops queries, after its own timeout', async () => {
    const s = await server({ behaviour: () => 'drop' });
    const log: ProbeQuery[] = [];
    const started = Date.now();
    const outcome = await createQueryDns({ log })({
      server: '127.0.0.1',
      port: s.port,
      name: 'a.example',
      type: 'A',
      transport: 'udp',
      timeoutMs: 300,
    });
    expect(outcome).toEqual({ outcome: 'timeout', latencyMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(log[0]).toMatchObject({ error: 'timeout' });
    expect(log[0]?.latencyMs).toBeUndefined();
  });

  it('reports a refused TCP connection as an error value', async () => {
    const s = await server({ tcp: false });
    const outcome = await createQueryDns()({
      server: '127.0.0.1',
      port: s.port,
      name: 'a.example',
      type: 'A',
      transport: 'tcp',
      timeoutMs: 1000,
    });
    expect(outcome).toMatchObject({ outcome: 'error', error: 'connection refused' });
  });

  it('reports ICMP port-unreachable on UDP as an error, not a timeout', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const outcome = await createQueryDns()({
      server: '127.0.0.1',
      port,
      name: 'a.example',
      type: 'A',
      transport: 'udp',
      timeoutMs: 1000,
    });
    expect(outcome).toMatchObject({ outcome: 'error', error: 'connection refused' });
  });

  it('sends an A/AAAA pair from one socket and reports each answer separately (first of pair dropped)', async () => {
    const s = await server({ dropFirstOfPair: true });
    const log: ProbeQuery[] = [];
    const client = createQueryDns({ log });
    const pair = await client.queryPair({
      server: '127.0.0.1',
      port: s.port,
      name: 'p.fleet-dns-probe.cluster.local',
      timeoutMs: 400,
    });
    expect(pair.first).toEqual({ outcome: 'timeout', latencyMs: 400 });
    expect(pair.second).toMatchObject({ outcome: 'answer', rcode: 'NOERROR', answers: ['fd00::42'] });
    expect(log.map((q) => [q.type, q.pairIndex])).toEqual([
      ['A', 0],
      ['AAAA', 1],
    ]);
    expect(log[0]?.srcPort).toBe(log[1]?.srcPort);
    expect(log[0]?.pairId).toBe(log[1]?.pairId);
    // a single query on its own socket is not a pair: it is answered
    const single = await client({
      server: '127.0.0.1',
      port: s.port,
      name: 'q.example',
      type: 'A',
      transport: 'udp',
      timeoutMs: 400,
    });
    expect(single.outcome).toBe('answer');
  });

  it('answers both halves of a pair from a healthy server', async () => {
    const s = await server();
    const pair = await createQueryDns().queryPair({ server: '127.0.0.1', port: s.port, name: 'ok.example' });
    expect([pair.first.outcome, pair.second.outcome]).toEqual(['answer', 'answer']);
  });

  it('waits for the probe budget before every query', async () => {
    const s = await server();
    const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget: 5, slackMs: 0 });
    const queryDns = createQueryDns({ budget });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        queryDns({ server: '127.0.0.1', port: s.port, name: `n${i}.example`, type: 'A', transport: 'udp' }),
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(budget.stats()).toMatchObject({ sent: 6, maxInAnySecond: 5, perTarget: { '127.0.0.1': 6 } });
  });

  it('rejects arguments that are not a query (a bug, not an outcome)', async () => {
    await expect(
      createQueryDns()({ server: 'kube-dns', name: 'a', type: 'A', transport: 'udp' }),
    ).rejects.toThrow(/must be an IP address/);
  });
});
