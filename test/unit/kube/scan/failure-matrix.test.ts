/**
 * The failure matrix of issue 17 over the whole scan (dispatch → wait → collect, capturing node
 * agents stopped at collect) against the fake API: each case gives the probe's checks ERROR with
 * a reason a person can act on (checks.md "Runner failures") and — except where the API refuses
 * the deletes themselves — leaves none of the scan's objects behind. The Job-level failures
 * (failed, never scheduled, image pull error, deadline, node agents never Ready) run on the real
 * path in the lab: lab/scenarios/runner-*.yaml.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../../lab/fake-kube-api/index.js';
import {
  combineRunnerResults,
  encodeResultFrames,
  signRunnerResult,
} from '../../../../lambdas/core/runner-results/index.js';
import {
  collectScan,
  createKubeClient,
  dispatchScan,
  probeJobName,
  runRunnerScan,
  sweepRunnerObjects,
} from '../../../../lambdas/kube/index.js';
import type { KubeApis, RunnerScan } from '../../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  corednsPodObjects,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  SCAN,
  SETTINGS,
  nodeResult,
  podLog,
  probeDocument,
  probeResult,
  startRunnerCluster,
} from '../support/runner-cluster.js';
import type { RunnerCluster } from '../support/runner-cluster.js';

const PROBE_LOG_PATH = new RegExp(`/pods/${probeJobName(SCAN)}-x7k2p/log$`);

let cluster: RunnerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

interface Case {
  /** the probe pod's log @default a good one */
  readonly probeLog?: string;
  readonly faults?: FaultRule[];
  readonly maxLogBytes?: number;
  /** a client with this per-request deadline instead of the support's */
  readonly timeoutMs?: number;
}

async function scanWith(c: Case): Promise<{ scan: RunnerScan; cluster: RunnerCluster }> {
  cluster = await startRunnerCluster({
    objects: corednsPodObjects(),
    nodeAgents: 'capturing',
    ...(c.faults ? { faults: c.faults } : {}),
  });
  cluster.logs.set('probe', c.probeLog ?? podLog(probeResult()));
  cluster.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
  cluster.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
  const apis: KubeApis =
    c.timeoutMs === undefined
      ? cluster.apis
      : createKubeClient({
          server: cluster.api.url,
          caData: Buffer.from(cluster.api.caPem, 'utf8').toString('base64'),
          token: cluster.api.token,
          timeoutMs: c.timeoutMs,
          retry: { clock: cluster.clock },
        });
  const scan = await runRunnerScan({
    apis,
    scanId: SCAN,
    clusterId: CLUSTER,
    settings: SETTINGS,
    pollMs: 50,
    newHmacKey: () => KEY,
    ...(c.maxLogBytes !== undefined ? { maxLogBytes: c.maxLogBytes } : {}),
  });
  return { scan, cluster };
}

/** Every probe check is ERROR with `reason`; the node agents' results still count. */
function expectProbeError(scan: RunnerScan, reason: RegExp): void {
  expect(scan.probe).toBeUndefined();
  expect(scan.failures.probe).toMatch(reason);
  const checks = combineRunnerResults(scan.probe, scan.nodes, scan.failures);
  const probeChecks = checks.filter((c) => (c.evidence as { runner?: unknown }).runner === 'probe');
  expect(probeChecks.length).toBeGreaterThan(10);
  for (const c of probeChecks)
    expect(c, c.id).toMatchObject({ status: 'ERROR', evidence: { reason: scan.failures.probe } });
  expect(scan.nodes.map((n) => n.nodeName).sort()).toEqual([NODE_A, NODE_B]);
}

const otherKeySigned = signRunnerResult(probeDocument(), 'not-the-scan-key-0123456789');
const frames = encodeResultFrames(probeResult(), { chunkChars: 200 });

