import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packJson, unpackJson } from '../../../lambdas/store/dynamodb/packed-json.js';

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
});
