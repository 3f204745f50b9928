import { fromBase64 } from '@smithy/util-base64';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, STORE_CLIENT_CONFIG } from '../../../lambdas/store/dynamodb/index.js';

/** The SDK's default decoder's verdict: its bytes, or the error it throws. */
function sdkDecode(text: string): Uint8Array | Error {
  try {
    return fromBase64(text);
  } catch (error) {
    return error as Error;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

describe("the store's base64 decoder (binary attributes: the gzip'd documents)", () => {
  it('decodes what Buffer encodes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
      }),
    );
  });

  it("accepts and refuses exactly what the SDK's default decoder does, with the same bytes", () => {
    // base64 text with faults mixed in: characters outside the alphabet, padding in the middle,
    // too much padding, whitespace, cut text
    const char = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...ALPHABET) },
      { weight: 1, arbitrary: fc.constantFrom('=', '*', ' ', '\n', '.', 'é', '\u0000') },
    );
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
      fc.array(char, { maxLength: 40 }).map((cs) => cs.join('')),
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), char).map(([b, at, c]) => {
        const t = Buffer.from(b).toString('base64');
        const i = at % t.length;
        return t.slice(0, i) + c + t.slice(i + 1);
      }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const sdk = sdkDecode(t);
        if (sdk instanceof Error) expect(() => decodeBase64(t), JSON.stringify(t)).toThrow(TypeError);
        else expect(decodeBase64(t), JSON.stringify(t)).toEqual(sdk);
      }),
      { numRuns: 2000 },
    );
  });

  it('is the decoder the store clients are configured with', () => {
    expect(STORE_CLIENT_CONFIG.base64Decoder).toBe(decodeBase64);
  });
});
