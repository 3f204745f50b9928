import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildNodeAgentJob,
  buildProbeJob,
  buildScanSecret,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  ManifestError,
  nodeAgentJobName,
  nodeAgentSelector,
  probeJobName,
  scanIdLabelValue,
  scanSecretName,
} from '../../../../lambdas/kube/manifests/index.js';

const settings = { image: 'registry.example/fleet-dns-runner:1.0.0' };
const key = '0123456789abcdef0123456789abcdef';
const nodeName = 'ip-10-0-1-23.eu-west-1.compute.internal';

describe('scan id → label value and names', () => {
  it.each([
    ['scan-42', 'scan-42'],
    ['a', 'a'],
    ['0123456789abcdef0123456789abcd', '0123456789abcdef0123456789abcd'], // 30 characters: kept
  ])('keeps %j, already a short DNS-1123 label', (scanId, expected) => {
    expect(scanIdLabelValue(scanId)).toBe(expected);
  });

  it.each([
    ['Scan-42', /^scan-42-[0-9a-f]{8}$/],
    ['2024-05-01T12:00:00Z', /^2024-05-01t12-00-00z-[0-9a-f]{8}$/],
    ['-lead', /^lead-[0-9a-f]{8}$/],
    ['___', /^[0-9a-f]{8}$/],
    ['0123456789abcdef0123456789abcde', /^0123456789abcdef01234-[0-9a-f]{8}$/], // 31 characters
  ])('derives a slug and a hash from %j', (scanId, pattern) => {
    expect(scanIdLabelValue(scanId)).toMatch(pattern);
  });

  it('gives different ids that slug alike different values', () => {
    expect(scanIdLabelValue('Scan 1')).not.toBe(scanIdLabelValue('scan_1'));
  });

  it.each([
    ['', 'scan id is empty'],
    ['x'.repeat(254), 'scan id is 254 characters long; at most 253 are allowed'],
    ['a\nb', 'scan id contains control characters'],
  ])('rejects %j with one clear line', (scanId, message) => {
    expect(() => scanIdLabelValue(scanId)).toThrow(new ManifestError([message]));
    expect(() => buildScanSecret({ scanId, namespace: 'fleet-dns', hmacKey: key })).toThrow(message);
    expect(() => buildProbeJob({ scanId, clusterId: 'c', settings })).toThrow(message);
  });

  it('builds the node-agent selector from the label value', () => {
    expect(nodeAgentSelector('scan-42')).toBe(
      'app.kubernetes.io/managed-by=fleet-dns,app.kubernetes.io/component=node-agent,fleet-dns.io/scan-id=scan-42',
    );
  });

  it('names a node agent Job per node', () => {
    expect(nodeAgentJobName('s', 'node-a')).not.toBe(nodeAgentJobName('s', 'node-b'));
    expect(nodeAgentJobName('s', 'node-a')).toMatch(/^fleet-dns-node-s-[0-9a-f]{8}$/);
  });

  it('any scan id yields valid names and label values, or is rejected with a clear error', () => {
    const scanIds = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.stringMatching(/^[a-z0-9-]{0,70}$/),
    );
    fc.assert(
      fc.property(scanIds, (scanId) => {
        let value: string;
        try {
          value = scanIdLabelValue(scanId);
        } catch (err) {
          expect(err).toBeInstanceOf(ManifestError);
          expect((err as ManifestError).message).toMatch(
            /^scan id (is empty|is \d+ characters long|contains control)/,
          );
          return;
        }
        expect(isLabelValue(value)).toBe(true);
        expect(isDns1123Label(value)).toBe(true);
        for (const name of [scanSecretName(scanId), probeJobName(scanId), nodeAgentJobName(scanId, nodeName)])
          expect(isDns1123Label(name), name).toBe(true);
        const probe = buildProbeJob({ scanId, clusterId: 'c', settings });
        const agent = buildNodeAgentJob({
          scanId,
          clusterId: 'c',
          nodeName,
          coreDnsTolerations: [],
          settings,
        });
        const secret = buildScanSecret({ scanId, namespace: 'fleet-dns', hmacKey: key });
        for (const labels of [
          probe.metadata?.labels,
          agent.spec?.template.metadata?.labels,
          secret.metadata?.labels,
        ])
          for (const v of Object.values(labels ?? {})) expect(isLabelValue(v), v).toBe(true);
        expect(probe.metadata?.annotations?.['fleet-dns.io/scan-id']).toBe(scanId);
      }),
      { numRuns: 300 },
    );
  });
});

describe('name validators', () => {
  it.each([
    ['a', true, true],
    ['a-b', true, true],
    ['a.b', false, true],
    ['A', false, false],
    ['-a', false, false],
    ['a-', false, false],
    ['', false, false],
    ['a'.repeat(63), true, true],
    ['a'.repeat(64), false, true],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, false, false], // 254
  ])('%j: label %s, subdomain %s', (value, label, subdomain) => {
    expect(isDns1123Label(value)).toBe(label);
    expect(isDns1123Subdomain(value)).toBe(subdomain);
  });

  it.each([
    ['', true],
    ['Scan_1.a', true],
    ['_a', false],
    ['a_', false],
    ['a b', false],
    ['x'.repeat(64), false],
  ])('label value %j: %s', (value, ok) => {
    expect(isLabelValue(value)).toBe(ok);
  });
});
