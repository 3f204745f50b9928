import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Packet } from 'dns-packet';
import { parsePcap } from '../../../../lambdas/core/capture/index.js';
import { buildPcap, dnsPcap, ipPacket, linkFrame } from './pcap-builder.js';
import type { LinkType } from './pcap-builder.js';

const query = (id: number, name: string, type: 'A' | 'AAAA' = 'A'): Packet => ({
  type: 'query',
  id,
  flags: 0x0100,
  questions: [{ type, name }],
});
const response = (id: number, name: string, rcode: 'NOERROR' | 'NXDOMAIN' = 'NOERROR'): Packet => ({
  type: 'response',
  id,
  flags: 0x8180 | (rcode === 'NXDOMAIN' ? 3 : 0),
  questions: [{ type: 'A', name }],
  answers: rcode === 'NOERROR' ? [{ type: 'A', name, ttl: 5, data: '198.19.0.1' }] : [],
});

describe('parsePcap', () => {
  it.each<[LinkType, boolean, boolean]>([
    ['EN10MB', true, false],
    ['EN10MB', false, false],
    ['LINUX_SLL', true, true],
    ['LINUX_SLL2', false, true],
    ['RAW', true, false],
  ])('reads a UDP query and its answer (%s, little-endian %s, ns %s)', (link, littleEndian, nanoseconds) => {
    const pcap = dnsPcap(
      [
        {
          tsMs: 1_700_000_000_123.456,
          src: '198.18.1.5',
          dst: '198.19.0.10',
          srcPort: 40000,
          dstPort: 53,
          transport: 'udp',
          message: query(7, 'abc.fleet-dns-probe.cluster.local'),
        },
        {
          tsMs: 1_700_000_000_125,
          src: '198.19.0.10',
          dst: '198.18.1.5',
          srcPort: 53,
          dstPort: 40000,
          transport: 'udp',
          message: response(7, 'abc.fleet-dns-probe.cluster.local'),
        },
      ],
      { link, littleEndian, nanoseconds },
    );
    const parsed = parsePcap(pcap);
    expect(parsed.errors).toEqual([]);
    expect(parsed.truncated).toBe(false);
    expect(parsed.packets).toHaveLength(2);
    expect(parsed.packets[0]).toMatchObject({
      src: '198.18.1.5',
      dst: '198.19.0.10',
      srcPort: 40000,
      dstPort: 53,
      transport: 'udp',
      qr: 'query',
      dnsId: 7,
      name: 'abc.fleet-dns-probe.cluster.local',
      type: 'A',
    });
    expect(parsed.packets[0]?.tsMs).toBeCloseTo(1_700_000_000_123.456, 2);
    expect(parsed.packets[1]).toMatchObject({ qr: 'response', rcode: 'NOERROR', answers: ['198.19.0.1'] });
  });

  it('reads IPv6 addresses in RFC 5952 form', () => {
    const pcap = dnsPcap([
      {
        tsMs: 1000,
        src: 'fd00:ec2::253',
        dst: 'fd00:1::5',
        srcPort: 53,
        dstPort: 5000,
        transport: 'udp',
        message: response(1, 'x.example', 'NXDOMAIN'),
      },
    ]);
    const [p] = parsePcap(pcap).packets;
    expect(p).toMatchObject({ src: 'fd00:ec2::253', dst: 'fd00:1::5', rcode: 'NXDOMAIN' });
  });

  it.each([
    ['fd00:0ec2:0000:0000:0000:0000:0000:0253', 'fd00:ec2::253'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // equal runs: the first is compressed
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'], // the longest run, not the first
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // one zero group stays
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
  ])('formats the source %s canonically as %s', (written, canonical) => {
    const pcap = dnsPcap([
      {
        tsMs: 1000,
        src: written,
        dst: 'fd00:1::5',
        srcPort: 53,
        dstPort: 5000,
        transport: 'udp',
        message: response(1, 'x.example', 'NXDOMAIN'),
      },
    ]);
    expect(parsePcap(pcap).packets[0]?.src).toBe(canonical);
  });

  it('reassembles a TCP message split across segments and reads two messages in one segment', () => {
    const split = dnsPcap(
      [
        {
          tsMs: 1,
          src: '198.18.1.5',
          dst: '198.18.2.7',
          srcPort: 41000,
          dstPort: 53,
          transport: 'tcp',
          message: query(9, 'split.example'),
          tcpSplitAt: 1,
        },
      ],
      { link: 'RAW' },
    );
    expect(parsePcap(split).packets).toMatchObject([{ transport: 'tcp', dnsId: 9, name: 'split.example' }]);

    const a = Buffer.from(dnsPcapPayload(query(1, 'one.example')));
    const b = Buffer.from(dnsPcapPayload(query(2, 'two.example')));
    const ip = ipPacket({
      src: '198.18.1.5',
      dst: '198.18.2.7',
      srcPort: 41001,
      dstPort: 53,
      transport: 'tcp',
      payload: Buffer.concat([a, b]),
    });
    const both = parsePcap(buildPcap([{ tsMs: 2, frame: linkFrame('RAW', ip, false) }], { link: 'RAW' }));
    expect(both.packets.map((p) => p.name)).toEqual(['one.example', 'two.example']);
  });

  it('ignores traffic on other ports and reports undecodable DNS payloads as errors', () => {
    const other = ipPacket({
      src: '198.18.1.5',
      dst: '198.18.2.7',
      srcPort: 1234,
      dstPort: 443,
      transport: 'udp',
      payload: Buffer.from('hello'),
    });
    const garbage = ipPacket({
      src: '198.18.1.5',
      dst: '198.18.2.7',
      srcPort: 1234,
      dstPort: 53,
      transport: 'udp',
      payload: Buffer.from('not dns'),
    });
    const parsed = parsePcap(
      buildPcap([
        { tsMs: 1, frame: linkFrame('EN10MB', other, false) },
        { tsMs: 2, frame: linkFrame('EN10MB', garbage, false) },
      ]),
    );
    expect(parsed.packets).toEqual([]);
    expect(parsed.records).toBe(2);
    expect(parsed.errorCount).toBe(1);
    expect(parsed.errors[0]).toMatch(/record 2: too short for a DNS header/);
  });

  it('returns an error value for a non-pcap file and for an unsupported link type', () => {
    expect(
      parsePcap(Buffer.from('0a0d0d0a000000000000000000000000000000000000000000', 'hex')).errors[0],
    ).toMatch(/not a pcap file/);
    const header = buildPcap([]);
    header.writeUInt32LE(147, 20);
    expect(parsePcap(header).errors[0]).toMatch(/unsupported link type 147/);
    expect(parsePcap(Buffer.alloc(0))).toMatchObject({ packets: [], errors: [], truncated: false });
  });

  it('keeps the packets before a record cut short and marks the capture truncated', () => {
    const pcap = dnsPcap([
      {
        tsMs: 1,
        src: '198.18.1.5',
        dst: '198.19.0.10',
        srcPort: 40000,
        dstPort: 53,
        transport: 'udp',
        message: query(1, 'a.example'),
      },
      {
        tsMs: 2,
        src: '198.18.1.5',
        dst: '198.19.0.10',
        srcPort: 40000,
        dstPort: 53,
        transport: 'udp',
        message: query(2, 'b.example'),
      },
    ]);
    const parsed = parsePcap(pcap.subarray(0, pcap.length - 5));
    expect(parsed.truncated).toBe(true);
    expect(parsed.packets.map((p) => p.dnsId)).toEqual([1]);
  });

  it('never throws on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const parsed = parsePcap(bytes);
        expect(Array.isArray(parsed.packets)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on a valid pcap header followed by random records, or on any truncation or bit flip of a real capture (property)', () => {
    const real = dnsPcap(
      [
        {
          tsMs: 1,
          src: '198.18.1.5',
          dst: '198.19.0.10',
          srcPort: 40000,
          dstPort: 53,
          transport: 'udp',
          message: query(1, 'a.fleet-dns-probe.cluster.local'),
        },
        {
          tsMs: 2,
          src: '198.19.0.10',
          dst: '198.18.1.5',
          srcPort: 53,
          dstPort: 40000,
          transport: 'udp',
          message: response(1, 'a.fleet-dns-probe.cluster.local'),
        },
        {
          tsMs: 3,
          src: '198.18.1.5',
          dst: '198.18.2.7',
          srcPort: 41000,
          dstPort: 53,
          transport: 'tcp',
          message: query(2, 'b.example'),
          tcpSplitAt: 5,
        },
      ],
      { link: 'LINUX_SLL' },
    );
    const header = real.subarray(0, 24);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.nat(real.length),
        fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (tail, cut, flips) => {
          expect(() => parsePcap(Buffer.concat([header, tail]))).not.toThrow();
          expect(() => parsePcap(real.subarray(0, cut))).not.toThrow();
          const flipped = Buffer.from(real);
          for (const [at, v] of flips) flipped[at] = v;
          expect(() => parsePcap(flipped)).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function dnsPcapPayload(message: Packet): Buffer {
  // the TCP payload of one message: two-byte length prefix + message
  const pcap = dnsPcap(
    [{ tsMs: 0, src: '198.18.0.1', dst: '198.18.0.2', srcPort: 1, dstPort: 53, transport: 'tcp', message }],
    { link: 'RAW' },
  );
  return pcap.subarray(24 + 16 + 20 + 20);
}
