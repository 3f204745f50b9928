/**
 * EKS-COMPUTE-MODE end to end: the fake Kubernetes API (TLS, bearer token) serving a Fargate-only
 * cluster and a Cilium kube-proxy-free one, read by the collector's facts reader, put into a
 * snapshot, audited, and merged with the in-cluster results as StoreResult does
 * (buildClusterResult): the checks that do not apply come out SKIPPED with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubeApi } from '../../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../../../../lab/fake-kube-api/index.js';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { auditNetworkSnapshot } from '../../../../lambdas/core/checks/aws/index.js';
import { buildClusterResult } from '../../../../lambdas/core/results/index.js';
import { combineRunnerResults } from '../../../../lambdas/core/runner-results/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import { createKubeClient, readKubernetesFacts } from '../../../../lambdas/kube/index.js';
import { fixtureJson } from '../../core/checks/aws/fixtures.js';

const apis: FakeKubeApi[] = [];
afterEach(async () => {
  while (apis.length > 0) await apis.pop()?.stop();
});

/** A node as the kubelet registers it; Fargate nodes carry the compute-type label and taint. */
function nodeObject(name: string, ip: string, zone: string, labels: Record<string, string>): KubeObject {
  const fargate = labels['eks.amazonaws.com/compute-type'] === 'fargate';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': zone,
        ...labels,
      },
    },
    spec: {
      providerID: fargate
        ? `aws:///${zone}/0b2a7d1e-7c1f-4a1c-9f4e-${ip.replaceAll('.', '').padStart(12, '0')}/${name}`
        : `aws:///${zone}/i-0a1b2c3d4e5f${ip.split('.').pop()?.padStart(5, '0')}`,
      ...(fargate && {
        taints: [{ key: 'eks.amazonaws.com/compute-type', value: 'fargate', effect: 'NoSchedule' }],
      }),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

function kubeDnsSlice(endpoints: { pod: string; ip: string; node: string; zone: string }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kube-dns-x7k2p',
      namespace: 'kube-system',
      labels: {
        'kubernetes.io/service-name': 'kube-dns',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: e.node,
      zone: e.zone,
      targetRef: { kind: 'Pod', name: e.pod, namespace: 'kube-system' },
    })),
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
  };
}

const daemonSet = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': name } },
  spec: {
    selector: { matchLabels: { 'k8s-app': name } },
    template: {
      metadata: { labels: { 'k8s-app': name } },
      spec: { containers: [{ name, image }] },
    },
  },
});

/** Reads the cluster through the fake API and audits the snapshot built from what was read. */
async function auditThroughFakeApi(objects: KubeObject[]) {
  const api = await startFakeKubeApi({ objects });
  apis.push(api);
  const kube = createKubeClient({
    server: api.url,
    caData: Buffer.from(api.caPem, 'utf8').toString('base64'),
    token: api.token,
    timeoutMs: 5_000,
  });
  const { facts, errors } = await readKubernetesFacts(kube);
  const json = fixtureJson('01-healthy-baseline');
  json.kubernetes = facts;
  json.collectionErrors = errors;
  json.cluster.computeConfig = { enabled: false };
  const checks = auditNetworkSnapshot(parseNetworkSnapshot(json));
  return { checks, facts, api };
}

