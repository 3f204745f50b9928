/**
 * Pure evaluators of the in-cluster checks the runner computes from Kubernetes objects, pod
 * logs, probe outcomes and node counters: K8S-DNS-SERVICE, K8S-DNS-ENDPOINTS, K8S-COREDNS-PODS,
 * K8S-KUBE-PROXY, K8S-COREDNS-COREFILE, K8S-NETWORKPOLICY-DNS, K8S-COREDNS-RESOURCES, NODE-LINKLOCAL-ALLOWANCE,
 * NODE-CONNTRACK-ALLOWANCE.
 * (DNS-UPSTREAM-METRICS lives in ../metrics.) The runner does the I/O and hands the results here.
 */
export { evaluateDnsService } from './evaluate-dns-service.js';
export type { DnsServiceInput } from './evaluate-dns-service.js';
export { evaluateDnsEndpoints } from './evaluate-dns-endpoints.js';
export type { DnsEndpointsInput } from './evaluate-dns-endpoints.js';
export { evaluateCorednsPods } from './evaluate-coredns-pods.js';
export type { CorednsPodsInput } from './evaluate-coredns-pods.js';
export { evaluateCorednsResources } from './evaluate-coredns-resources.js';
export type { CorednsResourcesInput, ContainerCpuThrottling } from './evaluate-coredns-resources.js';
export {
  evaluateKubeProxy,
  scanKubeProxyLog,
  kubeProxyMode,
  KUBE_PROXY_LOG_PATTERNS,
} from './evaluate-kube-proxy.js';
export type { KubeProxyInput, KubeProxyLog, KubeProxyLogPattern } from './evaluate-kube-proxy.js';
export { evaluateCorefile, planForwarderProbes } from './evaluate-corefile.js';
export type {
  CorefileCheckInput,
  CorednsPodTarget,
  ForwarderProbe,
  ForwarderProbeResult,
  PlanForwarderProbesOptions,
} from './evaluate-corefile.js';
export { evaluateLinklocalAllowance, evaluateConntrackAllowance } from './evaluate-node-allowances.js';
export type { NodeAllowancesInput } from './evaluate-node-allowances.js';
export {
  evaluateNetworkPolicies,
  policyRestrictsEgress,
  policySelectsPod,
  workloadOf,
  NAMESPACE_NAME_LABEL,
  NODELOCAL_DEFAULT_ADDRESS,
} from './evaluate-network-policies.js';
export type { NetworkPoliciesInput } from './evaluate-network-policies.js';
export { nodeLocalBindAddress, NODELOCAL_NAME } from './nodelocal-address.js';
export {
  COREDNS_NAME,
  COREDNS_POD_SELECTOR,
  KUBE_DNS_SERVICE,
  KUBE_DNS_SLICE_SELECTOR,
  KUBE_SYSTEM_NAMESPACE,
} from './kube-dns-names.js';
export { apiFailureReason, isNotFound } from './api-failure.js';
export type { ApiFailure, ApiRead } from './api-failure.js';
export {
  selectorMatches,
  requirementMatches,
  daemonPodFitsNode,
  podIsReady,
  nodeIsReady,
  parseQuantity,
  timestampMs,
  timestampText,
} from './kube-objects.js';
export type * from './kube-objects.js';
