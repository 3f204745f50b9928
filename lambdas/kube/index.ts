/**
 * Kubernetes adapters: a cluster API client from an EKS token + endpoint + CA, and the
 * Kubernetes facts of the network snapshot (CoreDNS pods behind kube-dns, nodes, the Corefile's
 * root-zone forwarders), and the runner's Jobs and results: where they stand (dispatch) and
 * what their pod logs carry (collect); onboarding applied with an admin kubeconfig (onboard).
 */
export * from './client/index.js';
export * from './collect/index.js';
export * from './dispatch/index.js';
export * from './facts/index.js';
export * from './manifests/index.js';
export * from './onboard/index.js';
export * from './scan/index.js';
export { firstDifference } from './first-difference.js';
export { KubeAccessError, KubeAdapterError, toKubeAccessError } from './errors.js';
export type { KubeAccessFailure } from './errors.js';
