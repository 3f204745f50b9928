/**
 * The DynamoDB results store (deployed): one table, the single-table design of README.md. Every
 * read is a GetItem, a BatchGetItem of known keys or a Query of a key range — never a Scan. No
 * write needs a transaction: each is a conditional PutItem/UpdateItem that is idempotent by its
 * condition, in an order a retry can resume from any point (README.md § Writes without
 * transactions).
 */
import { randomBytes } from 'node:crypto';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClusterResult, FleetSummary, GateDecision } from '../../core/schema/index.js';
import {
  applyCheckTransitions,
  firstSeenKey,
  firstSightings,
  gateAtScan,
  regressionEventKey,
  regressionEvents,
  scanOrderKey,
} from '../check-transitions.js';
import { InvalidCursorError, MutelistConflictError, RegressionPublishError } from '../errors.js';
import { checkMutelistDocument, storableFleetSummary, storableResult } from '../documents.js';
import type { StorableResult } from '../documents.js';
import {
  DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
  DEFAULT_MAX_ITEM_BYTES,
  offloadLargeEvidence,
} from '../evidence-offload.js';
import type { BlobStore, EvidenceBounds } from '../evidence-offload.js';
import { clusterIdPrefix, clusterQueryOf, findingQueryOf } from '../list-queries.js';
import { PageCursorCodec, pageLimit } from '../page-cursor.js';
import type {
  CheckTransition,
  ClusterQuery,
  Finding,
  FindingQuery,
  Page,
  PageRequest,
  PutClusterResultOutcome,
  PutMutelistOptions,
  RegressionPublisher,
  ResultStore,
  ResultStoreOptions,
  StoredMutelist,
} from '../result-store.js';
import { defaultStoreClient } from './dynamo-client.js';
import {
  clusterStatusItems,
  findingItem,
  guardItem,
  historyExpiresAt as historyExpiry,
  historyItem,
  latestItem,
  sightingItem,
  tombstoneItem,
} from './dynamo-items.js';
import type { Sighting } from './dynamo-items.js';
import {
  clusterPk,
  CURSOR_SECRET_KEY,
  GSI,
  MUTELIST_KEY,
  RUN_SK,
  scanRunPk,
  SK,
  TTL_ATTRIBUTE,
} from './dynamo-table.js';
import type { GsiName } from './dynamo-table.js';
import { isPackedOrJson, packJson, unpackJson, unpackJsonText } from './packed-json.js';

/** Options of {@link openDynamoStore}. */
export interface DynamoStoreOptions extends ResultStoreOptions {
  readonly tableName: string;
  /** @default a client of the Lambda's region (destroyed by `close`) */
  readonly client?: DynamoDBDocumentClient;
}

export const DEFAULT_TTL_DAYS = 90;
const CLAIM_LEASE_SECONDS = 300;

type Item = Record<string, unknown>;
const GATE_DECISIONS: readonly GateDecision['decision'][] = ['pass', 'fail', 'unknown'];

interface StoredScan {
  readonly result: ClusterResult;
  readonly transitions: CheckTransition[];
  /** the gate decision of the previous scan (gateAtScan), kept so a retried put derives the same events */
  readonly previousGate: GateDecision['decision'] | null;
}

/**
 * Opens the DynamoDB store on an existing table ({@link dynamoTableDefinition}). Without
 * `cursorSecret`, a random one is kept in the table (item `META`/`CURSOR_SECRET`, created once).
 *
 * @example const store = openDynamoStore({ tableName: 'fleet-dns-results', blobs: s3Blobs });
 */
export function openDynamoStore(options: DynamoStoreOptions): ResultStore {
  const owned = options.client === undefined;
  const client = options.client ?? defaultStoreClient();
  return new DynamoResultStore(client, owned, {
    table: options.tableName,
    now: options.now ?? (() => new Date()),
    publish: options.publish,
    ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS,
    blobs: options.blobs,
    bounds: {
      maxInlineEvidenceBytes: options.maxInlineEvidenceBytes ?? DEFAULT_MAX_INLINE_EVIDENCE_BYTES,
      maxItemBytes: options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES,
    },
    cursorSecret: options.cursorSecret,
  });
}

