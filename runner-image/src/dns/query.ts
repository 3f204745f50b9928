/**
 * The runner's DNS client (the `QueryDns` contract of ./types.ts) on dns-packet: UDP with a
 * fresh connected socket per query, TCP with the RFC 1035 two-byte length prefix, its own
 * timeouts; every query first takes a slot from the probe budget and is logged as a
 * `ProbeQuery` observation, so the evidence and the capture correlation see every packet sent.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { encode } from 'dns-packet';
import type { RecordType } from 'dns-packet';
import type { ProbeQuery } from '../../../lambdas/core/schema/index.js';
import { decodeDnsMessage, normaliseName } from '../../../lambdas/core/dns/index.js';
import type { DnsMessageSummary } from '../../../lambdas/core/dns/index.js';
import type { ProbeBudget } from '../budget/types.js';
import { DnsClientError } from './errors.js';
import type { DnsOutcome, DnsQuery, QueryDns } from './types.js';

export const DEFAULT_TIMEOUT_MS = 2000;
export const DNS_PORT = 53;

/** Two queries sent back to back from one UDP socket, as glibc's resolver sends A and AAAA. */
export interface DnsPairQuery {
  readonly server: string;
  /** @default 53 */
  readonly port?: number;
  readonly name: string;
  /** @default ['A', 'AAAA'] */
  readonly types?: readonly [string, string];
  /** @default 2000 */
  readonly timeoutMs?: number;
}

/** The two answers of a pair, each reported on its own (the conntrack race drops exactly one). */
export interface DnsPairOutcome {
  readonly first: DnsOutcome;
  readonly second: DnsOutcome;
}

/** A `QueryDns` that can also send glibc-style same-socket pairs. */
export interface DnsClient extends QueryDns {
  queryPair(query: DnsPairQuery): Promise<DnsPairOutcome>;
}

