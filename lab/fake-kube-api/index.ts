/**
 * The fake Kubernetes API server shared by every test, the demo and the netns lab.
 * @see ./README.md
 */
export { startFakeKubeApi } from './server.js';
export { eksKubeconfig } from './eks-kubeconfig.js';
export type { EksKubeconfigCluster } from './eks-kubeconfig.js';
export type { FakeKubeApi, FakeKubeApiOptions, KubeconfigOptions } from './server.js';
export { ObjectStore } from './store.js';
export type { DeleteSettings, ListFilter, PropagationPolicy, StoreEvent } from './store.js';
export { DEFAULT_RESOURCES, ResourceRegistry } from './resources.js';
export type { ResourceDefinition } from './resources.js';
export { parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields } from './selectors.js';
export type { LabelRequirement, FieldRequirement } from './selectors.js';
export { applyJsonPatch, applyMergePatch } from './patch.js';
export { FakeKubeApiError, InvalidObjectError, KubeStatusError } from './errors.js';
export type { StatusReason, StatusDetails } from './errors.js';
export type { FaultRule, KubeObject, KubeObjectMeta, ObjectRef, RequestLog, WatchEvent } from './types.js';
