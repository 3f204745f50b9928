export { describeAccessFailure } from './access-reason.js';
export type { ClusterAccessContext } from './access-reason.js';
export { rootZoneUpstreams } from './corefile-upstreams.js';
export { dnsPodsFromEndpointSlices, nodeFact, readKubernetesFacts } from './read-kubernetes-facts.js';
export type {
  KubernetesFacts,
  KubernetesFactsResult,
  ReadKubernetesFactsOptions,
} from './read-kubernetes-facts.js';
export { kubernetesReader, readClusterKubernetes } from './read-cluster-kubernetes.js';
export type { ReadClusterKubernetesOptions } from './read-cluster-kubernetes.js';
