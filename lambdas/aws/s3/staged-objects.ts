/**
 * What the fleet scan's steps hand each other by reference (work items, staged AWS-side results,
 * the Distributed Map's result files): S3 when deployed, memory when the same handlers run in
 * process (`fleet-dns scan`, the demo), where there is no bucket and nothing should outlive the
 * run. One interface, so the handlers never know which.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { getJsonObject, getObjectBytes, putJsonObject, S3ObjectError } from './json-objects.js';
import type { S3Location } from './json-objects.js';

/** JSON documents (and raw bytes) at S3 locations. */
export interface StagedObjects {
  /** Writes `value` as JSON, overwriting. */
  putJson(at: S3Location, value: unknown): Promise<void>;
  /**
   * The object parsed as JSON (unvalidated).
   * @throws S3ObjectError when it is missing or not JSON
   */
  getJson(at: S3Location): Promise<unknown>;
  /** The object's bytes, or null when there is none. */
  getBytes(at: S3Location): Promise<Uint8Array | null>;
}

/** Staged objects in S3 through `client`. */
export function s3StagedObjects(client: S3Client): StagedObjects {
  return {
    putJson: (at, value) => putJsonObject(client, at, value),
    getJson: (at) => getJsonObject(client, at),
    getBytes: (at) => getObjectBytes(client, at),
  };
}

/** Staged objects in memory (the in-process scan); `keys()` lists what was written, for tests. */
export function memoryStagedObjects(): StagedObjects & { keys(): string[] } {
  const objects = new Map<string, Uint8Array>();
  const id = (at: S3Location) => `${at.bucket}/${at.key}`;
  return {
    putJson: async (at, value) => {
      objects.set(id(at), Buffer.from(JSON.stringify(value), 'utf8'));
    },
    getBytes: async (at) => objects.get(id(at)) ?? null,
    getJson: async (at) => {
      const bytes = objects.get(id(at));
      if (bytes === undefined) throw new S3ObjectError(at, 'no such object');
      try {
        return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
      } catch (err) {
        throw new S3ObjectError(at, `not JSON: ${(err as Error).message}`, { cause: err });
      }
    },
    keys: () => [...objects.keys()],
  };
}
