/**
 * A kubeconfig as `aws eks update-kubeconfig` writes it — clusters, users and contexts named by
 * the EKS cluster ARN — for fake APIs, with each API's static token as the user: what
 * `fleet-dns scan --kubeconfig` reads in tests and benchmarks.
 */
import type { FakeKubeApi } from './server.js';

/** One cluster of the kubeconfig: its ARN and the fake API serving it. */
export interface EksKubeconfigCluster {
  readonly arn: string;
  readonly api: Pick<FakeKubeApi, 'url' | 'caPem' | 'token'>;
}

/** The kubeconfig document (JSON is YAML): current context the first cluster's. */
export function eksKubeconfig(clusters: readonly EksKubeconfigCluster[]): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map(({ arn, api }) => ({
      name: arn,
      cluster: { server: api.url, 'certificate-authority-data': b64(api.caPem) },
    })),
    users: clusters.map(({ arn, api }) => ({ name: arn, user: { token: api.token } })),
    contexts: clusters.map(({ arn }) => ({ name: arn, context: { cluster: arn, user: arn } })),
    'current-context': clusters[0]?.arn ?? '',
  });
}
