/**
 * dispatchRunner against the fake Kubernetes API over TLS: the objects it creates (read from the
 * server's store), idempotence on a second dispatch (409 → read back, same → nothing new), a
 * different object in the way, and a 403 naming the verb and resource.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import {
  buildProbeJob,
  dispatchRunner,
  KubeAccessError,
  nodeAgentJobName,
  probeJobName,
  RunnerDispatchError,
  scanSecretName,
} from '../../../../lambdas/kube/index.js';
import type { KubeObject } from '../../../../lab/fake-kube-api/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  requestCounts,
  SCAN,
  SETTINGS,
  startRunnerCluster,
} from '../support/runner-cluster.js';
import type { RunnerCluster } from '../support/runner-cluster.js';

let cluster: RunnerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const dispatch = (c: RunnerCluster, over: Partial<Parameters<typeof dispatchRunner>[0]> = {}) =>
  dispatchRunner({
    apis: c.apis,
    scanId: SCAN,
    clusterId: CLUSTER,
    corednsPods: CORE_DNS_PODS,
    settings: SETTINGS,
    hmacKey: KEY,
    ...over,
  });

const EXPECTED = [
  `Job/${nodeAgentJobName(SCAN, NODE_A)}`,
  `Job/${nodeAgentJobName(SCAN, NODE_B)}`,
  `Job/${probeJobName(SCAN)}`,
  `Secret/${scanSecretName(SCAN)}`,
].sort();

describe('dispatchRunner', () => {
  it('creates the Secret, one node agent per CoreDNS node and the probe — nothing else', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    c.mark();
    const out = await dispatch(c);

    expect(out.created.slice().sort()).toEqual(EXPECTED);
    expect(out.existing).toEqual([]);
    expect(out.labelSelector).toBe(
      'app.kubernetes.io/managed-by=fleet-dns,app.kubernetes.io/name=fleet-dns-runner,fleet-dns.io/scan-id=scan-7',
    );
    expect(out.nodeAgentJobs.map((n) => n.node)).toEqual([NODE_A, NODE_B]);
    // the store: exactly these (plus the pods the fake controller made for the Jobs)
    expect(c.scanObjects().filter((o) => !o.startsWith('Pod/'))).toEqual(EXPECTED);
    const secret = c.api.store.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: NS,
      name: scanSecretName(SCAN),
    });
    expect(
      Buffer.from((secret?.data as Record<string, string>)['result-key'] ?? '', 'base64').toString(),
    ).toBe(KEY);
    const jobB = c.api.store.get({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: NS,
      name: nodeAgentJobName(SCAN, NODE_B),
    }) as KubeObject & { spec: { template: { spec: { nodeName: string; tolerations: unknown[] } } } };
    expect(jobB.spec.template.spec.nodeName).toBe(NODE_B);
    expect(jobB.spec.template.spec.tolerations).toEqual(CORE_DNS_PODS[1]?.tolerations);
    const jobA = c.api.store.get({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: NS,
      name: nodeAgentJobName(SCAN, NODE_A),
    }) as KubeObject & { spec: { template: { spec: { tolerations: unknown[] } } } };
    // coredns-a and coredns-c share node A and a toleration: it is there once
    expect(jobA.spec.template.spec.tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }]);
    expect(requestCounts(c.since())).toEqual({ 'POST secrets': 1, 'POST jobs': 3 });
  });

  it('dispatching twice creates nothing new: 409s read back, found identical', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    await dispatch(c);
    const uids = c.api.store
      .all()
      .map((o) => o.metadata.uid)
      .sort();
    c.mark();

    const again = await dispatch(c);

    expect(again.created).toEqual([]);
    expect(again.existing.slice().sort()).toEqual(EXPECTED);
    expect(
      c.api.store
        .all()
        .map((o) => o.metadata.uid)
        .sort(),
    ).toEqual(uids);
    expect(requestCounts(c.since())).toEqual({
      'POST secrets → 409': 1,
      'GET secrets': 1,
      'POST jobs → 409': 3,
      'GET jobs': 3,
    });
  });

  it('a different object under the same name → an error naming it and the difference', async () => {
    const other = buildProbeJob({
      scanId: SCAN,
      clusterId: CLUSTER,
      settings: { ...SETTINGS, image: 'example.invalid/fleet-dns-runner:0.9.0' },
    }) as unknown as KubeObject;
    const c = (cluster = await startRunnerCluster({ objects: [other], complete: false }));

    const err = await dispatch(c).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RunnerDispatchError);
    expect((err as Error).message).toBe(
      `Job ${NS}/${probeJobName(SCAN)} already exists and differs from this scan's ` +
        '(at template.spec.containers[0].image); an earlier scan with the same id left it, or someone ' +
        'changed it — delete it or use a new scan id',
    );
  });

  it("a Secret with another key under the scan's name → an error naming the Secret", async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    await dispatch(c);
    const err = await dispatch(c, { hmacKey: 'another-key-0123456789abcdef' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunnerDispatchError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^Secret ${NS}/${scanSecretName(SCAN)} already exists and differs from this scan's \\(at data\\.result-key\\)`,
      ),
    );
  });

  it('403 on creating Jobs → KubeAccessError naming create jobs', async () => {
    const c = (cluster = await startRunnerCluster({
      faults: [{ path: `^/apis/batch/v1/namespaces/${NS}/jobs$`, method: 'POST', status: 403 }],
    }));

    const err = await dispatch(c).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(KubeAccessError);
    expect(err).toMatchObject({
      failure: 'forbidden',
      what: `create jobs in namespace ${NS}`,
      httpStatus: 403,
    });
    expect((err as Error).message).toMatch(/^create jobs in namespace fleet-dns: HTTP 403: /);
  });

  it('works from a kubeconfig too', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const kc = new KubeConfig();
    kc.loadFromString(c.api.kubeconfig());
    const out = await dispatch(c, { apis: kc });
    expect(out.created.slice().sort()).toEqual(EXPECTED);
  });
});
