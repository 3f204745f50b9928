export { assembleSnapshot } from './assemble-snapshot.js';
export type { SnapshotParts } from './assemble-snapshot.js';
export type { KubernetesBlock } from '../../core/snapshot/index.js';
export { orCollectionError } from './or-collection-error.js';
// The call → checks table is core's (one copy, shared with the audit); re-exported for the collectors' callers.
export { CHECKS_FED_BY, collectionError } from '../../core/snapshot/index.js';
export type { CollectionCall } from '../../core/snapshot/index.js';
