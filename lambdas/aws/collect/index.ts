export { collectClusterSnapshot } from './collect-cluster.js';
export type { ClusterCollectionContext, CollectedCluster, KubeCollectOptions } from './collect-cluster.js';
export { awsClientOptions, collectRegion } from './collect-region.js';
export type { CollectRegionInput, CollectRegionOptions, RegionCollection } from './collect-region.js';
export { collectFleet, collectWorkItem, discoverWorkItems, largestFirst } from './collect-fleet.js';
export type {
  FleetCollection,
  FleetOptions,
  FleetScope,
  FleetWorkItem,
  WorkItemDiscovery,
} from './collect-fleet.js';
export { createScanCaches } from './scan-caches.js';
export type { ScanCaches } from './scan-caches.js';
export { collectClusterByName } from './collect-cluster-by-name.js';
export type { ClusterTarget, CollectedClusterByName } from './collect-cluster-by-name.js';
