/**
 * A loopback stand-in for the DNS data path, shared by the runner's integration tests: the fake
 * Kubernetes API (TLS, bearer token) serves kube-dns, its EndpointSlice and the kubernetes
 * Service; real DNS servers on 127.0.0.x play the ClusterIP and two CoreDNS pods.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startFakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, KubeObject } from '../../../lab/fake-kube-api/index.js';
import { startTestDnsServer } from './dns-test-server.js';
import type { TestDnsServer, TestDnsServerOptions } from './dns-test-server.js';

export const CLUSTER_IP = '127.0.0.10';
export const POD_A = '127.0.0.11';
export const POD_B = '127.0.0.12';
export const KUBERNETES_IP = '198.18.0.42';

export function objects(extra: KubeObject[] = []): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        clusterIP: CLUSTER_IP,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { clusterIP: KUBERNETES_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kube-dns-abcde',
        namespace: 'kube-system',
        labels: { 'kubernetes.io/service-name': 'kube-dns' },
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: [POD_A],
          conditions: { ready: true },
          nodeName: 'node-2',
          targetRef: { kind: 'Pod', name: 'coredns-a', namespace: 'kube-system' },
        },
        {
          addresses: [POD_B],
          conditions: { ready: true },
          nodeName: 'node-2',
          targetRef: { kind: 'Pod', name: 'coredns-b', namespace: 'kube-system' },
        },
      ],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    },
    ...extra,
  ];
}

export interface Lab {
  dir: string;
  api: FakeKubeApi;
  kubeConfig: KubeConfig;
  port: number;
  resolvConf: string;
  servers: TestDnsServer[];
}

export async function startLab(
  behaviour: Partial<Record<string, TestDnsServerOptions>> = {},
  extraObjects: KubeObject[] = [],
): Promise<Lab> {
  const first = await startTestDnsServer({
    host: CLUSTER_IP,
    address: KUBERNETES_IP,
    ...behaviour[CLUSTER_IP],
  });
  const servers = [first];
  for (const host of [POD_A, POD_B])
    servers.push(
      await startTestDnsServer({ host, port: first.port, address: KUBERNETES_IP, ...behaviour[host] }),
    );
  const api = await startFakeKubeApi({ objects: objects(extraObjects) });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(api.kubeconfig());
  const dir = mkdtempSync(join(tmpdir(), 'fleet-dns-probe-'));
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(
    resolvConf,
    `search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${CLUSTER_IP}\noptions ndots:5\n`,
  );
  return { api, kubeConfig, port: first.port, resolvConf, servers, dir };
}

export async function stopLab(lab: Lab): Promise<void> {
  await Promise.all(lab.servers.map((s) => s.close()));
  await lab.api.stop();
}