interface DynamoSettings {
  readonly table: string;
  readonly now: () => Date;
  readonly publish: RegressionPublisher | undefined;
  readonly ttlDays: number;
  readonly blobs: BlobStore | undefined;
  readonly bounds: EvidenceBounds;
  readonly cursorSecret: string | Uint8Array | undefined;
}

class DynamoResultStore implements ResultStore {
  #cursors: Promise<PageCursorCodec> | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly owned: boolean,
    private readonly settings: DynamoSettings,
  ) {}

  async putClusterResult(input: ClusterResult): Promise<PutClusterResultOutcome> {
    const result = storableResult(input);
    const clusterId = result.cluster.id;
    const pk = clusterPk(clusterId);
    const historyExpiresAt = historyExpiry(result, this.settings.ttlDays);

    // 1. the guard: scan id → order key (written first so getClusterScan finds the scan by id)
    let guard = await this.#get(pk, SK.guard(result.scan.id));
    const seenBefore = guard !== undefined;
    if (guard === undefined) {
      const item = guardItem(result, scanOrderKey(result.scan), historyExpiresAt);
      if (await this.#putIfAbsent(item)) guard = item;
      else guard = await this.#get(pk, SK.guard(result.scan.id));
    }
    const key = str(guard?.scanOrderKey);

    // 2. history: whoever creates the item stored the scan; everyone else is a duplicate
    let outcome: PutClusterResultOutcome['outcome'] = 'duplicate';
    let stored = scanOf(await this.#get(pk, SK.scan(key)));
    if (stored === undefined && seenBefore && Number(guard?.historyExpiresAt) <= this.#nowSeconds()) {
      // the scan expired and DynamoDB deleted it: still a duplicate, nothing to redo
      const latest = await this.#get(pk, SK.latest);
      const same = latest?.scanId === result.scan.id ? scanOf(latest) : undefined;
      return {
        outcome: 'duplicate',
        latest: same !== undefined,
        result: same?.result ?? result,
        transitions: same?.transitions ?? [],
        published: 0,
      };
    }
    if (stored === undefined) {
      const computed = await this.#compute(result, key);
      const item = historyItem(
        computed.result as StorableResult,
        computed.transitions,
        key,
        historyExpiresAt,
        computed.previousGate,
      );
      if (await this.#putIfAbsent(item)) {
        outcome = 'stored';
        stored = computed;
      } else stored = scanOf(await this.#get(pk, SK.scan(key)));
      if (stored === undefined) throw new Error(`the stored scan ${key} of ${clusterId} vanished`);
    }
    const storedResult = stored.result as StorableResult;

    // 3. first sightings (min by order key: idempotent, and a late scan moves them earlier)
    await Promise.all(firstSightings(storedResult).map((s) => this.#recordSighting(clusterId, s)));

    // 4. latest, never backwards ('<=' lets a retry of the latest scan re-run what follows)
    // packed once: LATEST and its STATUS# items carry the same document
    const doc = packJson(storedResult);
    const isLatest = await this.#putLatest(storedResult, key, stored.transitions, doc);
    if (isLatest) {
      await Promise.all(
        regressionEvents(storedResult, stored.transitions, stored.previousGate).map((event) =>
          this.#putIfAbsent({
            PK: pk,
            SK: SK.event(result.scan.id, regressionEventKey(event)),
            doc: JSON.stringify(event),
            state: 'pending',
            [TTL_ATTRIBUTE]: historyExpiresAt,
          }),
        ),
      );
      await this.#writeFindings(storedResult, key, doc);
    }

    // 5. the outbox
    const published = await this.#publishPending(pk, result.scan.id);
    return { outcome, latest: isLatest, result: stored.result, transitions: stored.transitions, published };
  }

  async getLatest(clusterId: string): Promise<ClusterResult | null> {
    return resultOf(await this.#get(clusterPk(clusterId), SK.latest)) ?? null;
  }

  async getClusterScan(clusterId: string, scanId: string): Promise<ClusterResult | null> {
    const pk = clusterPk(clusterId);
    const guard = await this.#get(pk, SK.guard(scanId));
    if (guard === undefined || Number(guard.historyExpiresAt) <= this.#nowSeconds()) return null;
    const item = await this.#get(pk, SK.scan(str(guard.scanOrderKey)));
    if (item === undefined || Number(item[TTL_ATTRIBUTE]) <= this.#nowSeconds()) return null;
    return resultOf(item) ?? null;
  }

  listClusters(query: ClusterQuery = {}): Promise<Page<ClusterResult>> {
    return this.#listLatestDocuments(query, (doc) => unpackJson(doc) as ClusterResult);
  }

  listClustersJson(query: ClusterQuery = {}): Promise<Page<string>> {
    return this.#listLatestDocuments(query, unpackJsonText);
  }

  /** The latest documents `listClusters` selects, each read by `read` (parsed, or as its text). */
  async #listLatestDocuments<T>(query: ClusterQuery, read: (doc: unknown) => T): Promise<Page<T>> {
    const { filters, limit } = clusterQueryOf(query);
    const index: GsiName = filters.status ? GSI.byStatus : GSI.all;
    const partition = filters.status ? `CSTATUS#${filters.status}` : 'LATEST';
    const prefix = clusterIdPrefix(filters);
    const filter = new Filter();
    if (prefix === undefined && filters.region !== undefined) filter.eq('region', filters.region);
    const { items, next } = await this.#queryPage(
      'clusters',
      filters,
      query.cursor,
      limit,
      index,
      partition,
      prefix,
      filter,
    );
    if (filters.status === undefined) return { items: items.map((i) => read(i.doc)), nextCursor: next };
    // A STATUS# item carries its result's document; one written before it did is answered
    // from its cluster's LATEST item.
    const older = items.filter((i) => !isPackedOrJson(i.doc));
    const latest =
      older.length === 0
        ? new Map<string, Item>()
        : await this.#batchGet(
            older.map((i) => ({ PK: str(i.PK), SK: SK.latest })),
            'PK, doc',
          );
    return {
      items: items.flatMap((i) => {
        const found = isPackedOrJson(i.doc) ? i : latest.get(str(i.PK));
        return found !== undefined && isPackedOrJson(found.doc) ? [read(found.doc)] : [];
      }),
      nextCursor: next,
    };
  }

  async listClusterScans(clusterId: string, page: PageRequest = {}): Promise<Page<ClusterResult>> {
    const limit = pageLimit(page.limit);
    const filters = { clusterId };
    const cursors = await this.#cursorCodec();
    const start = keyPosition(cursors.decode('scans', filters, page.cursor), ['PK', 'SK']);
    const items = await this.#collect(
      {
        TableName: this.settings.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        FilterExpression: '#ttl > :now',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':pk': clusterPk(clusterId),
          ':prefix': SK.scanPrefix,
          ':now': this.#nowSeconds(),
        },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      start,
      limit,
    );
    return {
      items: items.slice(0, limit).map((i) => resultOf(i)!),
      nextCursor: this.#nextCursor(cursors, 'scans', filters, items, limit, ['PK', 'SK']),
    };
  }

  async listFindings(query: FindingQuery = {}): Promise<Page<Finding>> {
    const { filters, limit } = findingQueryOf(query);
    const prefix = clusterIdPrefix(filters);
    const filter = new Filter();
    let index: GsiName;
    let partition: string;
    if (filters.check !== undefined) {
      [index, partition] = [GSI.byCheck, `CHECK#${filters.check}`];
      if (filters.status !== undefined) filter.eq('status', filters.status);
    } else if (filters.status !== undefined) [index, partition] = [GSI.byStatus, `FSTATUS#${filters.status}`];
    else if (filters.account !== undefined)
      [index, partition] = [GSI.byAccount, `FACCOUNT#${filters.account}`];
    else [index, partition] = [GSI.all, 'FINDINGS'];
    if (filters.severity !== undefined) filter.eq('severity', filters.severity);
    if (filters.muted !== undefined) filter.eq('muted', filters.muted);
    if (prefix === undefined && filters.region !== undefined) filter.eq('region', filters.region);
    const { items, next } = await this.#queryPage(
      'findings',
      filters,
      query.cursor,
      limit,
      index,
      partition,
      prefix,
      filter,
    );
    return { items: items.map((i) => JSON.parse(str(i.doc)) as Finding), nextCursor: next };
  }

  async putScanRun(summary: FleetSummary): Promise<void> {
    const stored = storableFleetSummary(summary);
    await this.db.send(
      new PutCommand({
        TableName: this.settings.table,
        Item: {
          PK: scanRunPk(summary.scan.id),
          SK: RUN_SK,
          [`${GSI.all}PK`]: 'RUNS',
          [`${GSI.all}SK`]: scanOrderKey(summary.scan),
          doc: JSON.stringify(stored),
        },
      }),
    );
  }

  async getScan(scanId: string): Promise<FleetSummary | null> {
    const item = await this.#get(scanRunPk(scanId), RUN_SK);
    return item ? (JSON.parse(str(item.doc)) as FleetSummary) : null;
  }

  async getSummary(): Promise<FleetSummary | null> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.settings.table,
        IndexName: GSI.all,
        KeyConditionExpression: '#pk = :runs',
        ExpressionAttributeNames: { '#pk': `${GSI.all}PK` },
        ExpressionAttributeValues: { ':runs': 'RUNS' },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item ? (JSON.parse(str(item.doc)) as FleetSummary) : null;
  }

  async getMutelist(): Promise<StoredMutelist | null> {
    const item = await this.#get(MUTELIST_KEY.PK, MUTELIST_KEY.SK);
    return item ? storedMutelist(item) : null;
  }

  async putMutelist(
    mutelist: Readonly<Record<string, unknown>>,
    options: PutMutelistOptions = {},
  ): Promise<StoredMutelist> {
    checkMutelistDocument(mutelist);
    const expected = options.expectedVersion;
    const condition =
      expected === undefined
        ? undefined
        : expected === null
          ? 'attribute_not_exists(PK)'
          : 'version = :expected';
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.settings.table,
          Key: MUTELIST_KEY,
          UpdateExpression: 'SET version = if_not_exists(version, :zero) + :one, doc = :doc, updatedAt = :at',
          ConditionExpression: condition,
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':doc': JSON.stringify(mutelist),
            ':at': this.settings.now().toISOString(),
            ...(typeof expected === 'number' ? { ':expected': expected } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return storedMutelist(Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.getMutelist();
      throw new MutelistConflictError(expected ?? null, current?.version ?? null, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.owned) this.db.destroy();
  }

  /** The stored form of a new scan: transitions against the previous scan, first sightings so far. */
  async #compute(result: StorableResult, key: string): Promise<StoredScan> {
    const pk = clusterPk(result.cluster.id);
    const bounded = await offloadLargeEvidence(result, this.settings.bounds, this.settings.blobs);
    const latest = await this.#get(pk, SK.latest);
    let previous: ClusterResult | undefined;
    if (latest === undefined || str(latest.scanOrderKey) < key) previous = scanOf(latest)?.result;
    else {
      // a late scan: the newest stored scan before it (Limit 2: the first may be this scan, written by a racer)
      const { Items = [] } = await this.db.send(
        new QueryCommand({
          TableName: this.settings.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': pk, ':lo': SK.scanPrefix, ':hi': SK.scan(key) },
          ScanIndexForward: false,
          Limit: 2,
          ConsistentRead: true,
        }),
      );
      const before = Items.find((i) => i.SK !== SK.scan(key));
      if (before !== undefined && Number(before[TTL_ATTRIBUTE]) > this.#nowSeconds())
        previous = scanOf(before)?.result;
    }
    const sightings = await this.#queryAll({
      TableName: this.settings.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.sightingPrefix },
      ConsistentRead: true,
    });
    const computed = applyCheckTransitions(
      bounded,
      previous ?? null,
      new Map(sightings.map((s) => [firstSeenKey(str(s.checkId), str(s.status)), str(s.seenAt)])),
    );
    return { ...computed, previousGate: gateAtScan(previous)?.decision ?? null };
  }

  async #recordSighting(clusterId: string, s: Sighting): Promise<void> {
    const { PK, SK: sk, checkId, status, scanOrderKey: key, seenAt } = sightingItem(clusterId, s);
    await this.#ignoringConditionFailure(
      new UpdateCommand({
        TableName: this.settings.table,
        Key: { PK, SK: sk },
        UpdateExpression: 'SET checkId = :check, #status = :status, scanOrderKey = :key, seenAt = :at',
        ConditionExpression: 'attribute_not_exists(PK) OR scanOrderKey > :key',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':check': checkId, ':status': status, ':key': key, ':at': seenAt },
      }),
    );
  }

  /** Puts LATEST when the scan is not older than the stored one; true when it is the latest now. */
  async #putLatest(
    result: StorableResult,
    key: string,
    transitions: CheckTransition[],
    doc: Uint8Array,
  ): Promise<boolean> {
    return this.#ignoringConditionFailure(
      new PutCommand({
        TableName: this.settings.table,
        Item: latestItem(result, key, transitions, doc),
        ConditionExpression: 'attribute_not_exists(PK) OR scanOrderKey <= :key',
        ExpressionAttributeValues: { ':key': key },
      }),
    );
  }

  /**
   * The finding and cluster-status items of the latest result. Each write is conditional on the
   * item's scan order key, so a slower writer of an older scan cannot overwrite a newer one; a
   * check or status the result no longer has becomes a tombstone (no GSI keys: out of every list)
   * rather than a deletion, so an older racer cannot bring it back.
   */
  async #writeFindings(result: StorableResult, key: string, doc: Uint8Array): Promise<void> {
    const clusterId = result.cluster.id;
    const pk = clusterPk(clusterId);
    const existing = await this.#queryAll({
      TableName: this.settings.table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk, ':lo': SK.findingPrefix, ':hi': `${SK.findingPrefix}\uffff` },
      ConsistentRead: true,
    });
    const statuses = await this.#queryAll({
      TableName: this.settings.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.statusPrefix },
      ConsistentRead: true,
    });
    const done = new Set(
      [...existing, ...statuses]
        .filter((i) => i.scanOrderKey === key && i.gone !== true)
        .map((i) => str(i.SK)),
    );
    const writes: Item[] = [
      ...result.checks.map((check) => findingItem(result, check, key)),
      ...clusterStatusItems(result, key, doc),
    ];
    const current = new Set(writes.map((w) => str(w.SK)));
    for (const item of [...existing, ...statuses])
      if (!current.has(str(item.SK)) && item.gone !== true)
        writes.push(tombstoneItem(clusterId, str(item.SK), key));
    await Promise.all(
      writes
        .filter((w) => !done.has(str(w.SK)))
        .map((Item) =>
          this.#ignoringConditionFailure(
            new PutCommand({
              TableName: this.settings.table,
              Item,
              ConditionExpression: 'attribute_not_exists(PK) OR scanOrderKey <= :key',
              ExpressionAttributeValues: { ':key': key },
            }),
          ),
        ),
    );
  }

  /** Publishes the scan's pending events, each claimed first and marked published after. */
  async #publishPending(pk: string, scanId: string): Promise<number> {
    const { publish } = this.settings;
    if (publish === undefined) return 0;
    const events = await this.#queryAll({
      TableName: this.settings.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': SK.eventPrefix(scanId) },
      ConsistentRead: true,
    });
    let published = 0;
    for (const event of events) {
      if (event.state === 'published') continue;
      const Key = { PK: pk, SK: str(event.SK) };
      const nowSeconds = this.#nowSeconds();
      const claimed = await this.#ignoringConditionFailure(
        new UpdateCommand({
          TableName: this.settings.table,
          Key,
          UpdateExpression: 'SET #state = :claimed, claimedUntil = :until',
          ConditionExpression: '#state = :pending OR (#state = :claimed AND claimedUntil <= :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':pending': 'pending',
            ':until': nowSeconds + CLAIM_LEASE_SECONDS,
            ':now': nowSeconds,
          },
        }),
      );
      if (!claimed) continue;
      try {
        await publish(JSON.parse(str(event.doc)));
      } catch (error) {
        await this.#ignoringConditionFailure(
          new UpdateCommand({
            TableName: this.settings.table,
            Key,
            UpdateExpression: 'SET #state = :pending REMOVE claimedUntil',
            ConditionExpression: '#state = :claimed',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':pending': 'pending', ':claimed': 'claimed' },
          }),
        );
        throw new RegressionPublishError(str(JSON.parse(str(event.doc)).id), { cause: error });
      }
      await this.db.send(
        new UpdateCommand({
          TableName: this.settings.table,
          Key,
          UpdateExpression: 'SET #state = :published, publishedAt = :at REMOVE claimedUntil',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':published': 'published', ':at': this.settings.now().toISOString() },
        }),
      );
      published += 1;
    }
    return published;
  }

  /** One page of a GSI list: a key range of one partition, filters applied, ordered by the GSI sort key. */
  async #queryPage(
    list: string,
    filters: object,
    cursor: string | null | undefined,
    limit: number,
    index: GsiName,
    partition: string,
    prefix: string | undefined,
    filter: Filter,
  ): Promise<{ items: Item[]; next: string | null }> {
    const keys = ['PK', 'SK', `${index}PK`, `${index}SK`];
    const cursors = await this.#cursorCodec();
    const start = keyPosition(cursors.decode(list, filters as Record<string, unknown>, cursor), keys);
    const items = await this.#collect(
      {
        TableName: this.settings.table,
        IndexName: index,
        KeyConditionExpression:
          prefix === undefined ? '#gpk = :gpk' : '#gpk = :gpk AND begins_with(#gsk, :prefix)',
        FilterExpression: filter.expression(),
        ExpressionAttributeNames: {
          '#gpk': `${index}PK`,
          ...(prefix === undefined ? {} : { '#gsk': `${index}SK` }),
          ...filter.names,
        },
        ExpressionAttributeValues: {
          ':gpk': partition,
          ...(prefix === undefined ? {} : { ':prefix': prefix }),
          ...filter.values,
        },
      },
      start,
      limit,
    );
    return {
      items: items.slice(0, limit),
      next: this.#nextCursor(cursors, list, filters, items, limit, keys),
    };
  }

  /** Queries on from `start` until `limit + 1` items passed the filter (the one extra says "more") or the range ends. */
  async #collect(input: QueryCommandInput, start: Item | undefined, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let exclusiveStartKey = start;
    do {
      const page = await this.db.send(
        new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey, Limit: limit + 1 - items.length }),
      );
      items.push(...(page.Items ?? []));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined && items.length <= limit);
    return items;
  }

  /** The cursor after the page's last item: its key attributes (a LastEvaluatedKey), signed. */
  #nextCursor(
    cursors: PageCursorCodec,
    list: string,
    filters: object,
    items: readonly Item[],
    limit: number,
    keys: readonly string[],
  ): string | null {
    const last = items[limit - 1];
    if (items.length <= limit || last === undefined) return null;
    return cursors.encode(
      list,
      filters as Record<string, unknown>,
      Object.fromEntries(keys.map((k) => [k, last[k]])),
    );
  }

  async #queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  /** BatchGetItem of keys (≤ 100), unprocessed keys retried; by PK. */
  /** The items of `keys` by PK (only the attributes of `projection` when given: PK must be among them). */
  async #batchGet(
    keys: readonly { PK: string; SK: string }[],
    projection?: string,
  ): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    let pending: Item[] = [...keys];
    while (pending.length > 0) {
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({
          RequestItems: {
            [this.settings.table]: {
              Keys: pending,
              ...(projection !== undefined ? { ProjectionExpression: projection } : {}),
            },
          },
        }),
      );
      for (const item of Responses?.[this.settings.table] ?? []) found.set(str(item.PK), item);
      pending = UnprocessedKeys?.[this.settings.table]?.Keys ?? [];
    }
    return found;
  }

  async #get(pk: string, sk: string): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.settings.table, Key: { PK: pk, SK: sk }, ConsistentRead: true }),
    );
    return Item;
  }

  /** PutItem if no item has the key; false when one had. */
  async #putIfAbsent(item: Item): Promise<boolean> {
    return this.#ignoringConditionFailure(
      new PutCommand({
        TableName: this.settings.table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** Sends a conditional write: true when it was applied, false when its condition did not hold. */
  async #ignoringConditionFailure(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.db.send(command as PutCommand);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The cursor codec: the configured secret, else the table's (a random one, created once). */
  #cursorCodec(): Promise<PageCursorCodec> {
    this.#cursors ??= (async () => {
      if (this.settings.cursorSecret !== undefined) return new PageCursorCodec(this.settings.cursorSecret);
      await this.#putIfAbsent({ ...CURSOR_SECRET_KEY, value: randomBytes(32).toString('base64url') });
      const item = await this.#get(CURSOR_SECRET_KEY.PK, CURSOR_SECRET_KEY.SK);
      return new PageCursorCodec(str(item?.value));
    })();
    this.#cursors.catch(() => {
      this.#cursors = undefined;
    });
    return this.#cursors;
  }

  #nowSeconds(): number {
    return Math.floor(this.settings.now().getTime() / 1000);
  }
}

