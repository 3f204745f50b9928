import { collectionError } from '../../core/snapshot/index.js';
import type { CollectionCall, SnapshotCollectionError } from '../../core/snapshot/index.js';
import { AwsCallError } from '../errors.js';

/**
 * Runs one collection step; an {@link AwsCallError} becomes a `collectionErrors` entry (pushed
 * onto `errors`, naming the checks the call feeds from core's one table) and the step yields
 * `undefined`. Anything else (a bug) propagates.
 */
export async function orCollectionError<T>(
  call: CollectionCall,
  errors: SnapshotCollectionError[],
  step: () => Promise<T>,
  detail?: string,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof AwsCallError)) throw err;
    errors.push(collectionError(call, err.code, err.awsMessage, detail));
    return undefined;
  }
}
