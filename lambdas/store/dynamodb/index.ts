export { decodeBase64, defaultStoreClient, STORE_CLIENT_CONFIG } from './dynamo-client.js';
export { DEFAULT_TTL_DAYS, openDynamoStore } from './dynamo-store.js';
export type { DynamoStoreOptions } from './dynamo-store.js';
export { dynamoTableDefinition, GSI, TTL_ATTRIBUTE } from './dynamo-table.js';
export type { DynamoTableDefinition } from './dynamo-table.js';
export {
  clusterStatusItems,
  findingItem,
  guardItem,
  historyExpiresAt,
  historyItem,
  latestItem,
  sightingItem,
  tombstoneItem,
} from './dynamo-items.js';
export type { DynamoItem, Sighting } from './dynamo-items.js';
