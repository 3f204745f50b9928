export { endpointAccessMode, toClusterRecord } from './cluster-record.js';
export type { ClusterRecord, EndpointAccessMode } from './cluster-record.js';
export { describeCluster, listClusterNames } from './discover-clusters.js';
