/**
 * The fake API server's object store: objects per resource, a cluster-wide `resourceVersion`
 * counter, an event history for `watch` from a resourceVersion, and owner-reference garbage
 * collection on delete. Everything going in or out is copied, so callers never share state
 * with the store.
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
 * @see https://kubernetes.io/docs/concepts/architecture/garbage-collection/#cascading-deletion
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidObjectError, KubeStatusError } from './errors.js';
import { applyMergePatch } from './patch.js';
import { apiVersionOf } from './resources.js';
import type { ResourceDefinition, ResourceRegistry } from './resources.js';
import type { FieldRequirement, LabelRequirement } from './selectors.js';
import { matchesFields, matchesLabels } from './selectors.js';
import type { KubeObject, ObjectRef, WatchEvent } from './types.js';

/** A change recorded in the store, in resourceVersion order. */
export interface StoreEvent extends WatchEvent {
  readonly resourceVersion: number;
  readonly resource: ResourceDefinition;
  /** the object before a MODIFIED change (so a watch can tell that it left a selector) */
  readonly previous?: KubeObject;
}

/** Filters for `list`. */
export interface ListFilter {
  /** only this namespace; @default every namespace */
  readonly namespace?: string;
  readonly labels?: readonly LabelRequirement[];
  readonly fields?: readonly FieldRequirement[];
}

/** How dependents are treated on delete (DeleteOptions.propagationPolicy). */
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** The rest of DeleteOptions the store honours. */
export interface DeleteSettings {
  /**
   * `deletionGracePeriodSeconds` of an object kept by its finalizers
   * @default a Pod's `spec.terminationGracePeriodSeconds` ?? 30, 0 for other kinds
   */
  readonly gracePeriodSeconds?: number;
  /** remove the object now, finalizers or not (a namespace's objects go with it); @default false */
  readonly ignoreFinalizers?: boolean;
}

/** The namespaces every cluster has. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

// Enough history for any test's watch to resume; older resourceVersions get 410 Expired.
const HISTORY_LIMIT = 5000;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
const groupOf = (def: ResourceDefinition): string => def.group;

/** A Pod's `spec.terminationGracePeriodSeconds` ?? 30; 0 for every other kind. */
function defaultGracePeriod(def: ResourceDefinition, obj: KubeObject): number {
  if (def.group !== '' || def.kind !== 'Pod') return 0;
  const grace = (obj.spec as { terminationGracePeriodSeconds?: unknown } | undefined)
    ?.terminationGracePeriodSeconds;
  return typeof grace === 'number' ? grace : 30;
}

function notFound(def: ResourceDefinition, name: string): KubeStatusError {
  const resource = def.group === '' ? def.plural : `${def.plural}.${def.group}`;
  return new KubeStatusError(404, 'NotFound', `${resource} "${name}" not found`, {
    name,
    group: groupOf(def),
    kind: def.plural,
  });
}

/** In-memory object storage with Kubernetes semantics for names, versions and ownership. */
export class ObjectStore {
  private readonly objects = new Map<ResourceDefinition, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private revision = 1000;
  // propagationPolicy of a delete that waits for finalizers, applied when the object goes (by uid)
  private readonly pendingPolicies = new Map<string, PropagationPolicy>();

  constructor(readonly registry: ResourceRegistry) {
    for (const def of registry.all()) this.objects.set(def, new Map());
  }

  /** The resource an object belongs to. @throws InvalidObjectError for a kind the server does not serve */
  resourceFor(apiVersion: string, kind: string): ResourceDefinition {
    const def = this.registry.forKind(apiVersion, kind);
    if (!def) throw new InvalidObjectError(`the fake API does not serve ${apiVersion} ${kind}`);
    return def;
  }

