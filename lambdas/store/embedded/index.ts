export { DEFAULT_TTL_DAYS, openEmbeddedStore } from './embedded-store.js';
export type { EmbeddedStoreOptions } from './embedded-store.js';
export { defaultStorePath } from './default-store-path.js';
export { DirectoryBlobStore } from './directory-blob-store.js';
export { SCHEMA_VERSION } from './embedded-schema.js';
