export { assembleSnapshot } from './assemble-snapshot.js';
export type { KubernetesBlock, SnapshotParts } from './assemble-snapshot.js';
export { CHECKS_FED_BY, collectionError, orCollectionError } from './checks-fed-by.js';
export type { CollectionCall } from './checks-fed-by.js';
