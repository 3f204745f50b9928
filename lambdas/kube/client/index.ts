export { createKubeClient, kubeApiConfiguration } from './create-kube-client.js';
export type {
  KubeApis,
  KubeClientFactory,
  KubeConnection,
  KubeRequestOptions,
} from './create-kube-client.js';
export { runnerApis } from './runner-apis.js';
export type { RunnerApis } from './runner-apis.js';
export { KubeConfigError, loadKubeConfig } from './load-kube-config.js';
export { kubeconfigTokenProvider } from './kubeconfig-token.js';
export type { KubeconfigTokenProvider, KubeconfigTokenTarget } from './kubeconfig-token.js';
export type { LoadKubeConfigInput } from './load-kube-config.js';
