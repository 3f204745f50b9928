export { createKubeClient } from './create-kube-client.js';
export type { KubeApis, KubeClientFactory, KubeConnection } from './create-kube-client.js';
export { runnerApis } from './runner-apis.js';
export type { RunnerApis } from './runner-apis.js';