describe('a scan whose probe result cannot be used: ERROR with the reason, nothing left behind', () => {
  it.each<[string, Case, RegExp]>([
    [
      'forged HMAC (signed with another key)',
      { probeLog: podLog(otherKeySigned) },
      /signature does not match/,
    ],
    ['replay of another scan’s result', { probeLog: podLog(probeResult({ scanId: 'scan-6' })) }, /scan-6/],
    [
      'another cluster’s result',
      { probeLog: podLog(probeResult({ clusterId: '444455556666:eu-west-1:other' })) },
      /444455556666:eu-west-1:other/,
    ],
    [
      'an oversized log',
      { probeLog: `${'x'.repeat(200)}\n`.repeat(40) + podLog(probeResult()), maxLogBytes: 4096 },
      /log larger than 4096 bytes/,
    ],
    [
      'no frames at all (lines that only look alike)',
      { probeLog: 'FLEETDNS-RESULT 1/1 @@@\n' },
      /^no result frames in the pod log$/,
    ],
    [
      'a malformed frame (base64 of something that is not gzip)',
      { probeLog: `FLEETDNS-RESULT 1/1 ${Buffer.from('not gzip').toString('base64')}\n` },
      /^the result frames are not gzip data: /,
    ],
    [
      'a missing frame',
      { probeLog: ['runner starting', ...frames.filter((_, i) => i !== 1), ''].join('\n') },
      new RegExp(`result incomplete: frame 2 of ${frames.length} missing`),
    ],
    [
      '403 on the log read (names the verb and resource)',
      { faults: [{ path: PROBE_LOG_PATH, status: 403 }] },
      /get pods\/log fleet-dns\/fleet-dns-probe-scan-7-x7k2p: HTTP 403/,
    ],
    ['500 that outlasts the retries', { faults: [{ path: PROBE_LOG_PATH, status: 500 }] }, /HTTP 500/],
    [
      'a slow API (the log read outlasts the request deadline)',
      { faults: [{ path: PROBE_LOG_PATH, delayMs: 1500 }], timeoutMs: 400 },
      /: no answer before the deadline/,
    ],
  ])('%s', async (_name, c, reason) => {
    const { scan, cluster: k } = await scanWith(c);
    expectProbeError(scan, reason);
    expect(scan.cleanupError).toBeUndefined();
    expect(k.scanObjects()).toEqual([]);
  });

  it('a 429 burst on the status reads and a log read is retried: nothing fails', async () => {
    const { scan, cluster: k } = await scanWith({
      faults: [
        {
          path: `/apis/batch/v1/namespaces/${NS}/jobs`,
          method: 'GET',
          status: 429,
          times: 2,
          retryAfterSeconds: 1,
        },
        { path: PROBE_LOG_PATH, status: 429, times: 2, retryAfterSeconds: 2 },
      ],
    });
    expect(scan.failures).toEqual({ nodes: [] });
    expect(scan.probe).toEqual(probeResult());
    expect(k.clock.sleeps).toEqual(expect.arrayContaining([1000, 2000]));
    expect(k.apis.apiRetries?.map((r) => [r.status, r.cleared])).toEqual([
      [429, true],
      [429, true],
    ]);
    expect(k.scanObjects()).toEqual([]);
  });

  it('401 at collect: ERRORs naming it, the deletes fail too (said), and the sweep removes the leftovers', async () => {
    cluster = await startRunnerCluster({ objects: corednsPodObjects(), complete: false });
    await dispatchScan({
      apis: cluster.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      newHmacKey: () => KEY,
    });
    const expired = createKubeClient({
      server: cluster.api.url,
      caData: Buffer.from(cluster.api.caPem, 'utf8').toString('base64'),
      token: 'an-expired-eks-token',
    });
    const collected = await collectScan({ apis: expired, scanId: SCAN, clusterId: CLUSTER, namespace: NS });
    expect(collected.failures.probe).toMatch(/^the scan's result key could not be read: .*HTTP 401/);
    expect(collected.cleanupError).toMatch(/HTTP 401/);
    expect(cluster.scanObjects().length).toBeGreaterThan(0);
    // the sweep (with working credentials) removes what the failed collect could not
    await sweepRunnerObjects({
      apis: cluster.apis,
      namespace: NS,
      olderThanSeconds: 0,
      now: new Date(Date.now() + 1000),
    });
    expect(cluster.scanObjects()).toEqual([]);
  });
});
