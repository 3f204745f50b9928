import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  getJsonObject,
  putJsonObject,
  S3BlobStore,
  S3ObjectError,
} from '../../../../lambdas/aws/s3/index.js';
import { stubFakeAwsEnvironment } from '../support/fake-aws.js';
import { installMemoryS3 } from '../support/memory-s3.js';

describe('S3 JSON objects', () => {
  const memory = installMemoryS3();
  const s3 = memory.stub;
  const objects = memory.objects;
  beforeEach(() => {
    stubFakeAwsEnvironment();
    memory.clear();
  });
  afterAll(() => s3.restore());
  const client = () => new S3Client({ region: 'eu-west-1' });

  it('writes JSON and reads it back', async () => {
    await putJsonObject(client(), { bucket: 'b', key: 'scans/s1/x.json' }, { a: [1, 'two'] });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { ContentType: 'application/json' });
    expect(await getJsonObject(client(), { bucket: 'b', key: 'scans/s1/x.json' })).toEqual({ a: [1, 'two'] });
  });

  it('a missing object or one that is not JSON is an S3ObjectError naming the object', async () => {
    const missing = await getJsonObject(client(), { bucket: 'b', key: 'nope.json' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(S3ObjectError);
    expect((missing as Error).message).toBe('s3://b/nope.json: no such object');
    objects.set('b/bad.json', Buffer.from('{not json'));
    const bad = await getJsonObject(client(), { bucket: 'b', key: 'bad.json' }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/^s3:\/\/b\/bad\.json: not JSON/);
  });

  it('the blob store puts under its prefix, answers s3:// references, and null for a gone object', async () => {
    const blobs = new S3BlobStore(client(), 'b', 'evidence-blobs/');
    const ref = await blobs.put('evidence/c/s/NET-X.json', Buffer.from('{"big":true}'), 'application/json');
    expect(ref).toBe('s3://b/evidence-blobs/evidence/c/s/NET-X.json');
    expect(Buffer.from((await blobs.get(ref))!).toString()).toBe('{"big":true}');
    expect(await blobs.get('s3://b/evidence-blobs/other.json')).toBeNull();
  });
});
