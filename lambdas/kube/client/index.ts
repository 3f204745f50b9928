export { createKubeClient } from './create-kube-client.js';
export type { KubeApis, KubeClientFactory, KubeConnection } from './create-kube-client.js';
