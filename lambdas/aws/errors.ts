/**
 * Errors of the AWS adapters. One base class, {@link AwsAdapterError}; subclasses carry the
 * context an operator needs (which call, which account, which error code AWS returned).
 *
 * Adapters translate the failures they expect from an AWS call (throttling, access denied,
 * not found, network/credential failures) into {@link AwsCallError}; anything else (a bug) is
 * rethrown unchanged.
 */

/** The property an SDK error carries naming the endpoint its request went to (set by DeadlineHttpHandler). */
export const ENDPOINT_OF_ERROR = '$fleetDnsEndpoint';

/** Base class of every error the AWS adapters raise. */
export class AwsAdapterError extends Error {
  override readonly name: string = 'AwsAdapterError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** How an AWS call failed, in the terms the collector acts on. */
export type AwsFailureKind = 'throttled' | 'denied' | 'not-found' | 'failed';

/**
 * An AWS API call that failed: `call` is `service:Operation`, `code` the AWS error code (or the
 * transport failure: `TimeoutError`, `ECONNREFUSED`, `DeadlineExceeded` …). A failure without an
 * HTTP answer names the endpoint it was waiting for.
 */
export class AwsCallError extends AwsAdapterError {
  override readonly name = 'AwsCallError';
  /** where the request went, for failures that got no HTTP answer (timeouts, refused connections) */
  readonly endpoint: string | undefined;
  constructor(
    readonly call: string,
    readonly code: string,
    /** the message AWS returned, without the call and code prefix */
    readonly awsMessage: string,
    readonly kind: AwsFailureKind,
    readonly httpStatusCode?: number,
    options?: { cause?: unknown; endpoint?: string },
  ) {
    super(
      `${call} failed: ${code}: ${awsMessage}${options?.endpoint ? ` (endpoint ${options.endpoint})` : ''}`,
      options,
    );
    this.endpoint = options?.endpoint;
  }
}

/** sts:AssumeRole into a member account failed: that account is a coverage gap. */
export class AssumeRoleError extends AwsAdapterError {
  override readonly name = 'AssumeRoleError';
  constructor(
    readonly roleArn: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot assume ${roleArn}: ${code}: ${message}`, options);
  }
}

/** A named cluster does not exist in the account and region asked for. */
export class ClusterNotFoundError extends AwsAdapterError {
  override readonly name = 'ClusterNotFoundError';
  constructor(
    readonly clusterName: string,
    readonly accountId: string,
    readonly region: string,
    options?: { cause?: unknown },
  ) {
    super(`EKS cluster "${clusterName}" not found in account ${accountId}, region ${region}`, options);
  }
}

/** Options given to an adapter are unusable (caught before any call is made). */
export class AwsConfigurationError extends AwsAdapterError {
  override readonly name = 'AwsConfigurationError';
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AuthFailure',
  'ExpiredToken',
  'ExpiredTokenException',
  'OptInRequired',
]);
const NOT_FOUND_CODES = new Set(['ResourceNotFoundException', 'NotFoundException']);
/** Node/SDK transport failures: no AWS error code, but still a failed call, not a bug. */
const TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
  'CredentialsProviderError',
]);

/** The code of a request the run's deadline aborted (the SDK reports it as an `AbortError`). */
export const DEADLINE_EXCEEDED = 'DeadlineExceeded';

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $fault?: unknown;
}

/** Classifies an AWS error code. */
export function failureKind(code: string): AwsFailureKind {
  if (THROTTLING_CODES.has(code)) return 'throttled';
  if (DENIED_CODES.has(code) || code.endsWith('.Unauthorized')) return 'denied';
  if (NOT_FOUND_CODES.has(code) || /\.NotFound$/.test(code)) return 'not-found';
  return 'failed';
}

/**
 * Turns what an AWS SDK call threw into an {@link AwsCallError}, or returns `undefined` when it
 * is not an AWS/transport failure (a bug, which the caller rethrows unchanged).
 */
export function toAwsCallError(call: string, err: unknown): AwsCallError | undefined {
  if (err instanceof AwsCallError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err as ErrorLike;
  const isService = e.$metadata !== undefined || e.$fault !== undefined;
  const code =
    typeof e.Code === 'string'
      ? e.Code
      : isService
        ? String(e.name)
        : typeof e.code === 'string'
          ? e.code
          : String(e.name);
  if (!isService && !TRANSPORT_CODES.has(code)) return undefined;
  const endpoint = (err as unknown as Record<string, unknown>)[ENDPOINT_OF_ERROR];
  const answered = e.$metadata?.httpStatusCode !== undefined;
  const where = typeof endpoint === 'string' && !answered ? { endpoint } : {};
  // Only the run's deadline aborts our requests (DeadlineHttpHandler): say so rather than "AbortError".
  if (code === 'AbortError')
    return new AwsCallError(
      call,
      DEADLINE_EXCEEDED,
      'the run deadline passed before AWS answered',
      'failed',
      undefined,
      {
        cause: err,
        ...where,
      },
    );
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : code;
  return new AwsCallError(call, code, message, failureKind(code), e.$metadata?.httpStatusCode, {
    cause: err,
    ...where,
  });
}
