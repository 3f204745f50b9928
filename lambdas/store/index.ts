/**
 * The results store: one interface ({@link ResultStore}), an embedded SQLite implementation
 * (`openEmbeddedStore`, the default without a table) and — next — a DynamoDB one (README.md has
 * its single-table design). One contract test suite holds both to the same behaviour.
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
export { applyCheckTransitions, regressionEvents, scanOrderKey } from './check-transitions.js';
export {
  DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
  DEFAULT_MAX_ITEM_BYTES,
  MemoryBlobStore,
  offloadLargeEvidence,
} from './evidence-offload.js';
export type { BlobStore, EvidenceBounds, OffloadedEvidence } from './evidence-offload.js';
export { clusterIdPrefix, clusterQueryOf, findingQueryOf } from './list-queries.js';
export {
  DEFAULT_TTL_DAYS,
  defaultStorePath,
  DirectoryBlobStore,
  openEmbeddedStore,
  SCHEMA_VERSION,
} from './embedded/index.js';
export type { EmbeddedStoreOptions } from './embedded/index.js';
