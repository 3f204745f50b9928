import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../../../../lab/dns-server/server.js';
import type { DnsServer, DnsServerConfig } from '../../../../lab/dns-server/server.js';

type Reply = { rcode?: string; answers: string[] } | 'timeout';

/** Sends queries from one UDP socket, back to back, and collects the replies by id. */
async function udp(
  port: number,
  questions: { name: string; type: string }[],
  timeoutMs = 400,
): Promise<Reply[]> {
  const socket = createSocket('udp4');
  const replies = new Map<number, Buffer>();
  socket.on('message', (m) => replies.set(m.readUInt16BE(0), m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  questions.forEach((q, i) =>
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 100 + i,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: q.name, type: q.type as RecordType }],
      }),
      port,
      '127.0.0.1',
    ),
  );
  const deadline = Date.now() + timeoutMs;
  while (replies.size < questions.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  socket.close();
  return questions.map((_, i) => {
    const raw = replies.get(100 + i);
    if (!raw) return 'timeout';
    const p = dnsPacket.decode(raw) as ReturnType<typeof dnsPacket.decode> & { rcode?: string };
    return { rcode: p.rcode, answers: (p.answers ?? []).map((a) => String((a as { data?: unknown }).data)) };
  });
}

async function tcp(port: number, name: string): Promise<Reply | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const query = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name, type: 'A' }] });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length);
    let buf = Buffer.alloc(0);
    socket.on('connect', () => socket.write(Buffer.concat([prefix, query])));
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const p = dnsPacket.decode(buf.subarray(2)) as ReturnType<typeof dnsPacket.decode> & {
          rcode?: string;
        };
        socket.destroy();
        resolve({
          rcode: p.rcode,
          answers: (p.answers ?? []).map((a) => String((a as { data?: unknown }).data)),
        });
      }
    });
    socket.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

