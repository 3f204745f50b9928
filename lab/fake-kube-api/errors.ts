/**
 * Errors of the fake Kubernetes API server. `FakeKubeApiError` is the module's base class;
 * `KubeStatusError` carries a Kubernetes `Status` (reason + HTTP code) and is what the REST
 * layer turns into a `{ kind: 'Status', status: 'Failure', … }` answer.
 */

/** Base class of every error this module throws. */
export class FakeKubeApiError extends Error {
  override readonly name: string = 'FakeKubeApiError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The `reason` values of metav1.Status that this server produces. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'Gone'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** Details of a Status: which object the failure is about, and when to retry a throttled request. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  /** also sent as the `Retry-After` header */
  readonly retryAfterSeconds?: number;
}

/**
 * A failure the API answers with a `Status` object (404 NotFound, 409 AlreadyExists/Conflict, …).
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#response-status-kind
 */
export class KubeStatusError extends FakeKubeApiError {
  override readonly name = 'KubeStatusError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

/** The objects given to the server (or a scenario) are unusable: names the object at fault. */
export class InvalidObjectError extends FakeKubeApiError {
  override readonly name = 'InvalidObjectError';
}
