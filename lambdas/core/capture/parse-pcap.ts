/**
 * A small reader of the classic pcap format (what `tcpdump -w` writes), turning port-53
 * traffic into `CapturedPacket`s. Pure and total: bytes in, packets and errors out — random,
 * truncated or foreign bytes never throw.
 *
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html (file format)
 * @see https://www.tcpdump.org/linktypes.html (link types)
 */
import ipaddr from 'ipaddr.js';
import type { CapturedPacket } from '../schema/index.js';
import { decodeDnsMessage } from '../dns/index.js';

/** The link types the reader understands (tcpdump `-i any` writes LINUX_SLL or LINUX_SLL2). */
export const LINK_TYPES = {
  EN10MB: 1,
  RAW: 101,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
  IPV4: 228,
  IPV6: 229,
} as const;

export interface ParsePcapOptions {
  /** @default 53 */
  readonly port?: number;
  /** at most this many error strings are kept (the count is always exact) @default 50 */
  readonly maxErrors?: number;
}

export interface ParsedPcap {
  readonly packets: CapturedPacket[];
  /** what could not be read, one sentence each (bounded, see `errorCount`) */
  readonly errors: string[];
  readonly errorCount: number;
  /** records read (DNS or not) */
  readonly records: number;
  readonly linkType?: number;
  /** the file ended inside a record (a capture stopped mid-write) */
  readonly truncated: boolean;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAX_TCP_BUFFER = 65_537;

interface Frame {
  readonly tsMs: number;
  readonly bytes: Uint8Array;
}

class Collector {
  readonly packets: CapturedPacket[] = [];
  readonly errors: string[] = [];
  errorCount = 0;
  constructor(private readonly maxErrors: number) {}
  error(message: string): void {
    this.errorCount += 1;
    if (this.errors.length < this.maxErrors) this.errors.push(message);
  }
}

/**
 * Reads a pcap file (either byte order, microsecond or nanosecond timestamps) and returns the
 * DNS messages on `port` (UDP, and TCP with RFC 7766 length-prefixed messages, reassembled per
 * flow) as captured packets. Never throws.
 */
export function parsePcap(bytes: Uint8Array, options: ParsePcapOptions = {}): ParsedPcap {
  const port = options.port ?? 53;
  const out = new Collector(options.maxErrors ?? 50);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = (records: number, truncated: boolean, linkType?: number): ParsedPcap => ({
    packets: out.packets,
    errors: out.errors,
    errorCount: out.errorCount,
    records,
    truncated,
    ...(linkType !== undefined ? { linkType } : {}),
  });
  if (bytes.length === 0) return result(0, false);
  if (bytes.length < 24) {
    out.error(`too short for a pcap header (${bytes.length} bytes)`);
    return result(0, true);
  }
  let little: boolean;
  let nanos: boolean;
  const magicLE = view.getUint32(0, true);
  if (magicLE === MAGIC_US || magicLE === MAGIC_NS) {
    little = true;
    nanos = magicLE === MAGIC_NS;
  } else {
    const magicBE = view.getUint32(0, false);
    if (magicBE !== MAGIC_US && magicBE !== MAGIC_NS) {
      out.error(
        `not a pcap file (magic 0x${magicBE.toString(16).padStart(8, '0')}; pcapng is not supported)`,
      );
      return result(0, false);
    }
    little = false;
    nanos = magicBE === MAGIC_NS;
  }
  // The link type is the low 16 bits; the upper bits may carry FCS flags.
  const linkType = view.getUint32(20, little) & 0xffff;
  if (!Object.values(LINK_TYPES).includes(linkType as (typeof LINK_TYPES)[keyof typeof LINK_TYPES])) {
    out.error(`unsupported link type ${linkType}`);
    return result(0, false, linkType);
  }
  const tcp = new TcpReassembly(port, out);
  let offset = 24;
  let records = 0;
  let truncated = false;
  while (offset < bytes.length) {
    if (offset + 16 > bytes.length) {
      out.error(`record header truncated at byte ${offset}`);
      truncated = true;
      break;
    }
    const sec = view.getUint32(offset, little);
    const frac = view.getUint32(offset + 4, little);
    const inclLen = view.getUint32(offset + 8, little);
    offset += 16;
    if (inclLen > bytes.length - offset) {
      out.error(`record ${records + 1} truncated: ${inclLen} bytes announced, ${bytes.length - offset} left`);
      truncated = true;
      break;
    }
    const tsMs = sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3);
    const frame: Frame = { tsMs, bytes: bytes.subarray(offset, offset + inclLen) };
    offset += inclLen;
    records += 1;
    readFrame(frame, linkType, port, out, tcp, records);
  }
  return result(records, truncated, linkType);
}

