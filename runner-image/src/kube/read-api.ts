/**
 * Reads from the Kubernetes API as data: every call becomes an `ApiRead` — the value, or an
 * `ApiFailure` naming the verb, resource and namespace (so a 403 can name the missing permission)
 * — with a per-request timeout, so one slow or forbidden read never takes the other checks down,
 * and retries of transient failures (429, 500, 503, reset connections; checks.md § Transient
 * failures) recorded beside the outcome for the evidence.
 */
import { ApiException, Observable } from '@kubernetes/client-node';
import type {
  ConfigurationOptions,
  ObservableMiddleware,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import type { ApiFailure, ApiRead } from '../../../lambdas/core/incluster/index.js';
import { apiRetryRecord, attemptWithRetries, transientFaultOf } from '../../../lambdas/core/retry/index.js';
import type {
  ApiRetryRecord,
  AttemptFailure,
  AttemptOutcome,
  RetrySettings,
  TransientFault,
} from '../../../lambdas/core/retry/index.js';

/** What a call reads, for the failure message (RBAC names: verb, resource[/subresource]). */
export interface ReadTarget {
  readonly verb: 'get' | 'list';
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * Per-call client-node options that abort the request after `timeoutMs` (client-node sets no
 * timeout of its own, and a hung API server must not hang the runner).
 */
export function timeoutOptions(timeoutMs: number): ConfigurationOptions {
  // The object-parameter API runs on client-node's observable API, so per-call middleware is
  // the observable kind (a promise middleware here fails with "toPromise is not a function").
  const middleware: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** The Status message inside an ApiException body (a JSON string or an object), if any. */
function statusMessage(body: unknown): string | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.slice(0, 300);
    }
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { message?: unknown }).message === 'string'
  ) {
    return (value as { message: string }).message;
  }
  return undefined;
}

/** Translates what client-node threw into an ApiFailure. */
export function toApiFailure(err: unknown, target: ReadTarget, timeoutMs?: number): ApiFailure {
  const base = {
    verb: target.verb,
    resource: target.resource,
    ...(target.namespace !== undefined && { namespace: target.namespace }),
    ...(target.name !== undefined && { name: target.name }),
  };
  if (err instanceof ApiException) {
    const code = Number(err.code);
    return { ...base, status: code, message: statusMessage(err.body) ?? `HTTP ${code}` };
  }
  const e = err as { name?: string; message?: string; type?: string } | undefined;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted') {
    return { ...base, message: `no answer within ${timeoutMs ?? '?'} ms` };
  }
  return { ...base, message: e?.message?.split('\n')[0] ?? String(err) };
}

/** How the runner retries transient API failures: the policy, the run's deadline (epoch ms), test seams. */
export type KubeRetryOptions = RetrySettings;

/** The retry policy's view of what client-node threw (an ApiException or a fetch error). */
export function attemptFailureOf(err: unknown): AttemptFailure {
  if (err instanceof ApiException) {
    const headers = (err.headers ?? {}) as Record<string, string | undefined>;
    const retryAfter = headers['retry-after'] ?? headers['Retry-After'];
    return { status: Number(err.code), ...(retryAfter !== undefined && { retryAfter }) };
  }
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return {
    ...(typeof e?.code === 'string' && { code: e.code }),
    ...(typeof e?.message === 'string' && { message: e.message }),
  };
}

/** The transient fault of a client-node call's outcome, if it had one. */
export function transientKubeFault(outcome: AttemptOutcome<unknown>): TransientFault | undefined {
  return outcome.ok ? undefined : transientFaultOf(attemptFailureOf(outcome.error));
}

/** `get configmaps kube-system/coredns`, `list nodes`: a read as the evidence names it. */
export function readTargetLabel(target: ReadTarget): string {
  const where = [target.namespace, target.name].filter((p) => p !== undefined).join('/');
  return `${target.verb} ${target.resource}${where ? ` ${where}` : ''}`;
}

/** An ApiRead with the record of its retries, when it was retried. */
export type RetriedApiRead<T> = ApiRead<T> & { readonly retried?: ApiRetryRecord };

/**
 * Runs one API call, retrying transient failures, and returns its value or its failure (which
 * says how many attempts it took); never rejects.
 */
export async function readApi<T>(
  target: ReadTarget,
  call: () => Promise<T>,
  timeoutMs?: number,
  retry: KubeRetryOptions = {},
): Promise<RetriedApiRead<T>> {
  const attempted = await attemptWithRetries(call, { faultOf: transientKubeFault, ...retry });
  const retried = apiRetryRecord(readTargetLabel(target), attempted);
  const record = retried !== undefined ? { retried } : {};
  if (attempted.ok) return { ok: true, value: attempted.value, ...record };
  const failure = toApiFailure(attempted.error, target, timeoutMs);
  const tries = attempted.attempts > 1 ? ` (after ${attempted.attempts} attempts)` : '';
  return { ok: false, failure: { ...failure, message: `${failure.message}${tries}` }, ...record };
}

/** A label selector as the API's `labelSelector` query string (matchLabels and matchExpressions). */
export function selectorString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Runs `task` over `items` with at most `limit` in flight, keeping order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