  /** The current cluster-wide resourceVersion (what a list returns). */
  resourceVersion(): string {
    return String(this.revision);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  oldestWatchableVersion(): number {
    return this.history[0] ? this.history[0].resourceVersion - 1 : this.revision;
  }

  /** Recorded changes after `resourceVersion`, oldest first. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.history
      .filter((e) => e.resourceVersion > resourceVersion)
      .map((e) => ({ ...e, object: structuredClone(e.object) }));
  }

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One object, or undefined. */
  get(ref: ObjectRef): KubeObject | undefined {
    const def = this.resourceFor(ref.apiVersion, ref.kind);
    const found = this.bucket(def).get(keyOf(def.namespaced ? ref.namespace : undefined, ref.name));
    return found ? structuredClone(found) : undefined;
  }

  /** One object. @throws KubeStatusError 404 NotFound */
  read(def: ResourceDefinition, namespace: string | undefined, name: string): KubeObject {
    const found = this.bucket(def).get(keyOf(def.namespaced ? namespace : undefined, name));
    if (!found) throw notFound(def, name);
    return structuredClone(found);
  }

  /** Objects of one resource, sorted by namespace then name (as etcd returns them). */
  list(def: ResourceDefinition, filter: ListFilter = {}): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(def).values()) {
      if (filter.namespace !== undefined && def.namespaced && obj.metadata.namespace !== filter.namespace)
        continue;
      if (filter.labels && !matchesLabels(filter.labels, obj.metadata.labels)) continue;
      if (filter.fields && !matchesFields(filter.fields, obj)) continue;
      out.push(structuredClone(obj));
    }
    return out.sort((a, b) =>
      keyOf(a.metadata.namespace, a.metadata.name ?? '').localeCompare(
        keyOf(b.metadata.namespace, b.metadata.name ?? ''),
      ),
    );
  }

  /** Every object of every resource (for snapshots and debugging). */
  all(): KubeObject[] {
    return [...this.objects.keys()].flatMap((def) => this.list(def));
  }

  /**
   * Creates an object: fills uid, creationTimestamp, resourceVersion and a `generateName` suffix.
   * `keepStatus` keeps a given `.status` (seeding a scenario; a controller's view).
   * @throws KubeStatusError 409 AlreadyExists, 404 when its namespace does not exist, 422 for a bad name
   */
  create(input: KubeObject, options: { namespace?: string; keepStatus?: boolean } = {}): KubeObject {
    const def = this.resourceFor(input.apiVersion, input.kind);
    const obj = structuredClone(input);
    obj.metadata = obj.metadata ?? {};
    // The API ignores `status` on create for resources with a status subresource; seeding keeps it.
    if (!options.keepStatus && def.subresources?.includes('status')) delete obj.status;
    if (def.namespaced) {
      const namespace = options.namespace ?? obj.metadata.namespace ?? 'default';
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== namespace) {
        throw new KubeStatusError(
          400,
          'BadRequest',
          `the namespace of the provided object (${obj.metadata.namespace}) does not match the namespace sent on the request (${namespace})`,
        );
      }
      obj.metadata.namespace = namespace;
      if (
        def.kind !== 'Namespace' &&
        !this.bucket(this.resourceFor('v1', 'Namespace')).has(keyOf(undefined, namespace))
      ) {
        throw new KubeStatusError(404, 'NotFound', `namespaces "${namespace}" not found`, {
          name: namespace,
          kind: 'namespaces',
        });
      }
    } else delete obj.metadata.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    const name = obj.metadata.name;
    if (!name || !NAME_PATTERN.test(name) || name.length > 253) {
      throw new KubeStatusError(
        422,
        'Invalid',
        `${def.kind} "${name ?? ''}" is invalid: metadata.name: Invalid value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
        { name: name ?? '', group: groupOf(def), kind: def.kind },
      );
    }
    const key = keyOf(obj.metadata.namespace, name);
    if (this.bucket(def).has(key)) {
      const resource = def.group === '' ? def.plural : `${def.plural}.${def.group}`;
      throw new KubeStatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, {
        name,
        group: groupOf(def),
        kind: def.plural,
      });
    }
    obj.metadata.uid = obj.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp =
      obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.generation = obj.metadata.generation ?? 1;
    delete obj.metadata.resourceVersion;
    this.applyCreateDefaults(def, obj);
    this.commit(def, 'ADDED', obj);
    return structuredClone(obj);
  }

  /**
   * Replaces an object (PUT). With `onlyStatus`, only `.status` changes (the `/status` subresource);
   * otherwise `.status` is kept from the stored object, as the real server does for resources with
   * a status subresource.
   * @throws KubeStatusError 404, or 409 Conflict when `metadata.resourceVersion` is stale
   */
  replace(input: KubeObject, options: { onlyStatus?: boolean } = {}): KubeObject {
    const def = this.resourceFor(input.apiVersion, input.kind);
    const name = input.metadata?.name ?? '';
    const current = this.read(def, input.metadata?.namespace, name);
    const given = input.metadata?.resourceVersion;
    if (given !== undefined && given !== '' && given !== current.metadata.resourceVersion) {
      const resource = def.group === '' ? def.plural : `${def.plural}.${def.group}`;
      throw new KubeStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: groupOf(def), kind: def.plural },
      );
    }
    let next: KubeObject;
    if (options.onlyStatus) {
      next = structuredClone(current);
      next.status = structuredClone(input.status);
    } else {
      next = structuredClone(input);
      if (def.subresources?.includes('status')) next.status = current.status;
      // Identity fields are the server's, whatever the client sent.
      next.metadata = {
        ...next.metadata,
        name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      };
      if (!def.namespaced) delete next.metadata.namespace;
      // Only a delete sets these; an update can neither set nor clear them.
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
      if (current.metadata.deletionTimestamp !== undefined) {
        next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
        if (current.metadata.deletionGracePeriodSeconds !== undefined)
          next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
      }
      if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
        next.metadata.generation = (current.metadata.generation ?? 1) + 1;
      }
      if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
        // The last finalizer of a terminating object is gone: the update deletes it (as the API
        // server's registry does), so watchers see DELETED.
        this.remove(def, next);
        return structuredClone(next);
      }
    }
    this.commit(def, 'MODIFIED', next, current);
    return structuredClone(next);
  }

  /**
   * Merges `status` into an object's `.status` (RFC 7386 merge: `null` deletes a field), e.g.
   * to move a Job to `succeeded: 1` or a Pod to `phase: Running`.
   */
  updateStatus(ref: ObjectRef, status: Record<string, unknown>): KubeObject {
    const current = this.mustGet(ref);
    return this.replace(
      { ...current, status: applyMergePatch(current.status, status) },
      { onlyStatus: true },
    );
  }

  /** Creates the object, or replaces it (ignoring resourceVersion) when it exists. */
  upsert(input: KubeObject): KubeObject {
    const def = this.resourceFor(input.apiVersion, input.kind);
    const exists = this.bucket(def).has(
      keyOf(def.namespaced ? (input.metadata.namespace ?? 'default') : undefined, input.metadata.name ?? ''),
    );
    if (!exists) return this.create(input, { keepStatus: true });
    const current = this.read(def, input.metadata.namespace ?? 'default', input.metadata.name ?? '');
    const next = this.replace({
      ...input,
      metadata: { ...input.metadata, namespace: current.metadata.namespace, resourceVersion: undefined },
    });
    // an update that took the last finalizer off a terminating object removed it
    const gone =
      next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0;
    return input.status === undefined || gone
      ? next
      : this.replace({ ...next, status: input.status }, { onlyStatus: true });
  }

  /**
   * Deletes an object and — unless `propagationPolicy` is `Orphan` — the objects it owns
   * (ownerReferences by uid), recursively; deleting a Namespace deletes everything in it.
   *
   * An object with `metadata.finalizers` is only marked, as the API server does: it gets
   * `deletionTimestamp` and `deletionGracePeriodSeconds` (a MODIFIED event) and stays until an
   * update leaves its finalizers empty; then it goes (DELETED) and its dependents are handled.
   * Deleting an object already marked changes nothing. The marked (or removed) object is returned.
   * @default propagationPolicy `Orphan` for batch/v1 Jobs (the API's legacy default), `Background` otherwise
   * @throws KubeStatusError 404 NotFound
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   */
  delete(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    propagationPolicy?: PropagationPolicy,
    settings: DeleteSettings = {},
  ): KubeObject {
    const current = this.read(def, namespace, name);
    const policy =
      propagationPolicy ?? (def.group === 'batch' && def.kind === 'Job' ? 'Orphan' : 'Background');
    if (!settings.ignoreFinalizers && (current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp !== undefined) return current;
      const next = structuredClone(current);
      next.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      next.metadata.deletionGracePeriodSeconds =
        settings.gracePeriodSeconds ?? defaultGracePeriod(def, current);
      this.pendingPolicies.set(current.metadata.uid ?? '', policy);
      this.commit(def, 'MODIFIED', next, current);
      return structuredClone(next);
    }
    this.remove(def, current, policy);
    return current;
  }

  /** Takes `finalizer` off an object's `metadata.finalizers` (an update: a terminating object then goes). */
  removeFinalizer(ref: ObjectRef, finalizer: string): KubeObject {
    const current = this.mustGet(ref);
    const finalizers = current.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return current;
    return this.replace({
      ...current,
      metadata: { ...current.metadata, finalizers: finalizers.filter((f) => f !== finalizer) },
    });
  }

  /** The object or a 404. */
  mustGet(ref: ObjectRef): KubeObject {
    const def = this.resourceFor(ref.apiVersion, ref.kind);
    return this.read(def, ref.namespace, ref.name);
  }

  /** Removes a stored object now (DELETED) and handles its dependents by `policy` (or the pending one). */
  private remove(def: ResourceDefinition, current: KubeObject, propagationPolicy?: PropagationPolicy): void {
    const uid = current.metadata.uid ?? '';
    const policy =
      propagationPolicy ??
      this.pendingPolicies.get(uid) ??
      (def.group === 'batch' && def.kind === 'Job' ? 'Orphan' : 'Background');
    this.pendingPolicies.delete(uid);
    const name = current.metadata.name ?? '';
    this.bucket(def).delete(keyOf(def.namespaced ? current.metadata.namespace : undefined, name));
    this.commit(def, 'DELETED', current, undefined, false);
    if (def.kind === 'Namespace' && def.group === '') {
      for (const other of this.objects.keys()) {
        if (!other.namespaced) continue;
        for (const obj of this.list(other, { namespace: name }))
          this.delete(other, name, obj.metadata.name ?? '', 'Background', { ignoreFinalizers: true });
      }
    } else if (policy !== 'Orphan') {
      this.deleteDependents(uid);
    } else {
      this.orphanDependents(uid);
    }
  }

  private deleteDependents(ownerUid: string): void {
    for (const def of this.objects.keys()) {
      for (const obj of this.list(def)) {
        if (obj.metadata.ownerReferences?.some((o) => o.uid === ownerUid)) {
          if (this.bucket(def).has(keyOf(obj.metadata.namespace, obj.metadata.name ?? ''))) {
            this.delete(def, obj.metadata.namespace, obj.metadata.name ?? '', 'Background');
          }
        }
      }
    }
  }

  private orphanDependents(ownerUid: string): void {
    for (const def of this.objects.keys()) {
      for (const obj of this.list(def)) {
        const refs = obj.metadata.ownerReferences;
        if (!refs?.some((o) => o.uid === ownerUid)) continue;
        const next = {
          ...obj,
          metadata: { ...obj.metadata, ownerReferences: refs.filter((o) => o.uid !== ownerUid) },
        };
        if (next.metadata.ownerReferences.length === 0)
          delete (next.metadata as { ownerReferences?: unknown }).ownerReferences;
        this.commit(def, 'MODIFIED', next, obj);
      }
    }
  }

  // What the API server's defaulting and admission would add, for the fields consumers read.
  private applyCreateDefaults(def: ResourceDefinition, obj: KubeObject): void {
    if (def.group === '' && def.kind === 'Pod') {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort', ...(obj.status as object | undefined) };
    } else if (def.group === '' && def.kind === 'Namespace') {
      obj.metadata.labels = {
        'kubernetes.io/metadata.name': obj.metadata.name ?? '',
        ...obj.metadata.labels,
      };
      obj.spec = obj.spec ?? { finalizers: ['kubernetes'] };
      obj.status = obj.status ?? { phase: 'Active' };
    } else if (def.group === '' && def.kind === 'Secret') {
      // stringData is write-only: the server folds it into base64 `data`.
      const stringData = obj.stringData as Record<string, string> | undefined;
      if (stringData) {
        const data = { ...(obj.data as Record<string, string> | undefined) };
        for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
        obj.data = data;
        delete obj.stringData;
      }
      obj.type = obj.type ?? 'Opaque';
    } else if (def.group === 'batch' && def.kind === 'Job') {
      obj.status = obj.status ?? {};
    }
  }

  private bucket(def: ResourceDefinition): Map<string, KubeObject> {
    const found = this.objects.get(def);
    if (!found) throw new InvalidObjectError(`the fake API does not serve ${apiVersionOf(def)} ${def.kind}`);
    return found;
  }

  private commit(
    def: ResourceDefinition,
    type: 'ADDED' | 'MODIFIED' | 'DELETED',
    obj: KubeObject,
    previous?: KubeObject,
    store = true,
  ): void {
    this.revision += 1;
    obj.metadata.resourceVersion = String(this.revision);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    if (store)
      this.bucket(def).set(
        keyOf(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? ''),
        obj,
      );
    const event: StoreEvent = {
      type,
      object: structuredClone(obj),
      resourceVersion: this.revision,
      resource: def,
      ...(previous ? { previous: structuredClone(previous) } : {}),
    };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const listener of this.listeners) listener(event);
  }
}
