import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import { createKubeClient, KubeAdapterError } from '../../../../lambdas/kube/index.js';

describe('createKubeClient', () => {
  it('refuses a plain-HTTP endpoint and an empty CA (TLS is always verified)', () => {
    expect(() => createKubeClient({ server: 'http://127.0.0.1:6443', caData: 'Zm9v', token: 't' })).toThrow(
      KubeAdapterError,
    );
    expect(() => createKubeClient({ server: 'https://127.0.0.1:6443', caData: '', token: 't' })).toThrow(
      /CA data is empty/,
    );
  });

  it('builds the core and discovery APIs for the endpoint', () => {
    const apis = createKubeClient({ server: 'https://127.0.0.1:6443', caData: 'Zm9v', token: 't' });
    expect(apis.server).toBe('https://127.0.0.1:6443');
    expect(typeof apis.core.listNode).toBe('function');
    expect(typeof apis.discovery.listNamespacedEndpointSlice).toBe('function');
  });
});

/**
 * Request deadlines against the fake Kubernetes API: a plain request is cut at `timeoutMs`, a
 * follow log read is not (it lasts while the container writes) but has its own bound,
 * `followTimeoutMs`. The waits below only make sure the short deadline would have fired.
 */
describe('createKubeClient deadlines', () => {
  const NS = 'fleet-dns';
  const POD = 'agent-x7k2p';
  let api: FakeKubeApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  async function started(): Promise<FakeKubeApi> {
    api = await startFakeKubeApi({
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: POD, namespace: NS },
          spec: { containers: [{ name: 'node-agent', image: 'example.invalid/runner:1' }] },
          status: { phase: 'Running' },
        },
      ],
      podLogs: { [`${NS}/${POD}`]: 'capturing\n' },
    });
    return api;
  }
  const client = (fake: FakeKubeApi, over: { timeoutMs?: number; followTimeoutMs?: number }) =>
    createKubeClient({
      server: fake.url,
      caData: Buffer.from(fake.caPem, 'utf8').toString('base64'),
      token: fake.token,
      ...over,
    });
  const streamOpen = (fake: FakeKubeApi) =>
    vi.waitFor(
      () => {
        if (!fake.requests.some((r) => r.query.follow === 'true' && r.status === 200))
          throw new Error('not yet');
      },
      { timeout: 5000, interval: 10 },
    );

  it('a follow log read outlives timeoutMs and ends with the whole log when the container ends', async () => {
    const fake = await started();
    const kube = client(fake, { timeoutMs: 200 });

    const read = kube.core.readNamespacedPodLog({ name: POD, namespace: NS, follow: true });
    await streamOpen(fake);
    await new Promise((r) => setTimeout(r, 500)); // past timeoutMs
    fake.appendPodLog(`${NS}/${POD}`, 'FLEETDNS-RESULT 1/1 abc');
    fake.endPodLog(`${NS}/${POD}`);

    await expect(read).resolves.toBe('capturing\nFLEETDNS-RESULT 1/1 abc\n');
  });

  it('a plain request is still cut at timeoutMs', async () => {
    const fake = await started();
    fake.addFault({ path: `/pods/${POD}/log$`, delayMs: 2000 });
    const kube = client(fake, { timeoutMs: 200 });

    await expect(kube.core.readNamespacedPodLog({ name: POD, namespace: NS })).rejects.toThrow(/abort/i);
  });

  it('a follow log read that never ends is cut at followTimeoutMs', async () => {
    const fake = await started();
    const kube = client(fake, { timeoutMs: 5000, followTimeoutMs: 300 });

    await expect(kube.core.readNamespacedPodLog({ name: POD, namespace: NS, follow: true })).rejects.toThrow(
      /abort/i,
    );
  });
});
