/**
 * Round trip: mocked AWS (real-shaped responses) + the fake Kubernetes API over TLS →
 * collectRegion → the snapshot as a saved file would hold it → parseNetworkSnapshot →
 * auditNetworkSnapshot → the statuses checks.md predicts for each cluster's network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import { collectRegion, createEksToken } from '../../../lambdas/aws/index.js';
import type { RegionCollection } from '../../../lambdas/aws/index.js';
import { auditNetworkSnapshot } from '../../../lambdas/core/checks/aws/index.js';
import type { CheckResult } from '../../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../../lambdas/core/snapshot/index.js';
import { kubernetesReader } from '../../../lambdas/kube/index.js';
import {
  buildCluster,
  buildKubeObjects,
  buildVpc,
  FAKE_ACCESS_KEY_ID,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../../unit/aws/support/fake-aws.js';
import type { FakeAws } from '../../unit/aws/support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const NOW = new Date('2025-06-01T02:00:00Z');
const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

/** healthy: open paths. locked: subnet B's NACL denies inbound UDP/53 (a CoreDNS pod lives there). */
const healthyVpc = buildVpc({
  vpcId: 'vpc-healthy',
  octet: 1,
  accountId: ACCOUNT,
  region: REGION,
  clusters: [{ name: 'healthy', nodes: 3 }],
});
const lockedVpc = buildVpc({
  vpcId: 'vpc-locked',
  octet: 2,
  accountId: ACCOUNT,
  region: REGION,
  clusters: [
    { name: 'locked', nodes: 3 },
    { name: 'no-access', nodes: 2 },
  ],
  denyDnsUdpIntoSubnetB: true,
});

function statuses(checks: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(checks.map((c) => [c.id, c.status]));
}