const IDENTITY = { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' };
const FARGATE_A = 'fargate-ip-10-0-12-34.eu-west-1.compute.internal';
const FARGATE_B = 'fargate-ip-10-0-44-5.eu-west-1.compute.internal';

describe('EKS-COMPUTE-MODE through the fake Kubernetes API', () => {
  it('a Fargate-only cluster: PASS naming Fargate; the NODE-* checks (node agents cannot run there) SKIPPED with the reason', async () => {
    const fargate = {
      'eks.amazonaws.com/compute-type': 'fargate',
      'eks.amazonaws.com/fargate-profile': 'kube-system',
    };
    const { checks, facts } = await auditThroughFakeApi([
      nodeObject(FARGATE_A, '10.0.12.34', 'eu-west-1a', fargate),
      nodeObject(FARGATE_B, '10.0.44.5', 'eu-west-1b', fargate),
      nodeObject('fargate-ip-10-0-70-9.eu-west-1.compute.internal', '10.0.70.9', 'eu-west-1c', {
        ...fargate,
        'eks.amazonaws.com/fargate-profile': 'apps',
      }),
      kubeDnsSlice([
        { pod: 'coredns-6f7c9d8b5-4kq2x', ip: '10.0.12.34', node: FARGATE_A, zone: 'eu-west-1a' },
        { pod: 'coredns-6f7c9d8b5-n8v7r', ip: '10.0.44.5', node: FARGATE_B, zone: 'eu-west-1b' },
      ]),
    ]);
    expect(facts.nodes.map((n) => n.labels)).toEqual([
      { 'eks.amazonaws.com/compute-type': 'fargate' },
      { 'eks.amazonaws.com/compute-type': 'fargate' },
      { 'eks.amazonaws.com/compute-type': 'fargate' },
    ]);
    const mode = checks.find((c) => c.id === 'EKS-COMPUTE-MODE')!;
    expect(mode.status).toBe('PASS');
    expect(mode.evidence.summary).toBe('Fargate (3 node(s)); no kube-proxy DaemonSet');

    // What the collector hands StoreResult for such a cluster: the node agents never ran.
    const inCluster = combineRunnerResults(undefined, [], {
      probe: 'the probe ran, not under test here',
      nodes: [FARGATE_A, FARGATE_B].map((node) => ({
        node,
        reason: `node agent pod Pending: 0/1 nodes are available: 1 node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}`,
      })),
    }).filter((c) => c.id.startsWith('NODE-'));
    expect(inCluster.map((c) => c.status)).toEqual(['ERROR', 'ERROR']);

    const result = buildClusterResult(IDENTITY, [...checks, ...inCluster]);
    for (const id of ['NODE-LINKLOCAL-ALLOWANCE', 'NODE-CONNTRACK-ALLOWANCE']) {
      const r = result.checks.find((c) => c.id === id)!;
      expect(r.status, id).toBe('SKIPPED');
      expect(r.evidence.reason).toBe(
        `CoreDNS runs on Fargate on ${FARGATE_A}, ${FARGATE_B}: no node agent runs on a Fargate node, so its ENA counters cannot be read`,
      );
    }
    expect(result.diagnosis.flatMap((d) => d.checks)).not.toContain('NODE-LINKLOCAL-ALLOWANCE');
  });

  it('managed node groups with Cilium replacing kube-proxy: PASS naming it; K8S-KUBE-PROXY SKIPPED instead of FAIL', async () => {
    const nodes = [
      ['ip-10-0-1-10.eu-west-1.compute.internal', '10.0.1.10', 'eu-west-1a', 'general'],
      ['ip-10-0-33-10.eu-west-1.compute.internal', '10.0.33.10', 'eu-west-1b', 'general'],
      ['ip-10-0-65-10.eu-west-1.compute.internal', '10.0.65.10', 'eu-west-1c', 'spot'],
    ] as const;
    const { checks, facts, api } = await auditThroughFakeApi([
      ...nodes.map(([name, ip, zone, group]) =>
        nodeObject(name, ip, zone, {
          'eks.amazonaws.com/nodegroup': group,
          'eks.amazonaws.com/capacityType': group === 'spot' ? 'SPOT' : 'ON_DEMAND',
        }),
      ),
      kubeDnsSlice([
        { pod: 'coredns-787cb67946-2xk8p', ip: '10.0.1.23', node: nodes[0][0], zone: 'eu-west-1a' },
        { pod: 'coredns-787cb67946-9qwzt', ip: '10.0.33.23', node: nodes[1][0], zone: 'eu-west-1b' },
      ]),
      daemonSet('cilium', 'quay.io/cilium/cilium:v1.16.5'),
      daemonSet('cilium-envoy', 'quay.io/cilium/cilium-envoy:v1.30.8'),
      daemonSet(
        'kube-proxy',
        '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.0-eksbuild.2',
      ),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cilium-config', namespace: 'kube-system' },
        data: {
          'kube-proxy-replacement': 'true',
          ipam: 'eni',
          'routing-mode': 'native',
          'enable-ipv4': 'true',
        },
      },
    ]);
    expect(facts.daemonSets).toEqual(['cilium', 'cilium-envoy', 'kube-proxy']);
    expect(api.requests.map((r) => r.path)).toContain(
      '/api/v1/namespaces/kube-system/configmaps/cilium-config',
    );
    const mode = checks.find((c) => c.id === 'EKS-COMPUTE-MODE')!;
    expect(mode.evidence.summary).toBe(
      'managed node group general (2 node(s)), managed node group spot (1 node(s)); kube-proxy replaced by Cilium',
    );

    // kube-proxy left behind during a migration to Cilium, its pods crash-looping: not the data path.
    const proxy = makeResult('K8S-KUBE-PROXY', {
      status: 'FAIL',
      evidence: {
        summary:
          'kube-proxy kube-proxy-7xq9z on node ip-10-0-1-10.eu-west-1.compute.internal is not ready (CrashLoopBackOff)',
        resources: ['kube-proxy-7xq9z'],
      },
    });
    const result = buildClusterResult(IDENTITY, [...checks, proxy]);
    expect(result.checks.find((c) => c.id === 'K8S-KUBE-PROXY')).toMatchObject({
      status: 'SKIPPED',
      evidence: {
        reason:
          'kube-proxy does not apply: Services are handled by Cilium (ConfigMap kube-system/cilium-config has kube-proxy-replacement: "true")',
        notApplicable: { status: 'FAIL' },
      },
    });
    expect(result.diagnosis.map((d) => d.cause)).not.toContain('kube-proxy');
  });
});
