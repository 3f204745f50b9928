/** Shapes shared by the fake Kubernetes API server's modules and its users. */

/** Object metadata as the API serves it (only the fields this server reads or writes are typed). */
export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  /** set by a delete of an object that has finalizers; it goes once they are all removed */
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  /** while non-empty, a delete only marks the object (deletionTimestamp) */
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  [key: string]: unknown;
}

/** A plain Kubernetes object (`apiVersion`, `kind`, `metadata`, …), e.g. loaded from YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

/** Names one object: `{ apiVersion: 'batch/v1', kind: 'Job', namespace: 'fleet-dns', name: 'probe' }`. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** required for namespaced kinds */
  readonly namespace?: string;
}

/**
 * An injected fault: requests whose path matches `path` (and `method`, when given) get `status`
 * (a proper `Status` body) and/or wait `delayMs` first. A burst of throttling is
 * `{ status: 429, times: N }`: the first N matching requests get 429, later ones are served.
 */
export interface FaultRule {
  /** matched against the URL path (without the query), e.g. `/api/v1/namespaces/kube-system/pods` */
  readonly path: RegExp | string;
  /** only requests authenticated as this user (the server's `user` or one of its `users`); @default anyone */
  readonly user?: string;
  /** HTTP method(s); @default every method */
  readonly method?: string | readonly string[];
  /** answer with this HTTP status and a matching Status object instead of serving the request */
  readonly status?: 401 | 403 | 404 | 409 | 429 | 500 | 503;
  /** wait this long before answering (or before failing with `status`) */
  readonly delayMs?: number;
  /**
   * with status 429: the `Retry-After` header (seconds) and Status `details.retryAfterSeconds`,
   * as the API server's priority-and-fairness filter answers; @default 1
   */
  readonly retryAfterSeconds?: number;
  /** apply to the first N matching requests only; @default every matching request */
  readonly times?: number;
  /** overrides the Status message */
  readonly message?: string;
}

/** One request the server received, in order. */
export interface RequestLog {
  readonly method: string;
  /** path without the query */
  readonly path: string;
  /** decoded query parameters */
  readonly query: Record<string, string>;
  readonly status: number;
  /** epoch milliseconds when the request arrived */
  readonly atMs: number;
  /** whether the bearer token was the expected one */
  readonly authenticated: boolean;
  /** who the bearer token authenticated (the server's `user`, or one of its `users`) */
  readonly user?: string;
  /** the JSON body of a write, when there was one */
  readonly body?: unknown;
}

/** A watch event as sent on the wire (one JSON document per line). */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: KubeObject;
}