describe('mocked AWS + fake Kubernetes API → snapshot → audit', () => {
  let aws: FakeAws;
  const apis: FakeKubeApi[] = [];
  let result: RegionCollection;

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    // The collector signs its EKS token with the environment's keys at NOW: each fake API expects exactly that token.
    const tokenFor = async (clusterName: string) =>
      (
        await createEksToken({
          clusterName,
          region: REGION,
          credentials: {
            accessKeyId: FAKE_ACCESS_KEY_ID,
            secretAccessKey: 'fake-secret-access-key-for-tests-only',
          },
          now: () => NOW,
        })
      ).token;
    const healthyApi = await startFakeKubeApi({
      objects: buildKubeObjects(healthyVpc, 'healthy'),
      token: await tokenFor('healthy'),
    });
    const lockedApi = await startFakeKubeApi({
      objects: buildKubeObjects(lockedVpc, 'locked'),
      token: await tokenFor('locked'),
    });
    // no-access: the API does not accept the scanner (no access entry) → 401.
    const noAccessApi = await startFakeKubeApi({
      objects: buildKubeObjects(lockedVpc, 'no-access'),
      token: 'someone-else',
    });
    apis.push(healthyApi, lockedApi, noAccessApi);

    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [healthyVpc, lockedVpc],
          clusters: [
            buildCluster({
              name: 'healthy',
              accountId: ACCOUNT,
              region: REGION,
              vpc: healthyVpc,
              endpoint: healthyApi.url,
              caData: base64(healthyApi.caPem),
            }),
            buildCluster({
              name: 'locked',
              accountId: ACCOUNT,
              region: REGION,
              vpc: lockedVpc,
              endpoint: lockedApi.url,
              caData: base64(lockedApi.caPem),
            }),
            buildCluster({
              name: 'no-access',
              accountId: ACCOUNT,
              region: REGION,
              vpc: lockedVpc,
              endpoint: noAccessApi.url,
              caData: base64(noAccessApi.caPem),
            }),
          ],
        },
      ],
      { currentAccountId: ACCOUNT, pageCap: 3 },
    );
    result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION },
      {
        now: () => NOW,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/fleet-dns-scanner`,
        kubernetes: { read: kubernetesReader({ timeoutMs: 5_000 }) },
      },
    );
  });
  afterAll(async () => {
    aws.restore();
    await Promise.all(apis.map((a) => a.stop()));
  });

  const audit = (name: string) => {
    const collected = result.clusters.find((c) => c.record.name === name);
    if (!collected) throw new Error(`${name} not collected`);
    // What `--save-snapshot` writes and `audit-network --snapshot` reads back.
    const reread = parseNetworkSnapshot(JSON.parse(JSON.stringify(collected.snapshot)));
    return { snapshot: reread, checks: auditNetworkSnapshot(reread) };
  };

  it('collects all three clusters with no coverage gap', () => {
    expect(result.gaps).toEqual([]);
    expect(result.clusters.map((c) => c.record.name)).toEqual(['healthy', 'locked', 'no-access']);
  });

  it('a healthy VPC passes every AWS-side check', () => {
    const { snapshot, checks } = audit('healthy');
    expect(snapshot.kubernetes?.dnsPods).toHaveLength(2);
    expect(snapshot.kubernetes?.nodes).toHaveLength(3);
    expect(statuses(checks)).toEqual({
      'NET-VPC-DNS-ATTRIBUTES': 'PASS',
      'NET-DHCP-OPTIONS': 'PASS',
      'NET-SG-DNS-UDP': 'PASS',
      'NET-SG-DNS-TCP': 'PASS',
      'NET-NACL-DNS-UDP': 'PASS',
      'NET-NACL-DNS-TCP': 'PASS',
      'NET-COREDNS-ENI-SPREAD': 'PASS',
      'NET-UPSTREAM-REACH': 'PASS',
      'EKS-COREDNS-ADDON': 'PASS',
      'EKS-ENDPOINT-ACCESS': 'PASS',
      'EKS-COMPUTE-MODE': 'PASS',
      // @2: the fake's VPC has no Resolver rule and no firewall group associated
      'NET-RESOLVER-RULES': 'PASS',
      'NET-DNS-FIREWALL': 'PASS',
    });
  });

  it('a NACL that denies UDP/53 into the CoreDNS subnet fails the UDP NACL check only', () => {
    const { checks } = audit('locked');
    const s = statuses(checks);
    expect(s['NET-NACL-DNS-UDP']).toBe('FAIL');
    expect(s['NET-NACL-DNS-TCP']).toBe('PASS');
    expect(s['NET-SG-DNS-UDP']).toBe('PASS');
    const nacl = checks.find((c) => c.id === 'NET-NACL-DNS-UDP');
    expect(JSON.stringify(nacl?.evidence)).toContain('acl-lockedb');
  });

  it('a cluster API that rejects the scanner: EKS-ENDPOINT-ACCESS says why, the AWS-only checks still run', () => {
    const { snapshot, checks } = audit('no-access');
    expect(snapshot.kubernetes?.access).toEqual({
      reachable: false,
      reason: expect.stringMatching(
        /HTTP 401.*create an EKS access entry for arn:aws:iam::111122223333:role\/fleet-dns-scanner/,
      ),
    });
    const s = statuses(checks);
    expect(s['EKS-ENDPOINT-ACCESS']).toBe('ERROR');
    for (const id of [
      'NET-SG-DNS-UDP',
      'NET-SG-DNS-TCP',
      'NET-NACL-DNS-UDP',
      'NET-NACL-DNS-TCP',
      'NET-COREDNS-ENI-SPREAD',
      'NET-UPSTREAM-REACH',
    ]) {
      expect(s[id], id).toBe('ERROR');
    }
    expect(s['NET-VPC-DNS-ATTRIBUTES']).toBe('PASS');
    expect(s['NET-DHCP-OPTIONS']).toBe('PASS');
    expect(s['EKS-COREDNS-ADDON']).toBe('PASS');
  });

  it('the cluster API was read with the in-process EKS token, read-only', () => {
    const [healthyApi] = apis;
    expect(healthyApi?.requests.every((r) => r.authenticated && r.method === 'GET')).toBe(true);
    expect(healthyApi?.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/namespaces/kube-system/configmaps/coredns',
      // @2: the kube-system pods' images (their registries are names the cluster needs)
      '/api/v1/namespaces/kube-system/pods',
      '/api/v1/nodes',
      // EKS-COMPUTE-MODE: kube-proxy and a CNI replacing it (no cilium here: no cilium-config read)
      '/apis/apps/v1/namespaces/kube-system/daemonsets',
      '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices',
    ]);
  });
});
