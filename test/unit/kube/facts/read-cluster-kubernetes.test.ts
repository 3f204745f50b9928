/** The kube side of the hand-off: values in (endpoint, CA, token), the snapshot's Kubernetes block out. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { ClusterApiAccess } from '../../../../lambdas/core/snapshot/index.js';
import { readClusterKubernetes } from '../../../../lambdas/kube/index.js';
import { buildKubeObjects, buildVpc } from '../../aws/support/fake-aws.js';

const vpc = buildVpc({
  vpcId: 'vpc-h',
  octet: 81,
  accountId: '111122223333',
  region: 'eu-west-1',
  clusters: [{ name: 'h', nodes: 2 }],
});

describe('readClusterKubernetes', () => {
  let api: FakeKubeApi;
  const access = (token: string): ClusterApiAccess => ({
    clusterName: 'h',
    endpoint: api.url,
    caData: Buffer.from(api.caPem, 'utf8').toString('base64'),
    token,
    ipFamily: 'ipv4',
    endpointPublicAccess: true,
    endpointPrivateAccess: true,
    principalArn: 'arn:aws:iam::111122223333:role/fleet-dns-scanner',
  });
  beforeAll(async () => {
    api = await startFakeKubeApi({ objects: buildKubeObjects(vpc, 'h') });
  });
  afterAll(() => api.stop());

  it('reads the facts with the values it is handed', async () => {
    const { block, errors } = await readClusterKubernetes(access(api.token), { timeoutMs: 5_000 });
    expect(block.access).toEqual({ reachable: true });
    expect('dnsPods' in block ? block.dnsPods : []).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('turns a refused token into reachable: false with the reason naming the principal, never a rejection', async () => {
    const { block } = await readClusterKubernetes(access('k8s-aws-v1.not-the-token'), { timeoutMs: 5_000 });
    const { reachable, reason } = block.access as { reachable: boolean; reason?: string };
    expect(reachable).toBe(false);
    expect(reason).toContain('arn:aws:iam::111122223333:role/fleet-dns-scanner');
  });
});