/** A FilterExpression of equalities, ANDed. */
class Filter {
  readonly #clauses: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  eq(attribute: string, value: unknown): void {
    const n = this.#clauses.length;
    this.#clauses.push(`#f${n} = :f${n}`);
    this.names[`#f${n}`] = attribute;
    this.values[`:f${n}`] = value;
  }
  expression(): string | undefined {
    return this.#clauses.length === 0 ? undefined : this.#clauses.join(' AND ');
  }
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

const str = (value: unknown): string => (typeof value === 'string' ? value : String(value));

/** A cursor's position: an object of exactly the given string key attributes. */
function keyPosition(position: unknown, keys: readonly string[]): Item | undefined {
  if (position === undefined) return undefined;
  const ok =
    typeof position === 'object' &&
    position !== null &&
    !Array.isArray(position) &&
    Object.keys(position).length === keys.length &&
    keys.every((k) => typeof (position as Item)[k] === 'string');
  if (!ok) throw new InvalidCursorError('the cursor is malformed');
  return position as Item;
}

/** The cluster result of a `LATEST` or history item, without its transitions (the lists' case). */
function resultOf(item: Item | undefined): ClusterResult | undefined {
  return item === undefined || !isPackedOrJson(item.doc)
    ? undefined
    : (unpackJson(item.doc) as ClusterResult);
}

function scanOf(item: Item | undefined): StoredScan | undefined {
  if (item === undefined || !isPackedOrJson(item.doc)) return undefined;
  return {
    result: unpackJson(item.doc) as ClusterResult,
    transitions: (item.transitions === undefined ? [] : unpackJson(item.transitions)) as CheckTransition[],
    previousGate: GATE_DECISIONS.find((d) => d === item.previousGate) ?? null,
  };
}

function storedMutelist(item: Item): StoredMutelist {
  return {
    mutelist: JSON.parse(str(item.doc)) as Record<string, unknown>,
    version: Number(item.version),
    updatedAt: str(item.updatedAt),
  };
}