describe('lab DNS server (on loopback)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-dns-'));
  const servers: DnsServer[] = [];
  const start = async (config: DnsServerConfig): Promise<DnsServer> => {
    const s = await startDnsServer({ listen: ['127.0.0.1'], port: 0, ...config });
    servers.push(s);
    return s;
  };
  let upstream: DnsServer;
  let coredns: DnsServer;

  beforeAll(async () => {
    upstream = await start({
      records: { 'amazon.com': { A: ['198.18.200.1'] } },
      authoritativeZones: ['.'],
      zoneBehaviours: [
        { zone: 'broken.example', behaviour: 'servfail' },
        { zone: 'silent.example', behaviour: 'drop' },
        { zone: 'slow.example', behaviour: 'answer', delayMs: 1800 },
      ],
      queryLog: path.join(dir, 'upstream.jsonl'),
    });
    coredns = await start({
      records: { 'kubernetes.default.svc.cluster.local': { A: ['198.19.0.1'] } },
      authoritativeZones: ['cluster.local'],
      forwards: [{ zone: '.', to: [`127.0.0.1:${upstream.port}`] }],
      forwardTimeoutMs: 300,
      metrics: { port: 0, texts: ['first 1\n', 'second 2\n'] },
    });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers its records, NXDOMAIN inside its zones, and forwards the rest', async () => {
    expect(
      await udp(coredns.port, [
        { name: 'kubernetes.default.svc.cluster.local', type: 'A' },
        { name: 'nope.fleet-dns-probe.cluster.local', type: 'A' },
        { name: 'amazon.com', type: 'A' },
        { name: 'other.example', type: 'A' },
      ]),
    ).toEqual([
      { rcode: 'NOERROR', answers: ['198.19.0.1'] },
      { rcode: 'NXDOMAIN', answers: [] },
      { rcode: 'NOERROR', answers: ['198.18.200.1'] },
      { rcode: 'NXDOMAIN', answers: [] },
    ]);
    const log = readFileSync(path.join(dir, 'upstream.jsonl'), 'utf8');
    expect(log).toMatch(/"name":"amazon.com","type":"A","action":"answer"/);
  });

  it('turns an upstream SERVFAIL or silence into SERVFAIL, as CoreDNS forward does', async () => {
    expect(
      await udp(
        coredns.port,
        [
          { name: 'a.broken.example', type: 'A' },
          { name: 'a.silent.example', type: 'A' },
        ],
        1500,
      ),
    ).toEqual([
      { rcode: 'SERVFAIL', answers: [] },
      { rcode: 'SERVFAIL', answers: [] },
    ]);
  });

  it('the VPC resolver stand-in answers the root SOA with NOERROR and an SOA record (lab.md)', async () => {
    const socketReply = await udp(upstream.port, [
      { name: '.', type: 'SOA' },
      { name: 'outside.example', type: 'SOA' },
    ]);
    expect(socketReply[0]).toMatchObject({ rcode: 'NOERROR' });
    expect((socketReply[0] as { answers: string[] }).answers).toHaveLength(1);
    expect(socketReply[1]).toEqual({ rcode: 'NXDOMAIN', answers: [] });
    // through a CoreDNS stand-in forwarding the root zone to it
    expect((await udp(coredns.port, [{ name: '.', type: 'SOA' }]))[0]).toMatchObject({ rcode: 'NOERROR' });
  });

  it('waits for a slow upstream like CoreDNS forward (about 5 s) instead of SERVFAILing', async () => {
    const patient = await start({
      authoritativeZones: ['cluster.local'],
      forwards: [{ zone: '.', to: [`127.0.0.1:${upstream.port}`] }],
    });
    expect(await udp(patient.port, [{ name: 'x.slow.example', type: 'A' }], 4000)).toEqual([
      { rcode: 'NXDOMAIN', answers: [] },
    ]);
  });

  it('answers over TCP with length-prefixed messages, or refuses TCP when tcp is false', async () => {
    expect(await tcp(coredns.port, 'kubernetes.default.svc.cluster.local')).toEqual({
      rcode: 'NOERROR',
      answers: ['198.19.0.1'],
    });
    const noTcp = await start({ tcp: false, records: { 'a.test': { A: ['198.18.9.9'] } } });
    expect(await tcp(noTcp.port, 'a.test')).toEqual({ error: 'ECONNREFUSED' });
  });

  it('drops the AAAA of a same-socket A/AAAA pair, but answers an AAAA alone', async () => {
    const racy = await start({
      records: { 'a.test': { A: ['198.18.9.9'] } },
      behaviour: { dropSecondOfPair: true },
    });
    expect(
      await udp(racy.port, [
        { name: 'a.test', type: 'A' },
        { name: 'a.test', type: 'AAAA' },
      ]),
    ).toEqual([{ rcode: 'NOERROR', answers: ['198.18.9.9'] }, 'timeout']);
    expect(await udp(racy.port, [{ name: 'a.test', type: 'AAAA' }])).toEqual([
      { rcode: 'NOERROR', answers: [] },
    ]);
  });

  it('drops, SERVFAILs or stays down as its behaviour says', async () => {
    const dropping = await start({
      records: { 'a.test': { A: ['198.18.9.9'] } },
      behaviour: { dropShare: 1 },
    });
    const failing = await start({
      records: { 'a.test': { A: ['198.18.9.9'] } },
      behaviour: { servfailShare: 1 },
    });
    const down = await start({ records: { 'a.test': { A: ['198.18.9.9'] } }, behaviour: { down: true } });
    expect(await udp(dropping.port, [{ name: 'a.test', type: 'A' }])).toEqual(['timeout']);
    expect(await udp(failing.port, [{ name: 'a.test', type: 'A' }])).toEqual([
      { rcode: 'SERVFAIL', answers: [] },
    ]);
    expect(await udp(down.port, [{ name: 'a.test', type: 'A' }])).toEqual(['timeout']);
  });

  it('serves the metrics texts in order, the last one repeating', async () => {
    const url = `http://127.0.0.1:${coredns.metricsPort}/metrics`;
    const texts = [];
    for (let i = 0; i < 3; i += 1) texts.push(await (await fetch(url)).text());
    expect(texts).toEqual(['first 1\n', 'second 2\n', 'second 2\n']);
  });

  it('survives random and truncated datagrams, and still answers afterwards', async () => {
    const socket = createSocket('udp4');
    const valid = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ name: 'kubernetes.default.svc.cluster.local', type: 'A' }],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.subarray(0, n)),
        ),
        async (bytes) => {
          await new Promise<void>((r) =>
            socket.send(Buffer.from(bytes), coredns.port, '127.0.0.1', () => r()),
          );
          // Let the server (same event loop) read, so the burst does not overflow its receive buffer.
          await new Promise((r) => setImmediate(r));
        },
      ),
      { numRuns: 300 },
    );
    socket.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(await udp(coredns.port, [{ name: 'kubernetes.default.svc.cluster.local', type: 'A' }])).toEqual([
      { rcode: 'NOERROR', answers: ['198.19.0.1'] },
    ]);
  });
});
