/**
 * How a failed Kubernetes API read reaches an evaluator: as data, with what was being read, so
 * the check that needed it is ERROR with a reason an operator can act on (a 403 names the
 * missing permission) and the other checks still run.
 */

/** A Kubernetes API read that failed. */
export interface ApiFailure {
  /** HTTP status, when the API answered (0 or absent for a network error / timeout) */
  readonly status?: number;
  /** the API's message (Status.message) or the network error */
  readonly message: string;
  /** verb as RBAC names it: get, list, watch */
  readonly verb: string;
  /** resource as RBAC names it, with subresource: `pods`, `pods/log`, `endpointslices.discovery.k8s.io` */
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** A read that either produced a value or failed. */
export type ApiRead<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

/** True when the API said the object does not exist (a finding, not an error). */
export function isNotFound(failure: ApiFailure): boolean {
  return failure.status === 404;
}

/**
 * One sentence for `evidence.reason`. 401/403 name the permission to grant (the scanner's
 * ClusterRole, see design.md § Access to the cluster); other statuses quote the API.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/
 */
export function apiFailureReason(failure: ApiFailure): string {
  const what = `${failure.verb} ${failure.resource}${failure.name ? ` ${failure.name}` : ''}${
    failure.namespace ? ` in namespace ${failure.namespace}` : ' (cluster-wide)'
  }`;
  if (failure.status === 403) {
    return `missing permission: the runner's ServiceAccount may not ${what} (add "${failure.verb}" on "${failure.resource}" to the fleet-dns read-only ClusterRole): ${failure.message}`;
  }
  if (failure.status === 401) {
    return `the Kubernetes API rejected the runner's credentials (401) when trying to ${what}: ${failure.message}`;
  }
  if (failure.status === undefined || failure.status === 0) {
    return `could not reach the Kubernetes API to ${what}: ${failure.message}`;
  }
  return `the Kubernetes API answered ${failure.status} to ${what}: ${failure.message}`;
}
