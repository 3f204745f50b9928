/** Small helpers that keep evidence bounded and its ERROR/SKIPPED shapes uniform. */
import { makeResult } from '../../catalog/make-result.js';
import type { CheckId } from '../../catalog/check-catalog.js';
import type { CheckResult } from '../../schema/results.js';
import type { SnapshotCollectionError } from '../../snapshot/network-snapshot-schema.js';
import type { DnsPodPlacement, PlacedDnsPod, UnplacedDnsPod } from '../../network/dns-pod-placement.js';
import type { AuditContext } from './audit-context.js';

/** Longest list any evidence array carries; longer lists are cut and flagged `truncated: true`. */
export const EVIDENCE_LIST_LIMIT = 20;
/** Longest `resources` list (what the diagnosis names). */
export const RESOURCES_LIMIT = 50;

/** Cuts `items` to `limit`, reporting whether it did. */
export function bounded<T>(
  items: readonly T[],
  limit = EVIDENCE_LIST_LIMIT,
): { items: T[]; truncated: boolean } {
  return { items: items.slice(0, limit), truncated: items.length > limit };
}

/** Deduplicated, bounded resource ids for the diagnosis. */
export function resourceList(ids: Iterable<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const id of ids) if (id) out.add(id);
  return [...out].slice(0, RESOURCES_LIMIT);
}

/** ERROR because a collection call failed: quotes the call and its code. */
export function collectionErrorResult(
  id: CheckId,
  errors: readonly SnapshotCollectionError[],
  extra: Record<string, unknown> = {},
): CheckResult {
  const quoted = errors.map(
    (e) => `${e.call} failed (${e.code ?? 'no error code'}${e.message ? `: ${e.message}` : ''})`,
  );
  return makeResult(id, {
    status: 'ERROR',
    evidence: {
      reason: `input not collected: ${quoted.join('; ')}`,
      summary: `not evaluated: ${errors.map((e) => `${e.call} ${e.code ?? 'failed'}`).join(', ')}`,
      collectionErrors: errors.map((e) => ({ call: e.call, code: e.code, message: e.message })),
      ...extra,
    },
  });
}

export function errorResult(id: CheckId, reason: string, extra: Record<string, unknown> = {}): CheckResult {
  return makeResult(id, { status: 'ERROR', evidence: { reason, summary: reason, ...extra } });
}

export function skippedResult(id: CheckId, reason: string, extra: Record<string, unknown> = {}): CheckResult {
  return makeResult(id, { status: 'SKIPPED', evidence: { reason, summary: reason, ...extra } });
}

/** A CoreDNS pod as evidence shows it. */
export function podEvidence(pod: PlacedDnsPod) {
  return {
    name: pod.name,
    namespace: pod.namespace,
    podIP: pod.podIP,
    eni: pod.eni.id,
    eniType: pod.eni.interfaceType,
    addressHolding: pod.holding,
    subnet: pod.eni.subnetId,
    groups: pod.eni.groupIds,
    ...(pod.instanceId === undefined ? {} : { instance: pod.instanceId }),
    ...(pod.nodeName === undefined ? {} : { node: pod.nodeName }),
  };
}

export function unplacedEvidence(pods: readonly UnplacedDnsPod[]) {
  return pods.map((p) => ({ name: p.name, namespace: p.namespace, podIP: p.podIP, reason: p.reason }));
}

/**
 * The prologue every placement-dependent check shares (checks.md §A): a collection error that
 * feeds the check → ERROR quoting the call; cluster API not consulted or unreachable → ERROR;
 * no CoreDNS pods → SKIPPED. Otherwise the CoreDNS placement to evaluate.
 */
export function placementOrResult(
  ctx: AuditContext,
  id: CheckId,
): { readonly placement: DnsPodPlacement } | { readonly result: CheckResult } {
  const errors = ctx.collectionErrorsFor(id);
  if (errors.length > 0) return { result: collectionErrorResult(id, errors) };
  const state = ctx.placement;
  if (state.state === 'not-consulted') return { result: errorResult(id, state.reason) };
  if (state.state === 'no-pods') return { result: skippedResult(id, state.reason) };
  return { placement: state.placement };
}
