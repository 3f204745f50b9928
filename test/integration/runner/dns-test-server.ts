/**
 * A small real DNS server on loopback (UDP and TCP on one port) for the runner's client tests,
 * built on dns-packet, with the behaviours the probes must tell apart.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { decode, encode } from 'dns-packet';
import type { Packet, RecordType } from 'dns-packet';

export type Behaviour = 'answer' | 'drop' | 'servfail' | 'nxdomain' | 'truncate';

export interface TestDnsServerOptions {
  /** what to do with each query @default () => 'answer' */
  readonly behaviour?: (q: { name: string; type: string; transport: 'udp' | 'tcp' }) => Behaviour;
  /** listen on TCP too @default true */
  readonly tcp?: boolean;
  /** drop the first of two queries arriving back to back from one UDP socket (conntrack race) */
  readonly dropFirstOfPair?: boolean;
  /** TCP: send the answer one byte at a time (partial reads) */
  readonly trickleTcp?: boolean;
  /** the A answer @default 198.18.0.42 */
  readonly address?: string;
  /** loopback address to listen on @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0 (ephemeral) */
  readonly port?: number;
}

export interface TestDnsServer {
  readonly port: number;
  readonly received: { name: string; type: string; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

function reply(query: Packet, behaviour: Behaviour, address: string): Buffer {
  const q = query.questions?.[0];
  const rcode = behaviour === 'servfail' ? 2 : behaviour === 'nxdomain' ? 3 : 0;
  const answers =
    rcode === 0 && q && (q.type === 'A' || q.type === 'AAAA')
      ? [{ type: q.type as 'A' | 'AAAA', name: q.name, ttl: 1, data: q.type === 'A' ? address : 'fd00::42' }]
      : [];
  return encode({
    type: 'response',
    id: query.id ?? 0,
    flags: 0x8180 | rcode | (behaviour === 'truncate' ? 0x0200 : 0),
    questions: query.questions ?? [],
    answers,
  });
}

export async function startTestDnsServer(options: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  const behaviour = options.behaviour ?? (() => 'answer');
  const address = options.address ?? '198.18.0.42';
  const received: TestDnsServer['received'] = [];
  const udp = createSocket('udp4');
  const pendingFirst = new Map<string, NodeJS.Timeout>();

  const handleUdp = (msg: Buffer, rinfo: { address: string; port: number }): void => {
    let query: Packet;
    try {
      query = decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    const entry = { name: q?.name ?? '', type: String(q?.type ?? ''), transport: 'udp' as const };
    received.push(entry);
    const b = behaviour(entry);
    if (b === 'drop') return;
    udp.send(reply(query, b, address), rinfo.port, rinfo.address);
  };

  udp.on('message', (msg, rinfo) => {
    if (!options.dropFirstOfPair) return handleUdp(msg, rinfo);
    // Hold each message briefly: if its socket sends another at once, the first one "loses the race".
    const key = `${rinfo.address}:${rinfo.port}`;
    const held = pendingFirst.get(key);
    if (held) {
      clearTimeout(held);
      pendingFirst.delete(key);
      received.push({ name: '(dropped first of pair)', type: '', transport: 'udp' });
      return handleUdp(msg, rinfo);
    }
    pendingFirst.set(
      key,
      setTimeout(() => {
        pendingFirst.delete(key);
        handleUdp(msg, rinfo);
      }, 30),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port ?? 0, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  let tcpServer: Server | undefined;
  const sockets = new Set<Socket>();
  if (options.tcp ?? true) {
    tcpServer = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          let query: Packet;
          try {
            query = decode(buf.subarray(2, 2 + len));
          } catch {
            socket.destroy();
            return;
          }
          buf = buf.subarray(2 + len);
          const q = query.questions?.[0];
          const entry = {
            name: q?.name ?? '',
            type: String(q?.type ?? ('' as RecordType)),
            transport: 'tcp' as const,
          };
          received.push(entry);
          const b = behaviour(entry);
          if (b === 'drop') continue;
          const answer = reply(query, b === 'truncate' ? 'answer' : b, address);
          const framed = Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]);
          if (options.trickleTcp) {
            let i = 0;
            const tick = setInterval(() => {
              if (i >= framed.length || socket.destroyed) return clearInterval(tick);
              socket.write(framed.subarray(i, i + 1));
              i += 1;
            }, 1);
          } else socket.write(framed);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      tcpServer?.once('error', reject);
      tcpServer?.listen(port, host, () => resolve());
    });
    void (tcpServer.address() as AddressInfo);
  }

  return {
    port,
    received,
    async close() {
      for (const t of pendingFirst.values()) clearTimeout(t);
      udp.close();
      for (const s of sockets) s.destroy();
      if (tcpServer) await new Promise<void>((resolve) => tcpServer?.close(() => resolve()));
    },
  };
}
