import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEksToken, EKS_TOKEN_PREFIX, stsHost } from '../../../../lambdas/aws/index.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2025-06-01T02:03:04Z');

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

/** RFC 3986 encoding as SigV4's canonical query string wants it. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** Recomputes the SigV4 query signature independently of the signer under test. */
function expectedSignature(url: URL, secret: string, clusterName: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha256(''),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/').slice(1).join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const [date, region, service] = scope.split('/');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, date ?? ''), region ?? ''), service ?? ''),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

describe('createEksToken', () => {
  it('is k8s-aws-v1. + unpadded base64url of a presigned sts:GetCallerIdentity URL', async () => {
    const { token, expiresAt } = await createEksToken({
      clusterName: 'prod-a',
      region: 'eu-west-1',
      credentials,
      now: () => signingDate,
    });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/); // base64url alphabet, no '=' padding
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20250601/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20250601T020304Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    // EKS accepts it for 15 minutes after signing; we stop at 14.
    expect(expiresAt.toISOString()).toBe('2025-06-01T02:17:04.000Z');
  });

  it('carries a signature that a SigV4 verifier accepts — and that binds the cluster name', async () => {
    const { token } = await createEksToken({
      clusterName: 'prod-a',
      region: 'eu-west-1',
      credentials,
      now: () => signingDate,
    });
    const url = decode(token);
    const signature = url.searchParams.get('X-Amz-Signature');
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).toBe(expectedSignature(url, credentials.secretAccessKey, 'prod-a'));
    // Replayed against another cluster the signature no longer matches.
    expect(signature).not.toBe(expectedSignature(url, credentials.secretAccessKey, 'prod-b'));
  });

  it('includes the session token of temporary credentials (signed as a query parameter)', async () => {
    const { token } = await createEksToken({
      clusterName: 'c',
      region: 'us-east-1',
      credentials: async () => ({ ...credentials, sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDM+token=' }),
      now: () => signingDate,
    });
    const url = decode(token);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEJr//////////wEaDM+token=');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, credentials.secretAccessKey, 'c'),
    );
  });

  it('signs for the regional STS endpoint of the partition', () => {
    expect(stsHost('eu-central-1')).toBe('sts.eu-central-1.amazonaws.com');
    expect(stsHost('cn-northwest-1')).toBe('sts.cn-northwest-1.amazonaws.com.cn');
  });
});
