/** readScanResultKey against the fake Kubernetes API over TLS: the key back, absent, refused. */
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchRunner, KubeAccessError, readScanResultKey } from '../../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  KEY,
  NS,
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

describe('readScanResultKey', () => {
  it("reads back the key the dispatch put in the scan's Secret", async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    await dispatchRunner({
      apis: c.apis,
      scanId: SCAN,
      clusterId: CLUSTER,
      corednsPods: CORE_DNS_PODS,
      settings: SETTINGS,
      hmacKey: KEY,
    });
    expect(await readScanResultKey({ apis: c.apis, scanId: SCAN, namespace: NS })).toBe(KEY);
  });

  it('no Secret (not dispatched, or collected) → undefined', async () => {
    const c = (cluster = await startRunnerCluster());
    expect(await readScanResultKey({ apis: c.apis, scanId: SCAN, namespace: NS })).toBeUndefined();
  });

  it('403 → KubeAccessError naming the read', async () => {
    const c = (cluster = await startRunnerCluster({
      faults: [{ path: `^/api/v1/namespaces/${NS}/secrets/`, method: 'GET', status: 403 }],
    }));
    const err = await readScanResultKey({ apis: c.apis, scanId: SCAN, namespace: NS }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeAccessError);
    expect(err).toMatchObject({ failure: 'forbidden', what: `get secrets ${NS}/fleet-dns-scan-7` });
  });
});
