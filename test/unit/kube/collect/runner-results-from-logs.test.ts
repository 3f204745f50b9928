import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runnerResultsFromLogs } from '../../../../lambdas/kube/index.js';
import type { RunnerResultsFromLogsInput } from '../../../../lambdas/kube/index.js';
import {
  canonicalJson,
  combineRunnerResults,
  encodeResultFrames,
  signRunnerResult,
} from '../../../../lambdas/core/runner-results/index.js';
import {
  CLUSTER,
  KEY,
  NODE_A,
  NODE_B,
  nodeDocument,
  probeDocument,
  SCAN,
} from '../support/runner-cluster.js';

const probeSigned = signRunnerResult(probeDocument(), KEY);
const nodeASigned = signRunnerResult(nodeDocument(NODE_A), KEY);

/** A pod log as kubectl shows it: the runner's own lines, then the framed result. */
const podLog = (document: unknown, chunkChars = 64): string =>
  [
    '2026-03-01T10:00:00Z fleet-dns runner starting (role from env)',
    'waiting for node agents: 2/2 Ready',
    ...encodeResultFrames(document, { chunkChars }),
    '',
  ].join('\n');

const input = (over: Partial<RunnerResultsFromLogsInput> = {}): RunnerResultsFromLogsInput => ({
  probe: { log: podLog(probeSigned) },
  nodeAgents: [{ node: NODE_A, log: podLog(nodeASigned) }],
  scanId: SCAN,
  clusterId: CLUSTER,
  key: KEY,
  ...over,
});

/** Frames of a document big enough (not compressible) to span many frames. */
function manyFrames(): string[] {
  let x = 7;
  const noise = Array.from({ length: 200 }, () => (x = (x * 1103515245 + 12345) % 2 ** 31).toString(36));
  const lines = encodeResultFrames(signRunnerResult(probeDocument({ observations: { noise } }), KEY), {
    chunkChars: 200,
  });
  expect(lines.length).toBeGreaterThanOrEqual(4);
  return lines;
}

