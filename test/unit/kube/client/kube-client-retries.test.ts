/**
 * The collectors' client retries transient failures (checks.md § Transient failures) against a
 * real HTTPS server on loopback that throttles with `Retry-After`, then against the fake
 * Kubernetes API's injected 429s under readKubernetesFacts. The retry clock records each wait
 * and returns at once, so nothing here sleeps or depends on the machine's speed.
 */
import { createServer } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import { generateServerTls } from '../../../../lab/fake-kube-api/tls.js';
import { createKubeClient, KubeAccessError, readKubernetesFacts } from '../../../../lambdas/kube/index.js';
import { buildKubeObjects, buildVpc } from '../../aws/support/fake-aws.js';
import { recordingClock } from '../../../support/recording-clock.js';

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** An HTTPS API whose n-th request (1-based) is throttled while `throttled(n)`, else served a node list. */
async function startThrottlingApi(throttled: (n: number) => boolean) {
  const tls = await generateServerTls({ hosts: ['127.0.0.1'] });
  let requests = 0;
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res: ServerResponse) => {
    requests += 1;
    if (throttled(requests)) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'NodeList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'n1' } }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caData: base64(tls.caPem),
    requests: () => requests,
  };
}

describe('createKubeClient retries transient failures', () => {
  it('honours Retry-After on two 429s, then answers; the retried call is recorded', async () => {
    const api = await startThrottlingApi((n) => n <= 2);
    const clock = recordingClock();
    const kube = createKubeClient({ server: api.url, caData: api.caData, token: 't', retry: { clock } });

    const nodes = await kube.core.listNode({});

    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['n1']);
    expect(api.requests()).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(kube.apiRetries).toEqual([{ call: 'GET /api/v1/nodes', status: 429, attempts: 3, cleared: true }]);
  });

  it('throws the 429 after the bounded attempts when it never clears', async () => {
    const api = await startThrottlingApi(() => true);
    const kube = createKubeClient({
      server: api.url,
      caData: api.caData,
      token: 't',
      retry: { clock: recordingClock(), policy: { maxAttempts: 4 } },
    });

    await expect(kube.core.listNode({})).rejects.toMatchObject({ code: 429 });
    expect(api.requests()).toBe(4);
    expect(kube.apiRetries).toEqual([
      { call: 'GET /api/v1/nodes', status: 429, attempts: 4, cleared: false },
    ]);
  });

  it('stops retrying at the deadline', async () => {
    const api = await startThrottlingApi(() => true);
    const kube = createKubeClient({
      server: api.url,
      caData: api.caData,
      token: 't',
      // Retry-After: 1 s would end past a deadline 1.5 s away after the first wait
      retry: { clock: recordingClock(), deadlineMs: 1_500 },
    });

    await expect(kube.core.listNode({})).rejects.toMatchObject({ code: 429 });
    expect(api.requests()).toBe(2);
  });
});

describe('readKubernetesFacts through a burst of throttling', () => {
  const vpc = buildVpc({
    vpcId: 'vpc-r',
    octet: 81,
    accountId: '111122223333',
    region: 'eu-west-1',
    clusters: [{ name: 'r', nodes: 2 }],
  });

  it('reads every fact when the 429s clear, and the client records the retries', async () => {
    const api = await startFakeKubeApi({
      objects: buildKubeObjects(vpc, 'r'),
      faults: [{ path: '^/api/v1/nodes$', status: 429, times: 2 }],
    });
    cleanups.push(() => api.stop());
    const kube = createKubeClient({
      server: api.url,
      caData: base64(api.caPem),
      token: api.token,
      retry: { clock: recordingClock() },
    });

    const { facts } = await readKubernetesFacts(kube);

    expect(facts.nodes).toHaveLength(2);
    expect(kube.apiRetries).toEqual([{ call: 'GET /api/v1/nodes', status: 429, attempts: 3, cleared: true }]);
  });

  it('is a KubeAccessError naming 429 when the throttling outlasts the retries', async () => {
    const api = await startFakeKubeApi({
      objects: buildKubeObjects(vpc, 'r'),
      faults: [{ path: '^/api/v1/nodes$', status: 429 }],
    });
    cleanups.push(() => api.stop());
    const kube = createKubeClient({
      server: api.url,
      caData: base64(api.caPem),
      token: api.token,
      retry: { clock: recordingClock(), policy: { maxAttempts: 3 } },
    });

    const failure = await readKubernetesFacts(kube).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(KubeAccessError);
    expect((failure as KubeAccessError).httpStatus).toBe(429);
    expect(api.requests.filter((r) => r.path === '/api/v1/nodes')).toHaveLength(3);
  });
});
