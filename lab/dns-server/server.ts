/**
 * The lab's DNS server, built on dns-packet: it plays a CoreDNS pod (cluster-domain records,
 * stub-domain and root forwarders, the failure behaviours a scenario asks for) and the "VPC
 * resolver" (authoritative for the test zones). Over UDP and TCP (length-prefixed, RFC 7766).
 * Every query it receives is appended to an optional JSON-lines log, so lab tests can see what
 * arrived where.
 *
 * @see https://coredns.io/plugins/forward/
 * @see https://coredns.io/plugins/erratic/
 * @see https://www.rfc-editor.org/rfc/rfc7766
 */
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { Server as TcpServer, Socket as TcpSocket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { LabDnsServerError } from './errors.js';

/** What a zone (or the whole server) does with a query. */
export type ZoneBehaviour = 'answer' | 'servfail' | 'refuse' | 'nxdomain' | 'drop';

/** Failure behaviours of the whole server (a CoreDNS pod's "erratic" modes). */
export interface ServerBehaviour {
  /** share of queries silently dropped (0..1), as CoreDNS `erratic` does; @default 0 */
  readonly dropShare?: number;
  /** share answered SERVFAIL; @default 0 */
  readonly servfailShare?: number;
  /** answer every query this late; @default 0 */
  readonly delayMs?: number;
  /**
   * The conntrack-race stand-in: drop the AAAA query of an A/AAAA pair sent back to back from one
   * socket (same source address and port within `pairWindowMs`), as the losing conntrack insert does.
   * @default false
   */
  readonly dropSecondOfPair?: boolean;
  /** @default 100 */
  readonly pairWindowMs?: number;
  /** answer nothing at all (a pod whose process is down but whose IP still routes); @default false */
  readonly down?: boolean;
}

/** Static records, by lower-case name without the trailing dot. */
export type RecordSet = Readonly<
  Record<string, { readonly A?: readonly string[]; readonly AAAA?: readonly string[] }>
>;

/** Configuration of one server; JSON-serialisable (the lab passes it to a process in a netns). */
export interface DnsServerConfig {
  /** addresses to listen on; @default ['0.0.0.0'] */
  readonly listen?: readonly string[];
  /** @default 53 */
  readonly port?: number;
  /** serve TCP as well as UDP; @default true (false = "TCP closed": connection refused) */
  readonly tcp?: boolean;
  readonly records?: RecordSet;
  /** zones this server is authoritative for: names under them that are not in `records` are NXDOMAIN */
  readonly authoritativeZones?: readonly string[];
  /** forwarders by zone (longest suffix wins; `.` is the root); targets `ip` or `ip:port` */
  readonly forwards?: readonly { readonly zone: string; readonly to: readonly string[] }[];
  /** per-zone behaviour (longest suffix wins) before anything else is looked at */
  readonly zoneBehaviours?: readonly {
    readonly zone: string;
    readonly behaviour: ZoneBehaviour;
    readonly delayMs?: number;
  }[];
  readonly behaviour?: ServerBehaviour;
  /**
   * How long a forwarded query may wait for the upstream before the answer is SERVFAIL, over every
   * try; @default 5000 (CoreDNS `forward`: a slow but working upstream is slow, not a failure)
   */
  readonly forwardTimeoutMs?: number;
  /** how long one try waits before the next target (or the same again) is tried; @default 2000 */
  readonly forwardTryTimeoutMs?: number;
  /** TTL of answers; @default 5 */
  readonly ttl?: number;
  /** append one JSON line per received query here */
  readonly queryLog?: string;
  /**
   * Serve Prometheus text on `http://<listen>:<port>/metrics` (CoreDNS `prometheus :9153`):
   * the n-th scrape gets `texts[n]`, the last one repeating, so counters can grow between the
   * runner's two scrapes.
   */
  readonly metrics?: { readonly port?: number; readonly texts: readonly string[] };
  /** seed of the drop/servfail shares, for repeatable runs; @default Math.random */
  readonly seed?: number;
}

/** A running server. */
export interface DnsServer {
  /** the UDP port actually bound (useful with port 0) */
  readonly port: number;
  readonly metricsPort?: number;
  stop(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** True when `name` is `zone` or below it (`.` contains everything). */
export function inZone(name: string, zone: string): boolean {
  const z = normalise(zone);
  if (z === '' || z === '.') return true;
  const n = normalise(name);
  return n === z || n.endsWith(`.${z}`);
}

/** The entry whose zone is the longest suffix of `name`. */
export function longestZoneMatch<T extends { readonly zone: string }>(
  name: string,
  entries: readonly T[],
): T | undefined {
  let best: T | undefined;
  let bestLength = -1;
  for (const entry of entries) {
    const z = normalise(entry.zone);
    const length = z === '' || z === '.' ? 0 : z.length;
    if (inZone(name, entry.zone) && length > bestLength) {
      best = entry;
      bestLength = length;
    }
  }
  return best;
}

// A small deterministic PRNG (mulberry32) so a scenario's "drop 50 %" can be repeated exactly.
function random(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds a response to `query` with the given rcode and answers. */
function respond(query: DecodedPacket, rcode: number, answers: Answer[] = [], authoritative = false): Buffer {
  const flags =
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    dnsPacket.RECURSION_AVAILABLE |
    (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    rcode;
  const packet: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers,
  };
  return dnsPacket.encode(packet);
}

/** An SOA record for a zone apex (lab values; only its presence matters to the probes). */
function soaRecord(name: string, ttl: number): Answer {
  return {
    type: 'SOA',
    name,
    ttl,
    class: 'IN',
    data: {
      mname: 'ns.lab.invalid',
      rname: 'hostmaster.lab.invalid',
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: ttl,
    },
  };
}

/**
 * Sends `query` to `target` (`ipv4`, `ipv4:port`, or an IPv6 address; port 53 unless given) over
 * UDP; resolves with the raw answer, or undefined on timeout/error.
 */
function forwardUdp(query: Buffer, target: string, timeoutMs: number): Promise<Buffer | undefined> {
  const withPort = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(target);
  const server = withPort ? (withPort[1] ?? target) : target;
  const port = withPort ? Number(withPort[2]) : 53;
  return new Promise((resolve) => {
    const socket = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(value: Buffer | undefined): void {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    }
    socket.on('error', () => finish(undefined));
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) finish(msg);
    });
    socket.send(query, port, server);
  });
}

/**
 * Starts a DNS server with the given configuration (UDP always, TCP unless `tcp: false`).
 * @throws LabDnsServerError when a socket cannot be bound
 */
export async function startDnsServer(config: DnsServerConfig): Promise<DnsServer> {
  const listen = config.listen ?? ['0.0.0.0'];
  const behaviour = config.behaviour ?? {};
  const ttl = config.ttl ?? 5;
  const rand = random(config.seed);
  const records = new Map(Object.entries(config.records ?? {}).map(([k, v]) => [normalise(k), v]));
  const pairWindowMs = behaviour.pairWindowMs ?? 100;
  // Last A query seen per client socket, for the pair signature.
  const lastA = new Map<string, number>();

  const log = (entry: Record<string, unknown>): void => {
    if (config.queryLog)
      appendFileSync(config.queryLog, `${JSON.stringify({ atMs: Date.now(), ...entry })}\n`);
  };

  /** The response bytes for one query, or undefined to stay silent; never rejects. */
  async function answer(raw: Buffer, client: string, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    try {
      return await answerOrThrow(raw, client, transport);
    } catch (error) {
      // A query dns-packet can decode but not re-encode (odd types, classes, names): ignore it,
      // as a server would ignore a malformed message, and keep serving.
      log({ client, transport, error: `cannot answer: ${(error as Error).message}` });
      return undefined;
    }
  }

  async function answerOrThrow(
    raw: Buffer,
    client: string,
    transport: 'udp' | 'tcp',
  ): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      log({ client, transport, error: 'undecodable query' });
      return undefined;
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || !question) return undefined;
    const name = normalise(question.name);
    const entry = { client, transport, id: query.id, name, type: question.type };

    if (behaviour.down) {
      log({ ...entry, action: 'down' });
      return undefined;
    }
    if (behaviour.dropSecondOfPair && transport === 'udp') {
      if (question.type === 'A') lastA.set(client, Date.now());
      else if (question.type === 'AAAA') {
        const seen = lastA.get(client);
        if (seen !== undefined && Date.now() - seen <= pairWindowMs) {
          lastA.delete(client);
          log({ ...entry, action: 'drop-pair' });
          return undefined;
        }
      }
    }
    if (behaviour.dropShare && rand() < behaviour.dropShare) {
      log({ ...entry, action: 'drop' });
      return undefined;
    }
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (behaviour.servfailShare && rand() < behaviour.servfailShare) {
      log({ ...entry, action: 'servfail' });
      return respond(query, RCODE.SERVFAIL);
    }

    const zoneRule = longestZoneMatch(name, config.zoneBehaviours ?? []);
    if (zoneRule) {
      if (zoneRule.delayMs) await sleep(zoneRule.delayMs);
      if (zoneRule.behaviour === 'drop') {
        log({ ...entry, action: 'drop-zone' });
        return undefined;
      }
      if (zoneRule.behaviour === 'servfail')
        return logged(entry, 'servfail-zone', respond(query, RCODE.SERVFAIL));
      if (zoneRule.behaviour === 'refuse') return logged(entry, 'refuse-zone', respond(query, RCODE.REFUSED));
      if (zoneRule.behaviour === 'nxdomain')
        return logged(entry, 'nxdomain-zone', respond(query, RCODE.NXDOMAIN, [], true));
    }

    // The SOA of a zone this server is authoritative for (the root zone for the VPC resolver
    // stand-in, which answers like a recursive resolver): NOERROR with the record.
    if (
      question.type === 'SOA' &&
      (config.authoritativeZones ?? []).some((z) => normalise(z === '.' ? '' : z) === name)
    ) {
      return logged(entry, 'soa', respond(query, RCODE.NOERROR, [soaRecord(question.name, ttl)], true));
    }

    const record = records.get(name);
    if (record) {
      const values =
        question.type === 'A' ? (record.A ?? []) : question.type === 'AAAA' ? (record.AAAA ?? []) : [];
      const answers: Answer[] = values.map((data) => ({
        type: question.type as 'A' | 'AAAA',
        name: question.name,
        ttl,
        class: 'IN',
        data,
      }));
      return logged(entry, 'answer', respond(query, RCODE.NOERROR, answers, true));
    }
    if ((config.authoritativeZones ?? []).some((z) => inZone(name, z))) {
      return logged(entry, 'nxdomain', respond(query, RCODE.NXDOMAIN, [], true));
    }
    const forward = longestZoneMatch(name, config.forwards ?? []);
    if (forward && forward.to.length > 0) {
      // Like CoreDNS `forward` with its default random policy: try targets (round the list
      // again) until one answers or the deadline passes, then SERVFAIL.
      const targets = [...forward.to].sort(() => rand() - 0.5);
      const deadline = Date.now() + (config.forwardTimeoutMs ?? 5000);
      const tryTimeout = config.forwardTryTimeoutMs ?? 2000;
      for (let i = 0; Date.now() < deadline; i += 1) {
        const target = targets[i % targets.length] as string;
        const reply = await forwardUdp(raw, target, Math.max(1, Math.min(tryTimeout, deadline - Date.now())));
        if (reply) return logged({ ...entry, forwardedTo: target }, 'forward', reply);
      }
      return logged({ ...entry, forwardedTo: targets }, 'forward-failed', respond(query, RCODE.SERVFAIL));
    }
    return logged(entry, 'refused', respond(query, RCODE.REFUSED));
  }

  function logged(entry: Record<string, unknown>, action: string, reply: Buffer): Buffer {
    log({ ...entry, action });
    return reply;
  }

  const udpSockets: Socket[] = [];
  const tcpServers: TcpServer[] = [];
  const tcpClients = new Set<TcpSocket>();
  let httpServer: HttpServer | undefined;
  let boundPort = config.port ?? 53;

  try {
    for (const address of listen) {
      const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
      udp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
        void answer(msg, `${rinfo.address}:${rinfo.port}`, 'udp').then((reply) => {
          if (reply) udp.send(reply, rinfo.port, rinfo.address);
        });
      });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(boundPort, address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      boundPort = udp.address().port;
      // A failed send (e.g. to a client that vanished) must not take the server down.
      udp.on('error', (error) => log({ error: `udp socket: ${error.message}` }));
      udpSockets.push(udp);

      if (config.tcp ?? true) {
        const tcp = createTcpServer((socket) => {
          tcpClients.add(socket);
          socket.on('close', () => tcpClients.delete(socket));
          socket.on('error', () => socket.destroy());
          let buffered = Buffer.alloc(0);
          socket.on('data', (chunk: Buffer) => {
            buffered = Buffer.concat([buffered, chunk]);
            while (buffered.length >= 2) {
              const length = buffered.readUInt16BE(0);
              if (buffered.length < 2 + length) break;
              const message = buffered.subarray(2, 2 + length);
              buffered = buffered.subarray(2 + length);
              void answer(Buffer.from(message), `${socket.remoteAddress}:${socket.remotePort}`, 'tcp').then(
                (reply) => {
                  if (!reply || socket.destroyed) return;
                  const prefix = Buffer.alloc(2);
                  prefix.writeUInt16BE(reply.length);
                  socket.write(Buffer.concat([prefix, reply]));
                },
              );
            }
          });
        });
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(boundPort, address, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
        tcpServers.push(tcp);
      }
    }
    if (config.metrics) {
      const texts = config.metrics.texts;
      let scrapes = 0;
      httpServer = createHttpServer((req, res) => {
        if (req.url === '/metrics') {
          const text = texts[Math.min(scrapes, texts.length - 1)] ?? '';
          scrapes += 1;
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
          res.end(text);
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise<void>((resolve, reject) => {
        httpServer?.once('error', reject);
        httpServer?.listen(config.metrics?.port ?? 9153, listen[0] ?? '0.0.0.0', () => resolve());
      });
    }
  } catch (error) {
    for (const s of udpSockets) s.close();
    for (const s of tcpServers) s.close();
    httpServer?.close();
    throw new LabDnsServerError(
      `cannot listen on ${listen.join(', ')} port ${boundPort}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const metricsAddress = httpServer?.address();
  return {
    port: boundPort,
    ...(metricsAddress && typeof metricsAddress === 'object' ? { metricsPort: metricsAddress.port } : {}),
    stop: async () => {
      for (const s of udpSockets) s.close();
      for (const c of tcpClients) c.destroy();
      await Promise.all([
        ...tcpServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
        ...(httpServer ? [new Promise<void>((resolve) => httpServer?.close(() => resolve()))] : []),
      ]);
    },
  };
}
