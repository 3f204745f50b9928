/**
 * The deployed results store of the fleet-scan handlers: DynamoDB (TABLE_NAME), regression
 * events to EventBridge (EVENT_BUS_NAME), evidence over the inline bound to S3. Loaded only by
 * the entry points, so tests and the CLI never load it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { eventBridgePublisher } from '../aws/eventbridge/index.js';
import { S3BlobStore } from '../aws/s3/index.js';
import { openDynamoStore } from '../store/dynamodb/index.js';
import type { ResultStore } from '../store/index.js';
import type { PipelineConfig } from './pipeline-config.js';

/** The DynamoDB store of `config`, publishing to its bus (when it names one). */
export function openPipelineStore(config: PipelineConfig, s3: S3Client): ResultStore {
  return openDynamoStore({
    tableName: config.tableName,
    blobs: new S3BlobStore(s3, config.evidenceBucket),
    ...(config.eventBusName !== ''
      ? { publish: eventBridgePublisher({ busName: config.eventBusName }) }
      : {}),
  });
}