export interface CreateQueryDnsOptions {
  /** every query waits for a slot here first; @default no limit */
  readonly budget?: ProbeBudget;
  /** every query is appended here as a `ProbeQuery` observation */
  readonly log?: ProbeQuery[];
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Creates the DNS client every probe uses.
 *
 * @example
 * const log: ProbeQuery[] = [];
 * const queryDns = createQueryDns({ budget: createProbeBudget(), log });
 * const outcome = await queryDns({ server: '198.19.0.10', name: 'kubernetes.default.svc.cluster.local', type: 'A', transport: 'udp' });
 * @see https://datatracker.ietf.org/doc/html/rfc1035#section-4.2
 * @see https://datatracker.ietf.org/doc/html/rfc7766#section-8
 */
export function createQueryDns(options: CreateQueryDnsOptions = {}): DnsClient {
  const now = options.now ?? Date.now;
  const record = (entry: ProbeQuery): void => {
    options.log?.push(entry);
  };

  const query = async (q: DnsQuery): Promise<DnsOutcome> => {
    validate(q.server, q.name, q.type);
    const port = q.port ?? DNS_PORT;
    const timeoutMs = q.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    await options.budget?.acquire(q.server);
    const id = randomInt(0, 0x10000);
    const sentAtMs = now();
    const done =
      q.transport === 'tcp'
        ? await tcpExchange(q.server, port, id, q.name, q.type, timeoutMs)
        : (await udpExchange(q.server, port, [{ id, name: q.name, type: q.type }], timeoutMs))[0]!;
    record(
      observation(
        { name: q.name, type: q.type, server: q.server, port, transport: q.transport, id, sentAtMs },
        done,
      ),
    );
    return done.outcome;
  };

  const queryPair = async (q: DnsPairQuery): Promise<DnsPairOutcome> => {
    const [firstType, secondType] = q.types ?? ['A', 'AAAA'];
    validate(q.server, q.name, firstType);
    validate(q.server, q.name, secondType);
    const port = q.port ?? DNS_PORT;
    const timeoutMs = q.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Both slots at once: the two packets leave together, so they are counted together.
    await options.budget?.acquire(q.server, 2);
    const ids = distinctIds();
    const sentAtMs = now();
    const [first, second] = await udpExchange(
      q.server,
      port,
      [
        { id: ids[0], name: q.name, type: firstType },
        { id: ids[1], name: q.name, type: secondType },
      ],
      timeoutMs,
    );
    const pairId = `${q.server}/${ids[0]}/${ids[1]}`;
    const base = { name: q.name, server: q.server, port, transport: 'udp' as const, sentAtMs, pairId };
    record(observation({ ...base, type: firstType, id: ids[0], pairIndex: 0 }, first!));
    record(observation({ ...base, type: secondType, id: ids[1], pairIndex: 1 }, second!));
    return { first: first!.outcome, second: second!.outcome };
  };

  return Object.assign(query, { queryPair });
}

interface Exchange {
  readonly outcome: DnsOutcome;
  readonly srcPort?: number;
}

function validate(server: string, name: string, type: string): void {
  if (isIP(server) === 0) throw new DnsClientError(`server must be an IP address, got "${server}"`);
  if (name.length === 0 || name.length > 253) throw new DnsClientError(`invalid query name "${name}"`);
  if (!/^[A-Z0-9]+$/.test(type)) throw new DnsClientError(`invalid record type "${type}"`);
}

function distinctIds(): [number, number] {
  const a = randomInt(0, 0x10000);
  let b = randomInt(0, 0x10000);
  while (b === a) b = randomInt(0, 0x10000);
  return [a, b];
}

function encodeQuery(id: number, name: string, type: string): Buffer {
  return encode({
    type: 'query',
    id,
    flags: 0x0100, // RD: ask for recursion, as a stub resolver does
    questions: [{ type: type as RecordType, name }],
  });
}

function observation(
  sent: {
    name: string;
    type: string;
    server: string;
    port: number;
    transport: 'udp' | 'tcp';
    id: number;
    sentAtMs: number;
    pairId?: string;
    pairIndex?: number;
  },
  done: Exchange,
): ProbeQuery {
  const { outcome } = done;
  return {
    name: sent.name,
    type: sent.type,
    server: sent.server,
    transport: sent.transport,
    sentAtMs: sent.sentAtMs,
    dnsId: sent.id,
    ...(sent.port !== DNS_PORT ? { port: sent.port } : {}),
    ...(done.srcPort !== undefined ? { srcPort: done.srcPort } : {}),
    ...(sent.pairId !== undefined ? { pairId: sent.pairId, pairIndex: sent.pairIndex } : {}),
    ...(outcome.outcome === 'answer'
      ? {
          latencyMs: outcome.latencyMs,
          rcode: outcome.rcode,
          answers: [...outcome.answers],
          truncated: outcome.truncated,
        }
      : outcome.outcome === 'timeout'
        ? { error: 'timeout' }
        : { error: outcome.error }),
  };
}

function matches(msg: DnsMessageSummary, id: number, name: string, type: string): boolean {
  return (
    msg.qr === 'response' &&
    msg.id === id &&
    msg.question !== undefined &&
    msg.question.name === normaliseName(name) &&
    msg.question.type === type
  );
}

function answerOutcome(msg: DnsMessageSummary, latencyMs: number): DnsOutcome {
  return { outcome: 'answer', rcode: msg.rcode, answers: msg.answers, truncated: msg.truncated, latencyMs };
}

function describeError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH') return 'host unreachable';
  if (code === 'ENETUNREACH') return 'network unreachable';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends the queries back to back on one connected UDP socket and collects each answer. A
 * connected socket (as glibc uses) sees ICMP port-unreachable as ECONNREFUSED.
 */
function udpExchange(
  server: string,
  port: number,
  queries: readonly { id: number; name: string; type: string }[],
  timeoutMs: number,
): Promise<Exchange[]> {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    const results: (Exchange | undefined)[] = queries.map(() => undefined);
    let srcPort: number | undefined;
    let socket: UdpSocket | undefined;
    let finished = false;

    const finish = (fill: (i: number) => DnsOutcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const out = results.map(
        (r, i) => r ?? { outcome: fill(i), ...(srcPort !== undefined ? { srcPort } : {}) },
      );
      try {
        socket?.close();
      } catch {
        // already closed
      }
      resolve(out);
    };
    const timer = setTimeout(() => finish(() => ({ outcome: 'timeout', latencyMs: timeoutMs })), timeoutMs);

    try {
      socket = createSocket(isIP(server) === 6 ? 'udp6' : 'udp4');
    } catch (err) {
      finish(() => ({ outcome: 'error', error: describeError(err), latencyMs: elapsed() }));
      return;
    }
    socket.on('error', (err) =>
      finish(() => ({ outcome: 'error', error: describeError(err), latencyMs: elapsed() })),
    );
    socket.on('message', (bytes) => {
      const decoded = decodeDnsMessage(bytes);
      if (!decoded.ok) return; // not ours or garbage: keep waiting for the real answer
      const i = queries.findIndex(
        (q, k) => results[k] === undefined && matches(decoded.message, q.id, q.name, q.type),
      );
      if (i < 0) return;
      results[i] = {
        outcome: answerOutcome(decoded.message, elapsed()),
        ...(srcPort !== undefined ? { srcPort } : {}),
      };
      if (results.every((r) => r !== undefined)) finish(() => ({ outcome: 'timeout', latencyMs: timeoutMs }));
    });
    socket.connect(port, server, () => {
      if (finished || socket === undefined) return;
      try {
        srcPort = socket.address().port;
      } catch {
        // address() can fail only if the socket closed meanwhile
      }
      for (const q of queries) {
        socket.send(encodeQuery(q.id, q.name, q.type), (err) => {
          if (err) finish(() => ({ outcome: 'error', error: describeError(err), latencyMs: elapsed() }));
        });
      }
    });
  });
}

/** One query over TCP: two-byte length prefix, reads until the whole answer arrived (partial reads). */
function tcpExchange(
  server: string,
  port: number,
  id: number,
  name: string,
  type: string,
  timeoutMs: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    let finished = false;
    let srcPort: number | undefined;
    let received = Buffer.alloc(0);
    const socket = connect({ host: server, port });
    const finish = (outcome: DnsOutcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ...(srcPort !== undefined ? { srcPort } : {}) });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', latencyMs: timeoutMs }), timeoutMs);
    socket.on('error', (err) =>
      finish({ outcome: 'error', error: describeError(err), latencyMs: elapsed() }),
    );
    socket.on('connect', () => {
      srcPort = socket.localPort;
      const message = encodeQuery(id, name, type);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([prefix, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // A server may send several messages on one connection; take each complete one in turn.
      while (received.length >= 2) {
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        const decoded = decodeDnsMessage(received.subarray(2, 2 + length));
        received = received.subarray(2 + length);
        if (decoded.ok && matches(decoded.message, id, name, type)) {
          finish(answerOutcome(decoded.message, elapsed()));
          return;
        }
      }
    });
    socket.on('end', () =>
      finish({ outcome: 'error', error: 'connection closed before a complete answer', latencyMs: elapsed() }),
    );
  });
}
