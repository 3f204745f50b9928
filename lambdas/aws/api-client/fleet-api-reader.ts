/**
 * The fleet-dns API's read endpoints (conventions.md § API) as the reads a results store offers,
 * so `report` and `gate` run the same code over a deployed API as over a store. Every answer is
 * checked against the result schema before it is used.
 *
 * The API applies the stored mutelist to what it serves for a cluster (its result, its history,
 * its gate, the compliance report), so {@link FleetApiReader.getMutelist} has nothing to add.
 */
import type { z } from 'zod';
import {
  clusterResultSchema,
  fleetReportSchema,
  fleetSummarySchema,
  formatSchemaError,
  gateDecisionSchema,
} from '../../core/schema/index.js';
import type { ClusterResult, FleetReport, FleetSummary, GateDecision } from '../../core/schema/index.js';
import { FleetApiClient, FleetApiResponseError, FleetApiStatusError } from './fleet-api-client.js';
import type { FleetApiClientOptions } from './fleet-api-client.js';

/** One page of a list endpoint. */
export interface ApiPage<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** A page request: at most `limit` (1–100) items from `cursor`. */
export interface ApiPageRequest {
  readonly limit?: number;
  readonly cursor?: string | null;
}

/** Items read per page when following cursors (the API's largest page). */
const PAGE = 100;

function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new FleetApiResponseError(
      `${what}: the answer does not match the result schema: ${formatSchemaError(parsed.error)}`,
    );
  return parsed.data;
}

function pageOf(value: unknown, what: string): ApiPage<ClusterResult> {
  const page = value as { items?: unknown; nextCursor?: unknown };
  if (
    typeof page !== 'object' ||
    page === null ||
    !Array.isArray(page.items) ||
    !(page.nextCursor === null || typeof page.nextCursor === 'string')
  )
    throw new FleetApiResponseError(`${what}: expected { items, nextCursor }`);
  return {
    items: page.items.map((item) => checked(clusterResultSchema, item, what) as ClusterResult),
    nextCursor: page.nextCursor,
  };
}

const isNotFound = (err: unknown) => err instanceof FleetApiStatusError && err.status === 404;
const cluster = (id: string) => `/clusters/${encodeURIComponent(id)}`;
const pageQuery = (page: ApiPageRequest | undefined) => ({
  limit: String(page?.limit ?? PAGE),
  cursor: page?.cursor ?? undefined,
});

/** The API's reads. */
export class FleetApiReader {
  readonly client: FleetApiClient;

  /** @throws FleetApiUrlError for an unusable base URL or no region */
  constructor(options: FleetApiClientOptions | FleetApiClient) {
    this.client = options instanceof FleetApiClient ? options : new FleetApiClient(options);
  }

  /** `GET /clusters/{id}/gate?targetVersion=`: the decision for any well-formed id. */
  async gate(clusterId: string, targetVersion?: string): Promise<GateDecision> {
    const path = `${cluster(clusterId)}/gate`;
    return checked(
      gateDecisionSchema,
      await this.client.getJson(path, { targetVersion }),
      `GET ${path}`,
    ) as GateDecision;
  }

  /** `GET /reports/compliance?format=json`; null when no fleet scan run is stored yet (404). */
  async complianceReport(): Promise<FleetReport | null> {
    const path = '/reports/compliance';
    try {
      return checked(
        fleetReportSchema,
        await this.client.getJson(path, { format: 'json' }),
        `GET ${path}`,
      ) as FleetReport;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** `GET /summary`; null when no fleet scan run is stored yet. */
  async getSummary(): Promise<FleetSummary | null> {
    try {
      return checked(
        fleetSummarySchema,
        await this.client.getJson('/summary'),
        'GET /summary',
      ) as FleetSummary;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** `GET /scans/{scanId}`; null for an unknown scan. */
  async getScan(scanId: string): Promise<FleetSummary | null> {
    const path = `/scans/${encodeURIComponent(scanId)}`;
    try {
      return checked(fleetSummarySchema, await this.client.getJson(path), `GET ${path}`) as FleetSummary;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** `GET /clusters/{id}`; null for a cluster never scanned. */
  async getLatest(clusterId: string): Promise<ClusterResult | null> {
    const path = cluster(clusterId);
    try {
      return checked(clusterResultSchema, await this.client.getJson(path), `GET ${path}`) as ClusterResult;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** `GET /clusters`: one page of every cluster's latest result. */
  async listClusters(page?: ApiPageRequest): Promise<ApiPage<ClusterResult>> {
    return pageOf(await this.client.getJson('/clusters', pageQuery(page)), 'GET /clusters');
  }

  /** `GET /clusters/{id}/scans`: one page of the cluster's history, newest first (empty for a cluster never scanned). */
  async listClusterScans(clusterId: string, page?: ApiPageRequest): Promise<ApiPage<ClusterResult>> {
    const path = `${cluster(clusterId)}/scans`;
    try {
      return pageOf(await this.client.getJson(path, pageQuery(page)), `GET ${path}`);
    } catch (err) {
      if (isNotFound(err)) return { items: [], nextCursor: null };
      throw err;
    }
  }

  /** The cluster's result of scan `scanId`, found in its history (the API has no direct read). */
  async getClusterScan(clusterId: string, scanId: string): Promise<ClusterResult | null> {
    let cursor: string | null = null;
    do {
      const page: ApiPage<ClusterResult> = await this.listClusterScans(clusterId, { limit: PAGE, cursor });
      const found = page.items.find((r) => r.scan?.id === scanId);
      if (found !== undefined) return found;
      cursor = page.nextCursor;
    } while (cursor !== null);
    return null;
  }

  /** None: the API applied the stored mutelist to every cluster result it served. */
  async getMutelist(): Promise<null> {
    return null;
  }

  /** Nothing to release (each request has its own connection). */
  async close(): Promise<void> {}
}
