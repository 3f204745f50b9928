/**
 * Decoding DNS messages without ever throwing: the DNS client, the pcap parser and the tests
 * all see one summary shape, and bytes that are not a DNS message are an error value.
 */
import { decode } from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';

/** What the runner needs from one DNS message. */
export interface DnsMessageSummary {
  readonly id: number;
  readonly qr: 'query' | 'response';
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, … */
  readonly rcode: string;
  readonly truncated: boolean;
  /** first question (DNS messages in practice carry exactly one) */
  readonly question?: { readonly name: string; readonly type: string };
  /** rdata of the answer section as text: addresses for A/AAAA, names for CNAME/PTR, … */
  readonly answers: readonly string[];
  /** record types of the answer section, parallel to `answers` */
  readonly answerTypes: readonly string[];
}

export type DecodeResult =
  { readonly ok: true; readonly message: DnsMessageSummary } | { readonly ok: false; readonly error: string };

/** The 4-bit header RCODE names of RFC 1035 / IANA (what dns-packet reports as `rcode`). */
const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
] as const;

/** Header RCODE number → name (`RCODE_11` … for unassigned values, as dns-packet does). */
export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

/** rdata of one answer record as text. */
export function answerText(answer: Answer): string {
  const data: unknown = (answer as { data?: unknown }).data;
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('hex');
  if (Array.isArray(data))
    return data.map((d: unknown) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join('');
  if (data === undefined || data === null) return '';
  try {
    return JSON.stringify(data, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
  } catch {
    return String(data);
  }
}

/**
 * Decodes one DNS message (no TCP length prefix). Never throws: malformed, truncated or
 * random bytes give `{ ok: false, error }`.
 *
 * @see https://datatracker.ietf.org/doc/html/rfc1035#section-4.1
 */
export function decodeDnsMessage(bytes: Uint8Array): DecodeResult {
  // A DNS header is 12 bytes; anything shorter cannot be a message.
  if (bytes.length < 12) return { ok: false, error: `too short for a DNS header (${bytes.length} bytes)` };
  let packet: DecodedPacket;
  try {
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    packet = decode(buf);
  } catch (err) {
    return { ok: false, error: `malformed DNS message: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const flags = packet.flags ?? 0;
    const q = packet.questions?.[0];
    const answers = (packet.answers ?? []).filter((a) => a.type !== 'OPT');
    return {
      ok: true,
      message: {
        id: packet.id ?? 0,
        qr: packet.flag_qr ? 'response' : 'query',
        rcode: rcodeName(flags & 0xf),
        truncated: packet.flag_tc,
        ...(q ? { question: { name: normaliseName(q.name), type: String(q.type) } } : {}),
        answers: answers.map(answerText),
        answerTypes: answers.map((a) => String(a.type)),
      },
    };
  } catch (err) {
    return {
      ok: false,
      error: `unreadable DNS message: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** Lower-cases a DNS name and drops a trailing dot, so names compare as DNS compares them. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}
