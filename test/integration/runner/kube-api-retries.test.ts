/**
 * Transient Kubernetes API failures (checks.md § Transient failures) against real loopback
 * servers: a bare HTTP server that throttles with `Retry-After`, and the fake Kubernetes API's
 * injected 429s under a whole probe run. The retry clock is a fake one that records each wait
 * and returns at once, so the tests neither sleep nor depend on the machine's speed.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { apiFailureReason } from '../../../lambdas/core/incluster/index.js';
import type { RetryClock } from '../../../lambdas/core/retry/index.js';
import { runnerResultSchema } from '../../../lambdas/core/schema/index.js';
import { readApi, timeoutOptions } from '../../../runner-image/src/kube/read-api.js';
import { runProbe } from '../../../runner-image/src/probe/index.js';
import { startLab, stopLab } from './probe-lab.js';
import type { Lab } from './probe-lab.js';
import { recordingClock } from '../../support/recording-clock.js';

const TARGET = { verb: 'get', resource: 'configmaps', namespace: 'kube-system', name: 'coredns' } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Serves the coredns ConfigMap; `answer(n)` decides the n-th request's fate (1-based). */
async function startThrottlingApi(
  answer: (n: number, res: ServerResponse, req: IncomingMessage) => 'serve' | 'handled',
): Promise<{ kubeConfig: KubeConfig; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    n += 1;
    if (answer(n, res, req) === 'handled') return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'coredns', namespace: 'kube-system' },
        data: { Corefile: '.:53 {\n    forward . /etc/resolv.conf\n}\n' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      // plain HTTP on loopback: client-node allows it only with skipTLSVerify
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 'token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { kubeConfig, requests: () => n };
}

const tooManyRequests = (res: ServerResponse): 'handled' => {
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'TooManyRequests',
      code: 429,
      message: 'too many requests, please try again later',
    }),
  );
  return 'handled';
};

const readCorefile = (kubeConfig: KubeConfig, clock: RetryClock) => {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return readApi(
    TARGET,
    () => core.readNamespacedConfigMap({ name: 'coredns', namespace: 'kube-system' }, timeoutOptions(5_000)),
    5_000,
    { clock },
  );
};

describe("the runner's Kubernetes reads retry transient failures", () => {
  it('honours Retry-After: 429 twice, then the read succeeds and records its retries', async () => {
    const api = await startThrottlingApi((n, res) => (n <= 2 ? tooManyRequests(res) : 'serve'));
    const clock = recordingClock();

    const read = await readCorefile(api.kubeConfig, clock);

    expect(read.ok ? read.value.data?.Corefile : read.failure.message).toMatch(/forward/);
    expect(api.requests()).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(read.retried).toEqual({
      call: 'get configmaps kube-system/coredns',
      status: 429,
      attempts: 3,
      cleared: true,
    });
  });

  it('gives up after the bounded attempts on a 429 that never clears, naming the status', async () => {
    const api = await startThrottlingApi((_n, res) => tooManyRequests(res));
    const clock = recordingClock();

    const read = await readCorefile(api.kubeConfig, clock);

    expect(read.ok).toBe(false);
    expect(api.requests()).toBe(5);
    if (read.ok) return;
    expect(read.failure.status).toBe(429);
    expect(apiFailureReason(read.failure)).toMatch(
      /answered 429 to get configmaps coredns .*after 5 attempts/,
    );
    expect(read.retried).toMatchObject({ status: 429, attempts: 5, cleared: false });
  });

  it('retries a connection the server reset', async () => {
    const api = await startThrottlingApi((n, _res, req) => {
      if (n > 1) return 'serve';
      req.socket.destroy();
      return 'handled';
    });

    const read = await readCorefile(api.kubeConfig, recordingClock());

    expect(read.ok).toBe(true);
    expect(api.requests()).toBe(2);
    expect(read.retried).toMatchObject({ attempts: 2, cleared: true });
    expect(['ECONNRESET', 'socket hang up']).toContain(read.retried?.status);
  });

  it('does not retry a 403', async () => {
    const api = await startThrottlingApi((_n, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'forbidden' }));
      return 'handled';
    });
    const clock = recordingClock();

    const read = await readCorefile(api.kubeConfig, clock);

    expect(read.ok).toBe(false);
    expect(api.requests()).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(read.retried).toBeUndefined();
  });
});

describe('a probe run through a burst of throttling', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    if (lab) await stopLab(lab);
    lab = undefined;
  });
  const probe = (l: Lab, clock: RetryClock) =>
    runProbe({
      scanId: 'scan-1',
      clusterId: '111122223333:eu-west-1:lab',
      resolvConfPath: l.resolvConf,
      kubeConfig: l.kubeConfig,
      captureInterface: 'none',
      runKubeChecks: async () => [],
      settings: { dnsPort: l.port, timeoutMs: 300, latencyQueries: 4 },
      apiRetry: { clock },
    });

  it('changes no status when the burst clears; the evidence lists the retried read', async () => {
    const l = (lab = await startLab());
    l.api.addFault({ path: '^/api/v1/namespaces/kube-system/services/kube-dns$', status: 429, times: 2 });

    const result = await probe(l, recordingClock());

    expect(runnerResultSchema.safeParse(result).success).toBe(true);
    const internal = result.checks.find((c) => c.id === 'DNS-INTERNAL');
    expect(internal?.status).toBe('PASS');
    expect(internal?.evidence.apiRetries).toEqual([
      { call: 'get services kube-system/kube-dns', status: 429, attempts: 3, cleared: true },
    ]);
    expect(result.checks.find((c) => c.id === 'DNS-EXTERNAL')?.status).toBe('PASS');
  });

  it('is ERROR, naming the status, when the throttling outlasts the retries', async () => {
    const l = (lab = await startLab());
    l.api.addFault({ path: '^/api/v1/namespaces/kube-system/services/kube-dns$', status: 429 });

    const result = await probe(l, recordingClock());

    const internal = result.checks.find((c) => c.id === 'DNS-INTERNAL');
    expect(internal?.status).toBe('ERROR');
    expect(internal?.evidence.reason).toMatch(/429.*after 5 attempts/);
    expect(internal?.evidence.apiRetries).toEqual([
      { call: 'get services kube-system/kube-dns', status: 429, attempts: 5, cleared: false },
    ]);
  });
});
