/**
 * Errors of the Kubernetes adapters. One base class, {@link KubeAdapterError}; the cluster API
 * failures the collector expects are translated into {@link KubeAccessError} (anything else is
 * rethrown unchanged).
 */
import { ApiException } from '@kubernetes/client-node';

export class KubeAdapterError extends Error {
  override readonly name: string = 'KubeAdapterError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why the cluster API could not be used. */
export type KubeAccessFailure =
  /** 401: the bearer token was not accepted (no access entry / aws-auth mapping) */
  | 'unauthorized'
  /** 403: authenticated, but RBAC does not allow the read */
  | 'forbidden'
  /** 404 on a path every cluster serves (wrong endpoint) or a required object missing */
  | 'not-found'
  /** the TCP/TLS connection could not be made (private endpoint, DNS, refused) */
  | 'unreachable'
  /** no answer before the deadline */
  | 'timeout'
  /** the server certificate did not verify against the cluster's CA */
  | 'tls'
  /** any other HTTP error status (5xx, 429…) */
  | 'server-error';

/** A read from the cluster API failed; `what` names the read, e.g. `list nodes`. */
export class KubeAccessError extends KubeAdapterError {
  override readonly name = 'KubeAccessError';
  constructor(
    readonly failure: KubeAccessFailure,
    readonly what: string,
    readonly detail: string,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(`${what}: ${detail}`, options);
  }
}

const TLS_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|ERR_TLS_CERT|ERR_SSL)/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

interface FetchErrorLike {
  name?: string;
  type?: string;
  code?: string;
  errno?: string;
  message?: string;
  cause?: unknown;
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body) as unknown);
    } catch {
      return body.slice(0, 200) || undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string')
    return body.message;
  return undefined;
}

/**
 * Translates what a @kubernetes/client-node call threw into a {@link KubeAccessError}, or
 * returns `undefined` for anything else (a bug, rethrown by the caller).
 */
export function toKubeAccessError(what: string, err: unknown): KubeAccessError | undefined {
  if (err instanceof KubeAccessError) return err;
  if (err instanceof ApiException) {
    const status = err.code;
    const message = statusMessage(err.body) ?? `HTTP ${status}`;
    const failure: KubeAccessFailure =
      status === 401
        ? 'unauthorized'
        : status === 403
          ? 'forbidden'
          : status === 404
            ? 'not-found'
            : 'server-error';
    return new KubeAccessError(failure, what, `HTTP ${status}: ${message}`, status, { cause: err });
  }
  if (!(err instanceof Error)) return undefined;
  const e = err as FetchErrorLike;
  const code = e.code ?? e.errno ?? '';
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted') {
    return new KubeAccessError('timeout', what, 'no answer before the deadline', undefined, { cause: err });
  }
  if (TLS_CODES.test(code)) {
    return new KubeAccessError('tls', what, `${code}: ${e.message ?? ''}`.trim(), undefined, { cause: err });
  }
  if (NETWORK_CODES.has(code) || e.type === 'system') {
    return new KubeAccessError(
      'unreachable',
      what,
      `${code || 'connection failed'}: ${e.message ?? ''}`.trim(),
      undefined,
      {
        cause: err,
      },
    );
  }
  return undefined;
}
