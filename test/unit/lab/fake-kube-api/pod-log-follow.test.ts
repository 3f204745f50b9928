/**
 * Follow log reads (`follow=true`) on the fake Kubernetes API: the current lines at once, then
 * the lines appended while the request is open, and the end of the response when the container's
 * log is marked ended, when the pod object is removed, when `limitBytes` were sent, or when the
 * server stops. Every wait is on an event (a chunk received, the response ended), not on time.
 */
import { get as httpsGet } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../../../../lab/fake-kube-api/index.js';

const NS = 'fleet-dns';
const POD = 'agent-x7k2p';
const KEY = `${NS}/${POD}`;

const pod = (over: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: POD, namespace: NS, ...over },
  spec: { containers: [{ name: 'node-agent', image: 'example.invalid/runner:1' }] },
  status: { phase: 'Running' },
});

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function started(log = 'line 1\nline 2\n', objects: KubeObject[] = [pod()]): Promise<FakeKubeApi> {
  api = await startFakeKubeApi({ objects, podLogs: { [KEY]: log } });
  return api;
}

/** An open follow read: the text received so far, a wait for more, and the end of the response. */
interface FollowRead {
  readonly status: number;
  text(): string;
  /** resolves once the text received contains `part` */
  received(part: string): Promise<void>;
  /** resolves with the whole text once the response ended */
  readonly ended: Promise<string>;
}

async function follow(fake: FakeKubeApi, query = ''): Promise<FollowRead> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    httpsGet(
      `${fake.url}/api/v1/namespaces/${NS}/pods/${POD}/log?follow=true${query}`,
      { ca: fake.caPem, headers: { Authorization: `Bearer ${fake.token}` } },
      resolve,
    ).on('error', reject);
  });
  let text = '';
  const waiters: { part: string; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters])
      if (text.includes(w.part)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  const ended = new Promise<string>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      check();
    });
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
  return {
    status: res.statusCode ?? 0,
    text: () => text,
    received: (part) =>
      new Promise<void>((resolve) => {
        waiters.push({ part, resolve });
        check();
      }),
    ended,
  };
}

describe('pod log follow=true', () => {
  it('sends the current lines, then lines appended after the request started, and ends on endPodLog', async () => {
    const fake = await started();
    const read = await follow(fake);
    expect(read.status).toBe(200);
    await read.received('line 2\n');

    fake.appendPodLog(KEY, 'line 3');
    await read.received('line 3\n');
    expect(read.text()).toBe('line 1\nline 2\nline 3\n');

    fake.appendPodLog(KEY, 'FLEETDNS-RESULT 1/1 abc\n');
    fake.endPodLog(KEY);
    expect(await read.ended).toBe('line 1\nline 2\nline 3\nFLEETDNS-RESULT 1/1 abc\n');
    const logged = fake.requests.find((r) => r.path.endsWith('/log'));
    expect(logged).toMatchObject({ status: 200, query: { follow: 'true' } });
  });

  it('returns at once, with the whole log, when the log has already ended (client-node read)', async () => {
    const fake = await started();
    fake.endPodLog(`${KEY}/node-agent`);
    const kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);

    const log = await core.readNamespacedPodLog({ name: POD, namespace: NS, follow: true });

    expect(log).toBe('line 1\nline 2\n');
  });

  it('ends when the pod object is removed', async () => {
    const fake = await started();
    const read = await follow(fake);
    await read.received('line 2\n');

    fake.store.delete(fake.store.resourceFor('v1', 'Pod'), NS, POD);

    expect(await read.ended).toBe('line 1\nline 2\n');
  });

  it('stops at limitBytes, counting the lines sent first and those appended', async () => {
    const fake = await started();
    const read = await follow(fake, '&limitBytes=20');
    await read.received('line 2\n'); // 14 bytes so far

    fake.appendPodLog(KEY, 'line 3 is longer than the rest');

    expect(await read.ended).toBe('line 1\nline 2\nline 3');
  });

  it('a first part already at limitBytes ends the response at once', async () => {
    const fake = await started();
    const read = await follow(fake, '&limitBytes=4');
    expect(await read.ended).toBe('line');
  });

  it('shapes the first part with tailLines and stamps appended lines with timestamps=true', async () => {
    const fake = await started('old 1\nold 2\nold 3\n');
    const read = await follow(fake, '&tailLines=1&timestamps=true');
    await read.received('old 3\n');
    expect(read.text()).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z old 3\n$/);

    fake.appendPodLog(KEY, 'new 1');
    fake.endPodLog(KEY);

    const text = await read.ended;
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\S+ /, '')),
    ).toEqual(['old 3', 'new 1']);
  });

  it('ends when the server stops', async () => {
    const fake = await started();
    const read = await follow(fake);
    await read.received('line 2\n');

    await fake.stop();
    api = undefined;

    expect(await read.ended.catch(() => read.text())).toBe('line 1\nline 2\n');
  });

  it('answers an unknown container with 400 before streaming anything', async () => {
    const fake = await started();
    const read = await follow(fake, '&container=nope');
    expect(read.status).toBe(400);
    expect(JSON.parse(await read.ended)).toMatchObject({
      kind: 'Status',
      code: 400,
      message: `container nope is not valid for pod ${POD}`,
    });
  });
});
