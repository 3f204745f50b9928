import { describe, expect, it } from 'vitest';
import { buildScanSecret, ManifestError } from '../../../../lambdas/kube/manifests/index.js';

const hmacKey = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('buildScanSecret', () => {
  const secret = buildScanSecret({ scanId: 'scan-42', namespace: 'fleet-dns', hmacKey });

  it.each([
    ['apiVersion', secret.apiVersion, 'v1'],
    ['kind', secret.kind, 'Secret'],
    ['name', secret.metadata?.name, 'fleet-dns-scan-42'],
    ['namespace', secret.metadata?.namespace, 'fleet-dns'],
    ['type', secret.type, 'Opaque'],
    ['immutable', secret.immutable, true],
    ['stringData', secret.stringData, undefined],
  ])('%s', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('holds the key base64-encoded in data', () => {
    expect(secret.data).toEqual({ 'result-key': Buffer.from(hmacKey).toString('base64') });
    expect(Buffer.from(secret.data!['result-key']!, 'base64').toString('utf8')).toBe(hmacKey);
  });

  it('is labelled as conventions.md says', () => {
    expect(secret.metadata?.labels).toEqual({
      'app.kubernetes.io/managed-by': 'fleet-dns',
      'app.kubernetes.io/name': 'fleet-dns-runner',
      'fleet-dns.io/scan-id': 'scan-42',
    });
  });

  it('labels a scan id that is no label value with the derived value, and keeps the id in an annotation', () => {
    const s = buildScanSecret({ scanId: '2024-05-01T12:00:00Z', namespace: 'fleet-dns', hmacKey });
    expect(s.metadata?.labels?.['fleet-dns.io/scan-id']).toMatch(/^2024-05-01t12-00-00z-[0-9a-f]{8}$/);
    expect(s.metadata?.annotations).toEqual({ 'fleet-dns.io/scan-id': '2024-05-01T12:00:00Z' });
  });

  it.each([
    [{ namespace: 'Fleet' }, ['namespace "Fleet" is not a DNS-1123 label']],
    [{ hmacKey: 'short' }, ['the HMAC key must be at least 16 bytes']],
    [
      { hmacKey: `${'k'.repeat(16)}\u0000` },
      ['the HMAC key cannot contain NUL (it travels as an environment variable)'],
    ],
    [
      { namespace: '', hmacKey: '' },
      ['namespace "" is not a DNS-1123 label', 'the HMAC key must be at least 16 bytes'],
    ],
  ])('rejects %j', (override, problems) => {
    expect(() => buildScanSecret({ scanId: 's', namespace: 'fleet-dns', hmacKey, ...override })).toThrow(
      new ManifestError(problems),
    );
  });
});
