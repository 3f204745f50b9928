/**
 * The results store: one interface ({@link ResultStore}) and what both implementations share.
 * The implementations have their own entry points, so a bundle loads only the one it uses:
 * `./embedded/index.js` (`openEmbeddedStore`: SQLite via better-sqlite3, the CLI and the demo) and
 * `./dynamodb/index.js` (`openDynamoStore`: the AWS SDK, the Lambdas). This module loads neither.
 * One contract test suite holds both to the same behaviour.
 */
export type {
  CheckTransition,
  ClusterQuery,
  Finding,
  FindingQuery,
  Page,
  PageRequest,
  PutClusterResultOutcome,
  PutMutelistOptions,
  CheckRegressedEvent,
  GateFailedEvent,
  RegressionEvent,
  RegressionPublisher,
  ResultStore,
  ResultStoreOptions,
  StoredMutelist,
} from './result-store.js';
export {
  InvalidCursorError,
  InvalidDocumentError,
  InvalidQueryError,
  MutelistConflictError,
  RegressionPublishError,
  StoreError,
} from './errors.js';
export { DEFAULT_LIMIT, MAX_LIMIT, PageCursorCodec, pageLimit } from './page-cursor.js';
export {
  applyCheckTransitions,
  firstSeenKey,
  firstSightings,
  gateAtScan,
  regressionEventKey,
  regressionEvents,
  scanOrderKey,
} from './check-transitions.js';
export {
  DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
  DEFAULT_MAX_ITEM_BYTES,
  MemoryBlobStore,
  offloadLargeEvidence,
} from './evidence-offload.js';
export type { BlobStore, EvidenceBounds, OffloadedEvidence } from './evidence-offload.js';
export { clusterIdPrefix, clusterQueryOf, findingQueryOf } from './list-queries.js';
export { readStoredMutelist, withMutelists } from './stored-mutelist.js';
