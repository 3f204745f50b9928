import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from 'dns-packet';
import { decodeDnsMessage, normaliseName, rcodeName } from '../../../../lambdas/core/dns/index.js';

describe('decodeDnsMessage', () => {
  it('summarises a response: id, rcode, question, answers as text', () => {
    const bytes = encode({
      type: 'response',
      id: 4242,
      flags: 0x8180,
      questions: [{ type: 'A', name: 'Kubernetes.Default.svc.cluster.local.' }],
      answers: [{ type: 'A', name: 'kubernetes.default.svc.cluster.local', ttl: 5, data: '198.19.0.1' }],
    });
    expect(decodeDnsMessage(bytes)).toEqual({
      ok: true,
      message: {
        id: 4242,
        qr: 'response',
        rcode: 'NOERROR',
        truncated: false,
        question: { name: 'kubernetes.default.svc.cluster.local', type: 'A' },
        answers: ['198.19.0.1'],
        answerTypes: ['A'],
      },
    });
  });

  it('reads SERVFAIL, NXDOMAIN and the TC bit from the header', () => {
    const servfail = encode({
      type: 'response',
      id: 1,
      flags: 0x8182,
      questions: [{ type: 'A', name: 'x' }],
    });
    const truncated = encode({
      type: 'response',
      id: 1,
      flags: 0x8383,
      questions: [{ type: 'A', name: 'x' }],
    });
    expect(decodeDnsMessage(servfail)).toMatchObject({
      ok: true,
      message: { rcode: 'SERVFAIL', truncated: false },
    });
    expect(decodeDnsMessage(truncated)).toMatchObject({
      ok: true,
      message: { rcode: 'NXDOMAIN', truncated: true },
    });
  });

  it('returns an error value for short or malformed input', () => {
    expect(decodeDnsMessage(new Uint8Array(5))).toEqual({
      ok: false,
      error: 'too short for a DNS header (5 bytes)',
    });
    const bad = Buffer.from(
      encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'abc.example' }] }),
    );
    expect(decodeDnsMessage(bad.subarray(0, bad.length - 3))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/malformed/),
    });
  });

  it('never throws on random bytes or truncations of valid messages (property)', () => {
    const valid = encode({
      type: 'response',
      id: 9,
      flags: 0x8180,
      questions: [{ type: 'AAAA', name: 'a.fleet-dns-probe.cluster.local' }],
      answers: [
        { type: 'CNAME', name: 'a.fleet-dns-probe.cluster.local', ttl: 1, data: 'b.example' },
        { type: 'AAAA', name: 'b.example', ttl: 1, data: 'fd00::1' },
        { type: 'TXT', name: 'b.example', ttl: 1, data: ['x', 'y'] },
      ],
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length), (random, cut) => {
        const a = decodeDnsMessage(random);
        const b = decodeDnsMessage(valid.subarray(0, cut));
        for (const r of [a, b]) expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('names and rcodes', () => {
  it('normalises names as DNS compares them', () => {
    expect(normaliseName('Amazon.COM.')).toBe('amazon.com');
    expect(normaliseName('.')).toBe('.');
  });
  it('names header rcodes', () => {
    expect([0, 2, 3, 5, 12].map(rcodeName)).toEqual([
      'NOERROR',
      'SERVFAIL',
      'NXDOMAIN',
      'REFUSED',
      'RCODE_12',
    ]);
  });
});
