/**
 * An in-memory S3 behind aws-sdk-client-mock: PutObject stores the body, GetObject answers it
 * as the SDK does (a body with `transformToByteArray` / `transformToString`), a missing key is
 * the modeled `NoSuchKey`.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

const s3Stub = () => mockClient(S3Client);

export interface MemoryS3 {
  /** `bucket/key` → bytes */
  readonly objects: Map<string, Uint8Array>;
  readonly stub: ReturnType<typeof s3Stub>;
  /** empties the store and the stub's call history (the behaviour stays installed) */
  clear(): void;
  /** the object parsed as JSON (undefined when absent) */
  json(bucket: string, key: string): unknown;
  /** puts `value` as JSON */
  putJson(bucket: string, key: string, value: unknown): void;
}

function body(bytes: Uint8Array) {
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString('utf8'),
  };
}

/** Installs the in-memory S3 on every S3Client (call `stub.restore()` after). */
export function installMemoryS3(): MemoryS3 {
  const objects = new Map<string, Uint8Array>();
  const stub = s3Stub();
  const install = () => {
    stub
      .on(PutObjectCommand)
      .callsFake((input: { Bucket: string; Key: string; Body: string | Uint8Array }) => {
        objects.set(`${input.Bucket}/${input.Key}`, Buffer.from(input.Body));
        return { ETag: `"${objects.size}"` };
      });
    stub.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const bytes = objects.get(`${input.Bucket}/${input.Key}`);
      if (bytes === undefined)
        throw new NoSuchKey({
          message: 'The specified key does not exist.',
          $metadata: { httpStatusCode: 404 },
        });
      return { Body: body(bytes), ContentLength: bytes.length };
    });
  };
  install();
  return {
    objects,
    stub,
    clear: () => {
      stub.reset();
      objects.clear();
      install();
    },
    json: (bucket, key) => {
      const bytes = objects.get(`${bucket}/${key}`);
      return bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown);
    },
    putJson: (bucket, key, value) => objects.set(`${bucket}/${key}`, Buffer.from(JSON.stringify(value))),
  };
}