function readFrame(
  frame: Frame,
  linkType: number,
  port: number,
  out: Collector,
  tcp: TcpReassembly,
  n: number,
): void {
  const b = frame.bytes;
  const u16 = (i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  let etherType: number | undefined;
  let payloadAt: number;
  switch (linkType) {
    case LINK_TYPES.EN10MB: {
      if (b.length < 14) return out.error(`record ${n}: Ethernet frame too short`);
      etherType = u16(12);
      payloadAt = 14;
      // 802.1Q / 802.1ad tags
      while ((etherType === 0x8100 || etherType === 0x88a8) && b.length >= payloadAt + 4) {
        etherType = u16(payloadAt + 2);
        payloadAt += 4;
      }
      break;
    }
    case LINK_TYPES.LINUX_SLL:
      if (b.length < 16) return out.error(`record ${n}: LINUX_SLL header too short`);
      etherType = u16(14);
      payloadAt = 16;
      break;
    case LINK_TYPES.LINUX_SLL2:
      if (b.length < 20) return out.error(`record ${n}: LINUX_SLL2 header too short`);
      etherType = u16(0);
      payloadAt = 20;
      break;
    default:
      // RAW, IPV4, IPV6: the IP header starts the frame; its version nibble says which.
      payloadAt = 0;
  }
  const ip = b.subarray(payloadAt);
  if (etherType !== undefined && etherType !== 0x0800 && etherType !== 0x86dd) return; // ARP etc.
  const version = (ip[0] ?? 0) >> 4;
  if (version === 4) readIpv4(ip, frame.tsMs, port, out, tcp, n);
  else if (version === 6) readIpv6(ip, frame.tsMs, port, out, tcp, n);
  else if (etherType !== undefined || linkType !== LINK_TYPES.EN10MB) out.error(`record ${n}: not IPv4/IPv6`);
}

function readIpv4(
  ip: Uint8Array,
  tsMs: number,
  port: number,
  out: Collector,
  tcp: TcpReassembly,
  n: number,
): void {
  if (ip.length < 20) return out.error(`record ${n}: IPv4 header truncated`);
  const ihl = ((ip[0] ?? 0) & 0x0f) * 4;
  if (ihl < 20 || ip.length < ihl) return out.error(`record ${n}: bad IPv4 header length`);
  const totalLength = ((ip[2] ?? 0) << 8) | (ip[3] ?? 0);
  const fragment = (((ip[6] ?? 0) & 0x1f) << 8) | (ip[7] ?? 0);
  const moreFragments = ((ip[6] ?? 0) & 0x20) !== 0;
  if (fragment !== 0 || moreFragments) return out.error(`record ${n}: IPv4 fragment (not reassembled)`);
  const protocol = ip[9] ?? 0;
  const src = Array.from(ip.subarray(12, 16)).join('.');
  const dst = Array.from(ip.subarray(16, 20)).join('.');
  // Trailing Ethernet padding is not payload: honour the IP total length when it is smaller.
  const end = totalLength >= ihl && totalLength <= ip.length ? totalLength : ip.length;
  readTransport(protocol, ip.subarray(ihl, end), { tsMs, src, dst }, port, out, tcp, n);
}

/** RFC 5952 text of a 16-byte address (ipaddr.js compresses the longest zero run, lower case). */
function ipv6Text(b: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(b)).toString();
}

