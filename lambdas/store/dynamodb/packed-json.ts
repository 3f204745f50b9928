/**
 * The large JSON attributes of the DynamoDB store (a cluster result and its transitions on the
 * `LATEST` and history items) are stored gzipped, as binary attributes.
 *
 * Why: a cluster result is ~16 KB of JSON and compresses about 4×. The first page of
 * `GET /clusters?status=FAIL` reads 50 `LATEST` items in one BatchGetItem; at full size that is
 * ~830 KB on the wire and 126 read units, and the transfer, not the lookup, was most of the
 * request's time (lambdas/store/README.md § Benchmark). Compressing large attributes is what
 * AWS's DynamoDB guidance recommends for exactly this; it also keeps every item further below the
 * 400 KB limit.
 *
 * Items written before this (a JSON string in the same attribute) are still read: `unpackJson`
 * takes either form, so no migration is needed.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** A JSON value as the stored binary attribute: gzip of its UTF-8 JSON text. */
export function packJson(value: unknown): Uint8Array {
  return gzipSync(JSON.stringify(value));
}

/**
 * The value of a stored attribute: gzip'd JSON (binary), or plain JSON text (items written
 * before packing). Anything else, or bytes that are not gzip'd JSON, throw: a corrupt item is an
 * error, never an empty result.
 */
export function unpackJson(attribute: unknown): unknown {
  return JSON.parse(typeof attribute === 'string' ? attribute : gunzippedText(attribute));
}

/**
 * The JSON text of a stored attribute, unparsed: what a list answers without parsing 50 cluster
 * results only to serialise them again (lambdas/store/README.md § Benchmark). The bytes are
 * not parsed: {@link packJson} is their only writer, and gzip's CRC-32 and length catch damaged
 * or cut bytes. The plain-text form (items written before packing, by hand or by an older
 * version) is parsed once to make sure it is JSON.
 *
 * @throws TypeError for anything but a string or bytes; Error for bytes that are not gzip;
 *   SyntaxError for text that is not JSON
 */
export function unpackJsonText(attribute: unknown): string {
  if (typeof attribute === 'string') {
    JSON.parse(attribute);
    return attribute;
  }
  return gunzippedText(attribute);
}

function gunzippedText(attribute: unknown): string {
  if (attribute instanceof Uint8Array) return gunzipSync(attribute).toString('utf8');
  throw new TypeError(`a stored JSON attribute is a string or gzip'd bytes, got ${typeof attribute}`);
}

/** Whether an attribute holds a stored JSON document (either form). */
export function isPackedOrJson(attribute: unknown): boolean {
  return typeof attribute === 'string' || attribute instanceof Uint8Array;
}
