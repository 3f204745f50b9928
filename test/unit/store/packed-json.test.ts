import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packJson, unpackJson, unpackJsonText } from '../../../lambdas/store/dynamodb/packed-json.js';

describe("packed JSON attributes (the DynamoDB store's gzip'd documents)", () => {
  it('round-trips any JSON value, and reads the same value stored as JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normal = JSON.parse(JSON.stringify(value)) as unknown;
        expect(unpackJson(packJson(value))).toEqual(normal);
        expect(unpackJson(JSON.stringify(value))).toEqual(normal);
      }),
    );
  });

  it('packs a repetitive document to a fraction of its JSON size', () => {
    const doc = {
      checks: Array.from({ length: 30 }, (_, i) => ({ id: `CHECK-${i}`, status: 'PASS', evidence: {} })),
    };
    expect(packJson(doc).byteLength * 3).toBeLessThan(JSON.stringify(doc).length);
  });

  it('throws on bytes that are not gzip, on gzip of non-JSON, and on other attribute types', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        fc.pre(!(bytes[0] === 0x1f && bytes[1] === 0x8b));
        expect(() => unpackJson(bytes)).toThrow();
      }),
    );
    expect(() => unpackJson(gzipSync('{"cut'))).toThrow(SyntaxError);
    expect(() => unpackJson(42)).toThrow(/string or gzip'd bytes/);
    expect(() => unpackJson(undefined)).toThrow(/string or gzip'd bytes/);
  });

  it('unpackJsonText gives the stored text itself: the text JSON.stringify made, for either form', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(unpackJsonText(packJson(value))).toBe(text);
        expect(unpackJsonText(text)).toBe(text);
        // what the API splices into a page is what parsing and serialising would have given
        expect(JSON.stringify(unpackJson(packJson(value)))).toBe(text);
      }),
    );
  });

  it('unpackJsonText refuses what unpackJson refuses, but for gzip of non-JSON, which only packJson writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        fc.pre(!(bytes[0] === 0x1f && bytes[1] === 0x8b));
        expect(() => unpackJsonText(bytes)).toThrow();
      }),
    );
    // cut or damaged gzip: its length and CRC-32 catch it
    const packed = packJson({ checks: [{ id: 'DNS-INTERNAL', status: 'PASS' }] });
    expect(() => unpackJsonText(packed.subarray(0, packed.byteLength - 4))).toThrow();
    const damaged = Uint8Array.from(packed);
    damaged[12] = damaged[12]! ^ 0xff;
    expect(() => unpackJsonText(damaged)).toThrow();
    expect(() => unpackJsonText('{"cut')).toThrow(SyntaxError);
    expect(() => unpackJsonText(42)).toThrow(/string or gzip'd bytes/);
  });
});
