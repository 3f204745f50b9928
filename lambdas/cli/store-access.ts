/**
 * The store a reading command (`report`, `gate`) uses: `--store PATH` (the embedded SQLite store,
 * by default in the user's data directory) or `--table NAME` (DynamoDB). Reading never creates a
 * store: a path with no file is a store with nothing in it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FleetApiReader, FleetApiUrlError } from '../aws/api-client/index.js';
import { openDynamoStore } from '../store/dynamodb/index.js';
import { defaultStorePath, openEmbeddedStore } from '../store/embedded/index.js';
import type { ClusterResult } from '../core/schema/index.js';
import type { ResultStore } from '../store/index.js';
import { UsageError } from './errors.js';

/** The store flags `report` and `gate` share (conventions.md). */
export interface StoreOptions {
  store?: string;
  table?: string;
}

/** What `report` and `gate` read: the reads a store offers, which a deployed API offers too. */
export type ResultReader = Pick<
  ResultStore,
  | 'getLatest'
  | 'getClusterScan'
  | 'listClusters'
  | 'listClusterScans'
  | 'getScan'
  | 'getSummary'
  | 'getMutelist'
  | 'close'
>;

/** The flags of a command that reads the store or a deployed API (`--api URL`). */
export interface ReaderOptions extends StoreOptions {
  api?: string;
  region?: string;
}

/** What a reading command reads, and where it is (for messages). */
export interface OpenedReader {
  /** the embedded store's file, `DynamoDB table NAME`, or the API's URL */
  readonly path: string;
  /** undefined when there is no file at `path`: nothing was ever stored there */
  readonly store: ResultReader | undefined;
  /** the API's reads with `--api` (then `store` is this too) */
  readonly api?: FleetApiReader;
}

/** The store a command reads, and where it is (for messages). */
export interface OpenedStore {
  /** the embedded store's file, or `DynamoDB table NAME` */
  readonly path: string;
  /** undefined when there is no file at `path`: nothing was ever stored there */
  readonly store: ResultStore | undefined;
}

/** The flags' help texts, one wording for every command. */
export const STORE_OPTION_HELP = {
  store:
    'the embedded results store (a SQLite file; default: $XDG_DATA_HOME/fleet-dns/results.db, else ~/.local/share/fleet-dns/results.db)',
  table: 'read the DynamoDB results table NAME instead of the embedded store',
  api: 'read a deployed fleet-dns API instead of a store (https://ID.execute-api.REGION.amazonaws.com/STAGE; requests signed with SigV4 from the AWS default credential chain; http only to 127.0.0.1/localhost)',
  region: "the API's region when its host does not name one (default: AWS_REGION)",
} as const;

/**
 * Opens what the flags name for reading: `--api URL` (a deployed fleet-dns API), else the store
 * as {@link openStoreForReading}.
 *
 * @throws UsageError for `--api` with `--store` or `--table`, a malformed URL, no region, or
 *   what openStoreForReading throws
 */
export function openResultsForReading(options: ReaderOptions): OpenedReader {
  if (options.api === undefined) {
    if (options.region !== undefined) throw new UsageError('--region applies only with --api URL');
    return openStoreForReading(options);
  }
  const other = options.store !== undefined ? '--store' : options.table !== undefined ? '--table' : undefined;
  if (other !== undefined)
    throw new UsageError(`--api and ${other} exclude each other: read a deployed API, or a store`);
  try {
    const api = new FleetApiReader({
      baseUrl: options.api,
      ...(options.region !== undefined && { region: options.region }),
    });
    return { path: api.client.baseUrl.href, store: api, api };
  } catch (err) {
    if (err instanceof FleetApiUrlError) throw new UsageError(`--api ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Opens the store the flags name for reading.
 *
 * @throws UsageError for a malformed `--table` name, both flags at once, or a
 *   `--store` file that is not a fleet-dns store
 */
export function openStoreForReading(options: StoreOptions): OpenedStore {
  if (options.table !== undefined) {
    if (options.store !== undefined)
      throw new UsageError('--store and --table exclude each other: read the embedded store, or a table');
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(options.table))
      throw new UsageError(
        `--table ${JSON.stringify(options.table)}: not a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)`,
      );
    // The AWS default credential chain and region, and the standard endpoint overrides
    // (AWS_ENDPOINT_URL_DYNAMODB), as every AWS client of the CLI.
    return { path: `DynamoDB table ${options.table}`, store: openDynamoStore({ tableName: options.table }) };
  }
  const path = options.store ?? defaultStorePath();
  if (path === '') throw new UsageError('--store: expected a file path');
  if (!existsSync(path)) return { path, store: undefined };
  try {
    return { path, store: openEmbeddedStore({ path }) };
  } catch (err) {
    throw new UsageError(`--store ${path}: cannot open it as a fleet-dns store (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** Every latest cluster result of the store, following cursors to the end, by cluster id. */
export async function allLatestResults(store: Pick<ResultStore, 'listClusters'>): Promise<ClusterResult[]> {
  const results: ClusterResult[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<ResultStore['listClusters']>> = await store.listClusters({
      limit: 100,
      cursor,
    });
    results.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return results;
}

/**
 * The cluster's history entry just before scan `scanId` (its previous scan), following cursors;
 * undefined when `scanId` is its oldest stored scan or not in its history.
 */
export async function previousClusterResult(
  store: Pick<ResultStore, 'listClusterScans'>,
  clusterId: string,
  scanId: string,
): Promise<ClusterResult | undefined> {
  let seen = false;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<ResultStore['listClusterScans']>> = await store.listClusterScans(
      clusterId,
      { limit: 100, cursor },
    );
    for (const result of page.items) {
      if (seen) return result;
      if (result.scan?.id === scanId) seen = true;
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return undefined;
}

/**
 * The store a writing command (`mutelist put`) uses: as {@link openStoreForReading}, but the
 * embedded store is created (with its directory) when there is none yet.
 *
 * @throws UsageError as openStoreForReading does
 */
export function openStoreForWriting(options: StoreOptions): OpenedStore & { readonly store: ResultStore } {
  const opened = openStoreForReading(options);
  if (opened.store !== undefined) return { path: opened.path, store: opened.store };
  try {
    mkdirSync(dirname(opened.path), { recursive: true });
    return { path: opened.path, store: openEmbeddedStore({ path: opened.path }) };
  } catch (err) {
    throw new UsageError(
      `--store ${opened.path}: cannot create a fleet-dns store there (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
}
