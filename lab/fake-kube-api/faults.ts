/** Injected faults: which request a fault rule matches, how often, and the `Status` it answers with. */
import { KubeStatusError } from './errors.js';
import type { StatusReason } from './errors.js';
import { parseResourceRoute, verbFor } from './routes.js';
import type { ResourceRegistry } from './resources.js';
import type { FaultRule } from './types.js';

interface ActiveFault {
  readonly rule: FaultRule;
  remaining: number;
}

const STATUS_REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

// What the API server's priority-and-fairness filter writes with its 429.
const THROTTLED_MESSAGE = 'Too many requests, please try again later.';

/** The fault rules in force, matched in order (first match wins), each used up after `times` requests. */
export class FaultList {
  private readonly active: ActiveFault[];

  constructor(rules: readonly FaultRule[]) {
    this.active = rules.map(activate);
  }

  /** The first rule matching the request, counting the request against its `times`. */
  take(method: string, path: string, user?: string): FaultRule | undefined {
    const fault = this.active.find((f) => f.remaining > 0 && matches(f.rule, method, path, user));
    if (fault) fault.remaining -= 1;
    return fault?.rule;
  }

  /** Whether a request would be denied (an unused 401/403 rule matches it); uses nothing up. */
  denies(method: string, path: string, user?: string): boolean {
    return this.active.some(
      (f) =>
        f.remaining > 0 &&
        (f.rule.status === 403 || f.rule.status === 401) &&
        matches(f.rule, method, path, user),
    );
  }

  /** Adds a rule at the end; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const fault = activate(rule);
    this.active.push(fault);
    return () => {
      const i = this.active.indexOf(fault);
      if (i >= 0) this.active.splice(i, 1);
    };
  }

  clear(): void {
    this.active.splice(0, this.active.length);
  }
}

function activate(rule: FaultRule): ActiveFault {
  return { rule, remaining: rule.times ?? Infinity };
}

function matches(rule: FaultRule, method: string, path: string, user: string | undefined): boolean {
  if (rule.user !== undefined && rule.user !== user) return false;
  const methods = rule.method === undefined ? undefined : [rule.method].flat();
  if (methods && !methods.some((m) => m.toUpperCase() === method)) return false;
  return (typeof rule.path === 'string' ? new RegExp(rule.path) : rule.path).test(path);
}

/**
 * The error a rule answers `method path` with: the message the API server would write (a 403
 * names user, verb and resource as RBAC does; a 429 is priority and fairness' answer with
 * `Retry-After`), unless the rule gives one.
 */
export function faultError(
  rule: FaultRule,
  method: string,
  path: string,
  registry: ResourceRegistry,
  user: string,
): KubeStatusError {
  const code = rule.status ?? 500;
  if (code === 429)
    return new KubeStatusError(429, 'TooManyRequests', rule.message ?? THROTTLED_MESSAGE, {
      retryAfterSeconds: rule.retryAfterSeconds ?? 1,
    });
  const reason = STATUS_REASONS[code] ?? 'InternalError';
  let message = rule.message;
  if (message === undefined) {
    const route = parseResourceRoute(registry, path);
    if (code === 403 && route) {
      const resource = route.def.subresource ?? route.route.def.plural;
      const scope =
        route.route.namespace === undefined
          ? 'at the cluster scope'
          : `in the namespace "${route.route.namespace}"`;
      message = `${route.route.def.plural}${route.route.name ? ` "${route.route.name}"` : ''} is forbidden: User "${user}" cannot ${verbFor(method, route.route)} resource "${resource}" in API group "${route.route.def.group}" ${scope}`;
    } else if (code === 401) message = 'Unauthorized';
    else if (code === 404) message = 'the server could not find the requested resource';
    else message = `injected fault: ${code} ${reason} for ${method} ${path}`;
  }
  return new KubeStatusError(code, reason, message);
}
