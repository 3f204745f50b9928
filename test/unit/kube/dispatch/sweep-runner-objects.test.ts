/**
 * sweepRunnerObjects against the fake Kubernetes API over TLS: old fleet-dns Jobs (with their
 * pods) and Secrets go; young ones, and objects without the managed-by label, stay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KubeAccessError, sweepRunnerObjects } from '../../../../lambdas/kube/index.js';
import type { KubeObject } from '../../../../lab/fake-kube-api/index.js';
import { NS, startRunnerCluster } from '../support/runner-cluster.js';
import type { RunnerCluster } from '../support/runner-cluster.js';

let cluster: RunnerCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const NOW = new Date('2026-03-01T12:00:00Z');
const managed = { 'app.kubernetes.io/managed-by': 'fleet-dns', 'fleet-dns.io/scan-id': 'scan-old' };
const at = (iso: string) => ({ creationTimestamp: iso, namespace: NS });

const secret = (name: string, created: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...at(created), ...(labels ? { labels } : {}) },
  data: { k: 'dg==' },
});
const job = (name: string, created: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, uid: `uid-${name}`, ...at(created), ...(labels ? { labels } : {}) },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
});
const podOf = (jobName: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `${jobName}-abcde`,
    namespace: NS,
    labels: managed,
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: `uid-${jobName}` }],
  },
  spec: { containers: [{ name: 'c', image: 'i' }] },
});

const names = (c: RunnerCluster) =>
  c.api.store
    .all()
    .filter((o) => o.metadata.namespace === NS)
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();

describe('sweepRunnerObjects', () => {
  it('deletes old labelled Jobs (and their pods) and Secrets; young and unlabelled ones survive', async () => {
    const c = (cluster = await startRunnerCluster({
      objects: [
        job('old-job', '2026-03-01T09:00:00Z', managed),
        podOf('old-job'),
        job('young-job', '2026-03-01T11:50:00Z', managed),
        secret('old-secret', '2026-03-01T09:00:00Z', managed),
        secret('young-secret', '2026-03-01T11:59:00Z', managed),
        secret('someone-elses-secret', '2020-01-01T00:00:00Z'),
        job('someone-elses-job', '2020-01-01T00:00:00Z', { 'app.kubernetes.io/managed-by': 'helm' }),
      ],
    }));

    const swept = await sweepRunnerObjects({ apis: c.apis, namespace: NS, olderThanSeconds: 3600, now: NOW });

    expect(swept).toEqual({ jobs: ['old-job'], secrets: ['old-secret'] });
    expect(names(c)).toEqual([
      'Job/someone-elses-job',
      'Job/young-job',
      'Secret/someone-elses-secret',
      'Secret/young-secret',
    ]);
    const deletes = c.api.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => `${r.path}?${r.query.propagationPolicy ?? ''}`)).toEqual([
      `/apis/batch/v1/namespaces/${NS}/jobs/old-job?Background`,
      `/api/v1/namespaces/${NS}/secrets/old-secret?`,
    ]);
  });

  it('403 on listing Secrets → KubeAccessError naming list secrets', async () => {
    const c = (cluster = await startRunnerCluster({
      faults: [{ path: `^/api/v1/namespaces/${NS}/secrets$`, method: 'GET', status: 403 }],
    }));
    const err = await sweepRunnerObjects({
      apis: c.apis,
      namespace: NS,
      olderThanSeconds: 60,
      now: NOW,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeAccessError);
    expect((err as Error).message).toMatch(/^list secrets in namespace fleet-dns: HTTP 403/);
  });
});
