/**
 * The runner's Kubernetes-object checks (K8S-DNS-SERVICE, K8S-DNS-ENDPOINTS, K8S-COREDNS-PODS,
 * K8S-KUBE-PROXY, K8S-COREDNS-COREFILE, DNS-UPSTREAM-METRICS, K8S-NETWORKPOLICY-DNS) through the read-only
 * ServiceAccount, with @kubernetes/client-node 1.x's object-parameter API.
 */
export { runKubeChecks } from './run-kube-checks.js';
export type { RunKubeChecksInputs } from './run-kube-checks.js';
export { readApi, toApiFailure, selectorString, timeoutOptions } from './read-api.js';
export type { ReadTarget } from './read-api.js';
export { KubeChecksError } from './errors.js';
