/**
 * The DynamoDB client the store opens when it is given none, and the configuration to give a
 * client made elsewhere (the API bench's, pointed at DynamoDB Local) so that it reads the same way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Base64 text to bytes, refusing text that is not base64: Node's decoder skips characters outside
 * the alphabet and stops at the first `=`, so any such text decodes to fewer bytes than its
 * length and padding promise, and is refused here.
 *
 * Why not the SDK's default: it tests every binary attribute against a regular expression before
 * decoding it. For the first page of `GET /clusters` (50 gzip'd documents, ~5.5 KB of base64
 * each) that test took ~2.3 ms, ten times the decoding itself (lambdas/store/README.md §
 * Benchmark). The two accept the same strings, but for the URL-safe `-` and `_`, which Node
 * decodes as `+` and `/` and DynamoDB never sends.
 *
 * @throws TypeError for text whose length is not a multiple of 4, or that is not base64
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new TypeError('Incorrect padding on base64 string.');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== (text.length / 4) * 3 - padding) throw new TypeError('Invalid base64 string.');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * What the store's DynamoDB clients are configured with beyond the SDK's defaults.
 * `base64Decoder` is the SDK's own hook for it (the client config's `base64Decoder`, which the
 * DynamoDB codec reads binary attributes with); a test fails if a new SDK stops calling it.
 */
export const STORE_CLIENT_CONFIG = { base64Decoder: decodeBase64 } satisfies DynamoDBClientConfig;

/** The document client the store opens when it is given none: the SDK's defaults and {@link STORE_CLIENT_CONFIG}. */
export function defaultStoreClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...STORE_CLIENT_CONFIG }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
