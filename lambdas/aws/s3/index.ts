/** JSON documents and evidence blobs in S3 (the fleet scan's hand-offs between steps). */
export {
  createS3Client,
  getJsonObject,
  getObjectBytes,
  parseS3Uri,
  putJsonObject,
  S3BlobStore,
  S3ObjectError,
} from './json-objects.js';
export type { S3Location } from './json-objects.js';
export { memoryStagedObjects, s3StagedObjects } from './staged-objects.js';
export type { StagedObjects } from './staged-objects.js';
