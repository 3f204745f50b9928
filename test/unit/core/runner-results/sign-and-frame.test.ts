import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import {
  canonicalJson,
  decodeResultFrames,
  encodeResultFrames,
  hasValidSignature,
  signRunnerResult,
  verifyRunnerResult,
} from '../../../../lambdas/core/runner-results/index.js';
import { RUNNER_RESULT_FORMAT } from '../../../../lambdas/core/schema/index.js';
import type { RunnerResult } from '../../../../lambdas/core/schema/index.js';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';

const KEY = 'k'.repeat(32);
const doc = (over: Partial<RunnerResult> = {}): RunnerResult => ({
  format: RUNNER_RESULT_FORMAT,
  role: 'probe',
  scanId: 'scan-1',
  clusterId: '111122223333:eu-west-1:prod-a',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  checks: [makeResult('DNS-INTERNAL', { status: 'PASS', evidence: { answers: ['10.100.0.1'] } })],
  observations: { queries: [] },
  ...over,
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"z":1}]},"b":1}',
    );
  });
  it('is independent of key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
});

describe('signing and verification', () => {
  it('accepts a signed document of this scan and cluster, after a round trip through JSON', () => {
    const signed = signRunnerResult(doc(), KEY);
    const received: unknown = JSON.parse(JSON.stringify(signed, null, 2));
    expect(
      verifyRunnerResult(received, {
        key: KEY,
        scanId: 'scan-1',
        clusterId: '111122223333:eu-west-1:prod-a',
      }),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['a wrong key', { key: 'x'.repeat(32) }, /^result frame signature does not match/],
    [
      'another scan',
      { scanId: 'scan-0' },
      /^result from another scan: it belongs to scan scan-1, not scan-0/,
    ],
    [
      'another cluster',
      { clusterId: '111122223333:eu-west-1:other' },
      /^result for another cluster: it belongs to cluster 111122223333:eu-west-1:prod-a/,
    ],
    ['the wrong role', { role: 'node' as const }, /expected a node result, got probe/],
  ])('rejects %s with a clear reason', (_what, over, reason) => {
    const signed = signRunnerResult(doc(), KEY);
    const outcome = verifyRunnerResult(signed, {
      key: KEY,
      scanId: 'scan-1',
      clusterId: '111122223333:eu-west-1:prod-a',
      ...over,
    });
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('rejects an altered document, an unsigned one and one that is not a runner result', () => {
    const signed = signRunnerResult(doc(), KEY);
    const altered = { ...signed, checks: [{ ...signed.checks[0], status: 'FAIL' }] };
    const opts = { key: KEY, scanId: 'scan-1', clusterId: '111122223333:eu-west-1:prod-a' };
    expect(verifyRunnerResult(altered, opts)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature does not match/),
    });
    expect(verifyRunnerResult(doc(), opts)).toEqual({ ok: false, reason: 'the runner result is not signed' });
    expect(verifyRunnerResult({ hello: 1 }, opts)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not a runner result: /),
    });
    expect(hasValidSignature({ signature: 'zz' }, KEY)).toBe(false);
  });

  it('refuses keys too short to be a per-scan secret', () => {
    expect(() => signRunnerResult(doc(), 'short')).toThrow(/at least 16 bytes/);
  });
});

describe('pod-log framing', () => {
  it('round-trips a document through framed lines mixed with other log output and timestamps', () => {
    const d = signRunnerResult(
      doc({
        observations: {
          queries: Array.from({ length: 300 }, (_, i) => ({
            name: `q${i}.fleet-dns-probe.cluster.local`,
            type: 'A',
            server: '10.100.0.10',
            transport: 'udp' as const,
            sentAtMs: i,
          })),
        },
      }),
      KEY,
    );
    const lines = encodeResultFrames(d, { chunkChars: 200 });
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toMatch(new RegExp(`^FLEETDNS-RESULT 1/${lines.length} [A-Za-z0-9+/=]+$`));
    const log = ['starting probe', ...lines.map((l) => `2026-01-01T00:00:00.123456789Z ${l}`), 'bye'].join(
      '\n',
    );
    const decoded = decodeResultFrames(log);
    expect(decoded).toMatchObject({ ok: true, frames: lines.length });
    if (decoded.ok)
      expect(
        verifyRunnerResult(decoded.document, { key: KEY, scanId: 'scan-1', clusterId: d.clusterId }).ok,
      ).toBe(true);
  });

  it('takes the last complete set when a restarted container printed its result twice', () => {
    const first = encodeResultFrames({ n: 1 }, { chunkChars: 8 });
    const second = encodeResultFrames({ n: 2 }, { chunkChars: 8 });
    expect(decodeResultFrames([...first, ...second].join('\n'))).toMatchObject({
      ok: true,
      document: { n: 2 },
    });
    // an incomplete second set leaves the first complete one
    expect(decodeResultFrames([...first, ...second.slice(0, 1)].join('\n'))).toMatchObject({
      ok: true,
      document: { n: 1 },
    });
  });

  it('returns error values for missing, incomplete, oversized and corrupt frames', () => {
    const lines = encodeResultFrames({ big: 'x'.repeat(5000) }, { chunkChars: 50 });
    expect(decodeResultFrames('nothing here')).toEqual({
      ok: false,
      error: 'no result frames in the pod log',
    });
    expect(decodeResultFrames(lines.slice(0, -1).join('\n'))).toEqual({
      ok: false,
      error: `result incomplete: frame ${lines.length} of ${lines.length} missing`,
    });
    // gzip cannot shrink an LCG's digits: enough frames to drop some in the middle
    let x = 1;
    const noise = Array.from({ length: 400 }, () => (x = (x * 1103515245 + 12345) % 2 ** 31).toString(36));
    const many = encodeResultFrames({ noise }, { chunkChars: 200 });
    expect(many.length).toBeGreaterThan(5);
    expect(decodeResultFrames(many.filter((_, i) => i !== 2).join('\n'))).toEqual({
      ok: false,
      error: `result incomplete: frame 3 of ${many.length} missing`,
    });
    expect(decodeResultFrames(many.filter((_, i) => i !== 0 && i !== 4).join('\n'))).toEqual({
      ok: false,
      error: `result incomplete: frames 1, 5 of ${many.length} missing`,
    });
    expect(decodeResultFrames(lines.join('\n'), { maxBytes: 1000 })).toEqual({
      ok: false,
      error: 'the result document is larger than 1000 bytes',
    });
    expect(decodeResultFrames('FLEETDNS-RESULT 1/1 bm90IGd6aXA=')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not gzip data/),
    });
    const notJson = gzipSync(Buffer.from('{oops')).toString('base64');
    expect(decodeResultFrames(`FLEETDNS-RESULT 1/1 ${notJson}`)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
  });

  it('never throws on arbitrary log text or corrupted frames (property)', () => {
    const lines = encodeResultFrames(doc(), { chunkChars: 40 });
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.array(fc.tuple(fc.nat(lines.length - 1), fc.nat(60), fc.string({ minLength: 1, maxLength: 1 }))),
        (noise, edits) => {
          const mutated = lines.map((l) => l);
          for (const [line, at, ch] of edits) {
            const l = mutated[line] as string;
            mutated[line] = l.slice(0, at) + ch + l.slice(at + 1);
          }
          const r = decodeResultFrames(`${noise}\n${mutated.join('\n')}`);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});