function readIpv6(
  ip: Uint8Array,
  tsMs: number,
  port: number,
  out: Collector,
  tcp: TcpReassembly,
  n: number,
): void {
  if (ip.length < 40) return out.error(`record ${n}: IPv6 header truncated`);
  let next = ip[6] ?? 0;
  const payloadLength = ((ip[4] ?? 0) << 8) | (ip[5] ?? 0);
  const src = ipv6Text(ip.subarray(8, 24));
  const dst = ipv6Text(ip.subarray(24, 40));
  let at = 40;
  const end = payloadLength > 0 && 40 + payloadLength <= ip.length ? 40 + payloadLength : ip.length;
  // Skip the extension headers a DNS packet may carry; a fragment header ends the walk.
  while (next === 0 || next === 43 || next === 60 || next === 44) {
    if (next === 44) return out.error(`record ${n}: IPv6 fragment (not reassembled)`);
    if (at + 2 > end) return out.error(`record ${n}: IPv6 extension header truncated`);
    const len = ((ip[at + 1] ?? 0) + 1) * 8;
    next = ip[at] ?? 0;
    at += len;
  }
  if (at > end) return out.error(`record ${n}: IPv6 extension header truncated`);
  readTransport(next, ip.subarray(at, end), { tsMs, src, dst }, port, out, tcp, n);
}

interface Endpoints {
  readonly tsMs: number;
  readonly src: string;
  readonly dst: string;
}

function readTransport(
  protocol: number,
  seg: Uint8Array,
  ep: Endpoints,
  port: number,
  out: Collector,
  tcp: TcpReassembly,
  n: number,
): void {
  const u16 = (i: number): number => ((seg[i] ?? 0) << 8) | (seg[i + 1] ?? 0);
  if (protocol === 17) {
    if (seg.length < 8) return out.error(`record ${n}: UDP header truncated`);
    const srcPort = u16(0);
    const dstPort = u16(2);
    if (srcPort !== port && dstPort !== port) return;
    pushDns(seg.subarray(8), { ...ep, srcPort, dstPort, transport: 'udp' }, out, n);
  } else if (protocol === 6) {
    if (seg.length < 20) return out.error(`record ${n}: TCP header truncated`);
    const srcPort = u16(0);
    const dstPort = u16(2);
    if (srcPort !== port && dstPort !== port) return;
    const dataOffset = ((seg[12] ?? 0) >> 4) * 4;
    if (dataOffset < 20 || dataOffset > seg.length) return out.error(`record ${n}: bad TCP header length`);
    const flags = seg[13] ?? 0;
    tcp.segment(
      { ...ep, srcPort, dstPort, transport: 'tcp' },
      seg.subarray(dataOffset),
      (flags & 0x05) !== 0,
      n,
    );
  }
}

type Addressed = Endpoints & { srcPort: number; dstPort: number; transport: 'udp' | 'tcp' };

function pushDns(payload: Uint8Array, at: Addressed, out: Collector, n: number): void {
  const decoded = decodeDnsMessage(payload);
  if (!decoded.ok) return out.error(`record ${n}: ${decoded.error}`);
  const m = decoded.message;
  out.packets.push({
    tsMs: Math.round(at.tsMs * 1000) / 1000,
    src: at.src,
    dst: at.dst,
    srcPort: at.srcPort,
    dstPort: at.dstPort,
    transport: at.transport,
    qr: m.qr,
    dnsId: m.id,
    ...(m.question ? { name: m.question.name, type: m.question.type } : {}),
    ...(m.qr === 'response' ? { rcode: m.rcode, answers: [...m.answers] } : {}),
  });
}

/**
 * DNS over TCP carries length-prefixed messages that may span segments or share one: bytes are
 * appended per flow (in capture order: enough for DNS's short, in-order exchanges) and every
 * complete message is decoded.
 */
class TcpReassembly {
  private readonly flows = new Map<string, Uint8Array>();
  constructor(
    private readonly port: number,
    private readonly out: Collector,
  ) {}

  segment(at: Addressed, data: Uint8Array, finOrRst: boolean, n: number): void {
    const key = `${at.src}|${at.srcPort}|${at.dst}|${at.dstPort}`;
    if (data.length > 0) {
      const pending = this.flows.get(key);
      let buf = pending ? concat(pending, data) : data;
      while (buf.length >= 2) {
        const len = ((buf[0] ?? 0) << 8) | (buf[1] ?? 0);
        if (buf.length < 2 + len) break;
        pushDns(buf.subarray(2, 2 + len), at, this.out, n);
        buf = buf.subarray(2 + len);
      }
      if (buf.length > MAX_TCP_BUFFER) {
        this.out.error(`record ${n}: TCP flow on port ${this.port} exceeds one DNS message; dropped`);
        buf = new Uint8Array(0);
      }
      if (buf.length > 0) this.flows.set(key, buf);
      else this.flows.delete(key);
    }
    if (finOrRst) this.flows.delete(key);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
