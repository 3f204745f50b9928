/**
 * Builds pcap files for tests: a global header and records of IPv4/IPv6 + UDP/TCP frames under
 * the link types the reader supports. Test support only (not exported by the product).
 */
import { encode } from 'dns-packet';
import type { Packet } from 'dns-packet';

export interface FrameSpec {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly transport: 'udp' | 'tcp';
  readonly payload: Uint8Array;
  /** TCP flags byte @default 0x18 (PSH|ACK) */
  readonly tcpFlags?: number;
}

export type LinkType = 'EN10MB' | 'LINUX_SLL' | 'LINUX_SLL2' | 'RAW';
const LINK_NUMBERS: Record<LinkType, number> = { EN10MB: 1, LINUX_SLL: 113, LINUX_SLL2: 276, RAW: 101 };

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

function ipv6Bytes(text: string): number[] {
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function transportBytes(f: FrameSpec): Buffer {
  if (f.transport === 'udp') {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(f.srcPort, 0);
    h.writeUInt16BE(f.dstPort, 2);
    h.writeUInt16BE(8 + f.payload.length, 4);
    return Buffer.concat([h, f.payload]);
  }
  const h = Buffer.alloc(20);
  h.writeUInt16BE(f.srcPort, 0);
  h.writeUInt16BE(f.dstPort, 2);
  h[12] = 5 << 4;
  h[13] = f.tcpFlags ?? 0x18;
  return Buffer.concat([h, f.payload]);
}

export function ipPacket(f: FrameSpec): Buffer {
  const l4 = transportBytes(f);
  const proto = f.transport === 'udp' ? 17 : 6;
  if (f.src.includes(':')) {
    const h = Buffer.alloc(40);
    h[0] = 0x60;
    h.writeUInt16BE(l4.length, 4);
    h[6] = proto;
    h[7] = 64;
    Buffer.from(ipv6Bytes(f.src)).copy(h, 8);
    Buffer.from(ipv6Bytes(f.dst)).copy(h, 24);
    return Buffer.concat([h, l4]);
  }
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(ipv4Bytes(f.src)).copy(h, 12);
  Buffer.from(ipv4Bytes(f.dst)).copy(h, 16);
  return Buffer.concat([h, l4]);
}

export function linkFrame(link: LinkType, ip: Buffer, v6: boolean): Buffer {
  const etherType = v6 ? 0x86dd : 0x0800;
  if (link === 'RAW') return ip;
  if (link === 'EN10MB') {
    const h = Buffer.alloc(14);
    h.writeUInt16BE(etherType, 12);
    return Buffer.concat([h, ip]);
  }
  if (link === 'LINUX_SLL') {
    const h = Buffer.alloc(16);
    h.writeUInt16BE(etherType, 14);
    return Buffer.concat([h, ip]);
  }
  const h = Buffer.alloc(20);
  h.writeUInt16BE(etherType, 0);
  return Buffer.concat([h, ip]);
}

export interface PcapOptions {
  readonly link?: LinkType;
  readonly littleEndian?: boolean;
  readonly nanoseconds?: boolean;
}

/** A pcap file with one record per frame; `tsMs` per frame. */
export function buildPcap(
  records: readonly { tsMs: number; frame: Buffer }[],
  options: PcapOptions = {},
): Buffer {
  const le = options.littleEndian ?? true;
  const ns = options.nanoseconds ?? false;
  const u32 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  };
  const u16 = (b: Buffer, v: number, at: number): void => {
    if (le) b.writeUInt16LE(v, at);
    else b.writeUInt16BE(v, at);
  };
  const header = Buffer.alloc(24);
  u32(header, ns ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, 65535, 16);
  u32(header, LINK_NUMBERS[options.link ?? 'EN10MB'], 20);
  const parts: Buffer[] = [header];
  for (const r of records) {
    const h = Buffer.alloc(16);
    const sec = Math.floor(r.tsMs / 1000);
    const rem = r.tsMs - sec * 1000;
    u32(h, sec, 0);
    u32(h, Math.round(ns ? rem * 1e6 : rem * 1e3), 4);
    u32(h, r.frame.length, 8);
    u32(h, r.frame.length, 12);
    parts.push(h, r.frame);
  }
  return Buffer.concat(parts);
}

/** A pcap of DNS frames built from dns-packet messages. */
export function dnsPcap(
  frames: readonly (Omit<FrameSpec, 'payload'> & { tsMs: number; message: Packet; tcpSplitAt?: number })[],
  options: PcapOptions = {},
): Buffer {
  const records: { tsMs: number; frame: Buffer }[] = [];
  for (const f of frames) {
    const msg = encode(f.message);
    const payloads =
      f.transport === 'tcp' ? splitAt(Buffer.concat([u16be(msg.length), msg]), f.tcpSplitAt) : [msg];
    for (const payload of payloads) {
      const ip = ipPacket({ ...f, payload });
      records.push({ tsMs: f.tsMs, frame: linkFrame(options.link ?? 'EN10MB', ip, f.src.includes(':')) });
    }
  }
  return buildPcap(records, options);
}

function u16be(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function splitAt(b: Buffer, at: number | undefined): Buffer[] {
  return at === undefined ? [b] : [b.subarray(0, at), b.subarray(at)];
}