describe('runnerResultsFromLogs', () => {
  it('a good probe and node agent: verified, nothing failed', () => {
    const out = runnerResultsFromLogs(input());
    expect(out.probe).toEqual(probeSigned);
    expect(out.nodes).toEqual([nodeASigned]);
    expect(out.failures).toEqual({ nodes: [] });
  });

  const lines = manyFrames();
  const altered = { ...probeSigned, scanId: SCAN, finishedAt: '2026-03-01T10:00:41.000Z' };
  const cases: [string, Partial<RunnerResultsFromLogsInput>, string | RegExp][] = [
    [
      'an altered document (one byte of finishedAt) → signature mismatch',
      { probe: { log: podLog(altered) } },
      'result frame signature does not match (wrong key or altered document)',
    ],
    [
      'the wrong key → signature mismatch',
      { key: 'another-key-0123456789abcdef' },
      /^result frame signature does not match/,
    ],
    [
      'a dropped frame → incomplete, naming frame i of n',
      { probe: { log: lines.filter((_, i) => i !== 2).join('\n') } },
      `result incomplete: frame 3 of ${lines.length} missing`,
    ],
    [
      'the last frame cut off (log truncated)',
      { probe: { log: lines.slice(0, -1).join('\n') } },
      `result incomplete: frame ${lines.length} of ${lines.length} missing`,
    ],
    [
      'signed for another scan → replay refused',
      { probe: { log: podLog(signRunnerResult(probeDocument({ scanId: 'scan-6' }), KEY)) } },
      'result from another scan: it belongs to scan scan-6, not scan-7',
    ],
    [
      'for another cluster → refused',
      {
        probe: {
          log: podLog(signRunnerResult(probeDocument({ clusterId: '111122223333:eu-west-1:other' }), KEY)),
        },
      },
      `result for another cluster: it belongs to cluster 111122223333:eu-west-1:other, not ${CLUSTER}`,
    ],
    [
      "a node agent's result in the probe's log → wrong role",
      { probe: { log: podLog(nodeASigned) } },
      'result from another role: expected a probe result, got node',
    ],
    ['an oversized log → refused before decoding', { maxBytes: 300 }, 'log larger than 300 bytes'],
    [
      'a result that inflates past the bound',
      {
        maxBytes: 5000,
        probe: {
          log: podLog(
            signRunnerResult(probeDocument({ observations: { pad: 'x'.repeat(20000) } }), KEY),
            8000,
          ),
        },
      },
      'the result document is larger than 5000 bytes',
    ],
    [
      'garbage log → no frames',
      { probe: { log: 'panic: runtime error\ngoroutine 1 [running]:\n' } },
      'no result frames in the pod log',
    ],
    ['an empty log → no frames', { probe: { log: '' } }, 'no result frames in the pod log'],
    ['a log that could not be read', { probe: { log: undefined } }, 'the pod log could not be read'],
    ['no probe pod', { probe: undefined }, 'no probe pod was found'],
    [
      "the Job's reason leads the log's",
      { probe: { log: '', jobReason: 'deadline exceeded after 120 s' } },
      'deadline exceeded after 120 s; no result frames in the pod log',
    ],
    ['a key too short to sign with: said, not thrown', { key: 'short' }, /^the result key is unusable: /],
  ];

  it.each(cases)('probe: %s', (_name, over, reason) => {
    const out = runnerResultsFromLogs(input(over));
    expect(out.probe).toBeUndefined();
    if (typeof reason === 'string') expect(out.failures.probe).toBe(reason);
    else expect(out.failures.probe).toMatch(reason);
  });

  it('a flipped character inside a frame is refused (gzip or signature), never accepted', () => {
    const [first, ...rest] = encodeResultFrames(probeSigned, { chunkChars: 64 }) as [string, ...string[]];
    const at = first.length - 10;
    const flipped = first.slice(0, at) + (first[at] === 'A' ? 'B' : 'A') + first.slice(at + 1);
    const out = runnerResultsFromLogs(input({ probe: { log: [flipped, ...rest].join('\n') } }));
    expect(out.probe).toBeUndefined();
    expect(out.failures.probe).toMatch(/not gzip data|not JSON|signature does not match|not a runner result/);
  });

  it('per node: one usable, one refused with its reason, one not read; a result for another node is refused', () => {
    const out = runnerResultsFromLogs(
      input({
        nodeAgents: [
          { node: NODE_A, log: podLog(nodeASigned) },
          { node: NODE_B, log: podLog(signRunnerResult(nodeDocument(NODE_B, { scanId: 'scan-6' }), KEY)) },
          {
            node: 'ip-10-0-3-3',
            log: undefined,
            jobReason: 'node agent pod Pending: ImagePullBackOff for img',
          },
          { node: 'ip-10-0-4-4', log: podLog(signRunnerResult(nodeDocument(NODE_A), KEY)) },
        ],
      }),
    );
    expect(out.nodes.map((n) => n.nodeName)).toEqual([NODE_A]);
    expect(out.failures.nodes).toEqual([
      { node: NODE_B, reason: 'result from another scan: it belongs to scan scan-6, not scan-7' },
      {
        node: 'ip-10-0-3-3',
        reason: 'node agent pod Pending: ImagePullBackOff for img; the pod log could not be read',
      },
      {
        node: 'ip-10-0-4-4',
        reason: `result for another node: it belongs to node ${NODE_A}, not ip-10-0-4-4`,
      },
    ]);
  });

  it("a node agent result without nodeName is named after its pod's node; a retried pod that worked wins", () => {
    const unnamed = signRunnerResult(nodeDocument(NODE_B, { nodeName: undefined }), KEY);
    const out = runnerResultsFromLogs(
      input({
        nodeAgents: [
          { node: NODE_B, log: 'OOMKilled' },
          { node: NODE_B, log: podLog(unnamed) },
        ],
      }),
    );
    expect(out.nodes).toEqual([{ ...unnamed, nodeName: NODE_B }]);
    expect(out.failures.nodes).toEqual([]);
  });

  it('feeds combineRunnerResults: a refused probe makes every probe check ERROR with the reason', () => {
    const out = runnerResultsFromLogs(input({ probe: { log: podLog(altered) } }));
    const checks = combineRunnerResults(out.probe, out.nodes, out.failures);
    expect(checks.find((c) => c.id === 'DNS-INTERNAL')).toMatchObject({
      status: 'ERROR',
      evidence: { reason: 'result frame signature does not match (wrong key or altered document)' },
    });
    expect(checks.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')?.status).toBe('PASS');
  });

  describe('properties', () => {
    const frames = encodeResultFrames(probeSigned, { chunkChars: 48 });

    it('arbitrary log text never throws and never yields a result', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 300 }), (probeLog, nodeLog) => {
          const out = runnerResultsFromLogs(
            input({ probe: { log: probeLog }, nodeAgents: [{ node: NODE_A, log: nodeLog }] }),
          );
          expect(out.probe).toBeUndefined();
          expect(out.nodes).toEqual([]);
          expect(typeof out.failures.probe).toBe('string');
        }),
      );
    });

    it('frame-shaped noise (well-formed prefixes and numbering, arbitrary payloads) never throws and never verifies', () => {
      const frameLine = fc
        .tuple(
          fc.integer({ min: 0, max: 6 }),
          fc.integer({ min: 0, max: 6 }),
          fc.base64String({ maxLength: 80 }),
        )
        .map(([seq, total, b64]) => `FLEETDNS-RESULT ${seq}/${total} ${b64}`);
      fc.assert(
        fc.property(
          fc.array(fc.oneof(frameLine, fc.string({ maxLength: 40 })), { maxLength: 30 }),
          (lines) => {
            const out = runnerResultsFromLogs(input({ probe: { log: lines.join('\n') } }));
            expect(out.probe).toBeUndefined();
          },
        ),
      );
    });

    it('edits to genuine frames are refused unless the document that comes out is the signed one', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.nat(frames.length - 1), fc.nat(90), fc.string({ minLength: 0, maxLength: 2 })),
            { minLength: 1, maxLength: 4 },
          ),
          fc.string({ maxLength: 60 }),
          (edits, noise) => {
            const edited = [...frames];
            for (const [line, at, text] of edits) {
              const l = edited[line] as string;
              edited[line] = l.slice(0, at) + text + l.slice(at + 1);
            }
            const out = runnerResultsFromLogs(input({ probe: { log: [noise, ...edited].join('\n') } }));
            if (out.probe) expect(canonicalJson(out.probe)).toBe(canonicalJson(probeSigned));
            else expect(out.failures.probe).toEqual(expect.any(String));
          },
        ),
      );
    });

    it('any well-framed document not signed with this key never verifies', () => {
      fc.assert(
        fc.property(
          fc.record({
            scanId: fc.constantFrom(SCAN, 'scan-6'),
            clusterId: fc.constantFrom(CLUSTER, 'other'),
            signature: fc.option(
              fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
              { nil: undefined },
            ),
            extra: fc.jsonValue(),
          }),
          (over) => {
            const forged = {
              ...probeDocument({ scanId: over.scanId, clusterId: over.clusterId }),
              extra: over.extra,
            };
            const log = podLog(
              over.signature === undefined ? forged : { ...forged, signature: over.signature },
            );
            expect(runnerResultsFromLogs(input({ probe: { log } })).probe).toBeUndefined();
          },
        ),
      );
    });
  });
});
