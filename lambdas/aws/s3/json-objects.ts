/**
 * JSON documents in S3 — what the fleet scan's steps hand each other when the Step Functions
 * state (256 KB) is too small: work items, each cluster's staged AWS-side result, the Distributed
 * Map's result manifest and files — and an object store for offloaded evidence.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsAdapterError } from '../errors.js';

/** An object's place. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** An object could not be read or written, or is not the JSON it should be. */
export class S3ObjectError extends AwsAdapterError {
  override readonly name = 'S3ObjectError';
  constructor(
    readonly location: S3Location,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`s3://${location.bucket}/${location.key}: ${message}`, options);
  }
}

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/** Writes `value` as JSON (UTF-8, `application/json`), overwriting. */
export async function putJsonObject(client: S3Client, at: S3Location, value: unknown): Promise<void> {
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  } catch (err) {
    throw new S3ObjectError(at, `PutObject failed: ${describe(err)}`, { cause: err });
  }
}

/** The object's bytes, or null when there is none (NoSuchKey). */
export async function getObjectBytes(client: S3Client, at: S3Location): Promise<Uint8Array | null> {
  try {
    const answer = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    if (answer.Body === undefined) return new Uint8Array();
    return await answer.Body.transformToByteArray();
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: unknown }).name === 'NoSuchKey') return null;
    throw new S3ObjectError(at, `GetObject failed: ${describe(err)}`, { cause: err });
  }
}

/**
 * The object parsed as JSON (unvalidated: the caller checks it with its schema).
 * @throws S3ObjectError when it is missing, unreadable or not JSON
 */
export async function getJsonObject(client: S3Client, at: S3Location): Promise<unknown> {
  const bytes = await getObjectBytes(client, at);
  if (bytes === null) throw new S3ObjectError(at, 'no such object');
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (err) {
    throw new S3ObjectError(at, `not JSON: ${describe(err)}`, { cause: err });
  }
}

/** `s3://bucket/key` → its location, or undefined. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/**
 * An object store in one bucket under `prefix` — the DynamoDB results store's `blobs` (evidence
 * over the inline bound). References are `s3://bucket/key`. Structurally lambdas/store's
 * `BlobStore` (the adapters never import each other).
 */
export class S3BlobStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** @default '' */
    private readonly prefix = '',
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<string> {
    const at = { bucket: this.bucket, key: `${this.prefix}${key}` };
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: body, ContentType: contentType }),
      );
    } catch (err) {
      throw new S3ObjectError(at, `PutObject failed: ${describe(err)}`, { cause: err });
    }
    return `s3://${at.bucket}/${at.key}`;
  }

  async get(ref: string): Promise<Uint8Array | null> {
    const at = parseS3Uri(ref);
    if (at === undefined) return null;
    return getObjectBytes(this.client, at);
  }
}

/** @default a client of the function's region */
export function createS3Client(): S3Client {
  return new S3Client({});
}
