/**
 * Applying the onboarding objects (design.md § Access to the cluster) with a person's admin
 * kubeconfig, create-or-replace in the order `buildOnboardingManifests` gives (the namespace
 * first). Each object is read first: absent → created; present → the parts fleet-dns owns are
 * compared (the labels and annotations it sets, and the content: Namespace labels, RBAC rules,
 * roleRef and subjects, the ServiceAccount's fields) and the object is replaced only when they
 * differ, keeping everything else on it (other labels, annotations, server fields) and its
 * `resourceVersion`, so a concurrent change is a 409 and is read again. A binding whose roleRef
 * differs is deleted and re-created (roleRef is immutable). A second run therefore writes
 * nothing. Results use kubectl's words: `created`, `configured`, `unchanged`.
 *
 * 401/403 (and timeouts, TLS and network failures, other HTTP errors) are a
 * {@link KubeAccessError} naming the verb and resource: `create clusterroles: HTTP 403: …`.
 */
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type {
  KubeConfig,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Namespace,
  V1ObjectMeta,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { ApiRetryRecord, RetrySettings } from '../../core/retry/index.js';
import { kubeApiConfiguration } from '../client/create-kube-client.js';
import { KubeAdapterError, toKubeAccessError } from '../errors.js';
import { firstDifference } from '../first-difference.js';
import type { OnboardingObject } from '../manifests/onboarding.js';

/** What applying one object did, in kubectl's words. */
export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface AppliedObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** as kubectl prints it: `namespace/fleet-dns`, `clusterrole.rbac.authorization.k8s.io/fleet-dns-reader` */
  readonly ref: string;
  readonly action: ApplyAction;
  /** with `configured`: the first owned field that differed, e.g. `rules[0].verbs` */
  readonly difference?: string;
  /** with `configured`: the binding was deleted and created again (its roleRef differed) */
  readonly recreated?: boolean;
}

export interface ApplyOnboardingInput {
  /** a loaded kubeconfig, its context selected (`loadKubeConfig`) */
  readonly kubeConfig: KubeConfig;
  /** `buildOnboardingManifests(…).all`, applied in this order */
  readonly objects: readonly OnboardingObject[];
  /** deadline per request; @default 10_000 */
  readonly timeoutMs?: number;
  /** retries of transient failures (429, 500, 503, resets); @default the kube client's policy */
  readonly retry?: RetrySettings;
  /** called after each object, in order (the CLI prints a line per object as kubectl does) */
  readonly onApplied?: (object: AppliedObject) => void;
}

export interface AppliedOnboarding {
  readonly objects: readonly AppliedObject[];
  /** the calls that were retried */
  readonly apiRetries: readonly ApiRetryRecord[];
}

/** How to read, create, replace and delete one kind; what of it fleet-dns owns. */
interface KindApi {
  /** the resource in messages and RBAC terms, e.g. `clusterroles` */
  readonly resource: string;
  /** kubectl's `resource.group`, e.g. `clusterrole.rbac.authorization.k8s.io` */
  readonly kubectlType: string;
  read(name: string, namespace: string): Promise<OnboardingObject>;
  create(body: OnboardingObject, namespace: string): Promise<unknown>;
  replace(body: OnboardingObject, name: string, namespace: string): Promise<unknown>;
  delete?(name: string, namespace: string): Promise<unknown>;
  /** the fields besides metadata that fleet-dns sets and compares exactly */
  content(o: OnboardingObject): Record<string, unknown>;
  /** fields that cannot change in place: a difference there means delete and create */
  immutable?(o: OnboardingObject): Record<string, unknown>;
}

function kindApis(core: CoreV1Api, rbac: RbacAuthorizationV1Api): Partial<Record<string, KindApi>> {
  const rbacType = (t: string) => `${t}.rbac.authorization.k8s.io`;
  const rulesOf = (o: OnboardingObject) => ({ rules: (o as V1Role).rules });
  const bindingOf = (o: OnboardingObject) => ({
    roleRef: (o as V1RoleBinding).roleRef,
    subjects: (o as V1RoleBinding).subjects,
  });
  const roleRefOf = (o: OnboardingObject) => ({ roleRef: (o as V1RoleBinding).roleRef });
  return {
    Namespace: {
      resource: 'namespaces',
      kubectlType: 'namespace',
      read: (name) => core.readNamespace({ name }),
      create: (body) => core.createNamespace({ body: body as V1Namespace }),
      replace: (body, name) => core.replaceNamespace({ name, body: body as V1Namespace }),
      // its labels (Pod Security) are the content, compared with the other labels
      content: () => ({}),
    },
    ServiceAccount: {
      resource: 'serviceaccounts',
      kubectlType: 'serviceaccount',
      read: (name, namespace) => core.readNamespacedServiceAccount({ name, namespace }),
      create: (body, namespace) =>
        core.createNamespacedServiceAccount({ namespace, body: body as V1ServiceAccount }),
      replace: (body, name, namespace) =>
        core.replaceNamespacedServiceAccount({ name, namespace, body: body as V1ServiceAccount }),
      // only the fields we set: the server (or an older token controller) may fill `secrets`
      content: (o) => ({
        automountServiceAccountToken: (o as V1ServiceAccount).automountServiceAccountToken,
      }),
    },
    ClusterRole: {
      resource: 'clusterroles',
      kubectlType: rbacType('clusterrole'),
      read: (name) => rbac.readClusterRole({ name }),
      create: (body) => rbac.createClusterRole({ body: body as V1ClusterRole }),
      replace: (body, name) => rbac.replaceClusterRole({ name, body: body as V1ClusterRole }),
      content: rulesOf,
    },
    ClusterRoleBinding: {
      resource: 'clusterrolebindings',
      kubectlType: rbacType('clusterrolebinding'),
      read: (name) => rbac.readClusterRoleBinding({ name }),
      create: (body) => rbac.createClusterRoleBinding({ body: body as V1ClusterRoleBinding }),
      replace: (body, name) => rbac.replaceClusterRoleBinding({ name, body: body as V1ClusterRoleBinding }),
      delete: (name) => rbac.deleteClusterRoleBinding({ name }),
      content: bindingOf,
      immutable: roleRefOf,
    },
    Role: {
      resource: 'roles',
      kubectlType: rbacType('role'),
      read: (name, namespace) => rbac.readNamespacedRole({ name, namespace }),
      create: (body, namespace) => rbac.createNamespacedRole({ namespace, body: body as V1Role }),
      replace: (body, name, namespace) =>
        rbac.replaceNamespacedRole({ name, namespace, body: body as V1Role }),
      content: rulesOf,
    },
    RoleBinding: {
      resource: 'rolebindings',
      kubectlType: rbacType('rolebinding'),
      read: (name, namespace) => rbac.readNamespacedRoleBinding({ name, namespace }),
      create: (body, namespace) =>
        rbac.createNamespacedRoleBinding({ namespace, body: body as V1RoleBinding }),
      replace: (body, name, namespace) =>
        rbac.replaceNamespacedRoleBinding({ name, namespace, body: body as V1RoleBinding }),
      delete: (name, namespace) => rbac.deleteNamespacedRoleBinding({ name, namespace }),
      content: bindingOf,
      immutable: roleRefOf,
    },
  };
}

const statusOf = (err: unknown): unknown =>
  typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;

/** The first difference between what we want and what is there, in the parts we own. */
function ownedDifference(
  api: KindApi,
  wanted: OnboardingObject,
  actual: OnboardingObject,
): string | undefined {
  const meta = (m: V1ObjectMeta | undefined) => ({
    labels: m?.labels ?? {},
    annotations: m?.annotations ?? {},
  });
  // Labels and annotations: ours must be there (others' may be too). Content: exactly ours,
  // so a rule someone added is a difference too (contained both ways).
  return (
    firstDifference({ metadata: meta(wanted.metadata) }, { metadata: meta(actual.metadata) }) ??
    firstDifference(api.content(wanted), api.content(actual)) ??
    firstDifference(api.content(actual), api.content(wanted))
  );
}

/** The object as it is, with our labels, annotations and content laid over it. */
function merged(api: KindApi, wanted: OnboardingObject, actual: OnboardingObject): OnboardingObject {
  const annotations = { ...actual.metadata?.annotations, ...wanted.metadata?.annotations };
  return {
    ...actual,
    metadata: {
      ...actual.metadata,
      labels: { ...actual.metadata?.labels, ...wanted.metadata?.labels },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    ...api.content(wanted),
  } as OnboardingObject;
}

/** Reading, writing: 409 on a write means someone else wrote first; read again, this often. */
const MAX_ROUNDS = 3;

async function applyOne(api: KindApi, wanted: OnboardingObject): Promise<AppliedObject> {
  const name = wanted.metadata?.name ?? '';
  const namespace = wanted.metadata?.namespace ?? '';
  const at = namespace === '' ? name : `${namespace}/${name}`;
  const where = namespace === '' ? '' : ` in namespace ${namespace}`;
  const result = (action: ApplyAction, extra: Partial<AppliedObject> = {}): AppliedObject => ({
    kind: wanted.kind ?? '',
    name,
    ...(namespace !== '' ? { namespace } : {}),
    ref: `${api.kubectlType}/${name}`,
    action,
    ...extra,
  });
  const call = async <T>(what: string, request: () => Promise<T>, tolerate: number[] = []) => {
    try {
      return { ok: true as const, value: await request() };
    } catch (err) {
      const status = statusOf(err);
      if (typeof status === 'number' && tolerate.includes(status)) return { ok: false as const, status };
      throw toKubeAccessError(what, err) ?? err;
    }
  };

  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const read = await call(`get ${api.resource} ${at}`, () => api.read(name, namespace), [404]);
    if (!read.ok) {
      const created = await call(
        `create ${api.resource}${where}`,
        () => api.create(wanted, namespace),
        [409],
      );
      if (created.ok) return result('created');
      continue; // created meanwhile: compare with it
    }
    const actual = read.value;
    const difference = ownedDifference(api, wanted, actual);
    if (difference === undefined) return result('unchanged');
    if (api.immutable && api.delete && firstDifference(api.immutable(wanted), api.immutable(actual))) {
      const remove = api.delete;
      await call(`delete ${api.resource} ${at}`, () => remove(name, namespace), [404]);
      const created = await call(
        `create ${api.resource}${where}`,
        () => api.create(wanted, namespace),
        [409],
      );
      if (created.ok) return result('configured', { difference, recreated: true });
      continue;
    }
    const replaced = await call(
      `update ${api.resource} ${at}`,
      () => api.replace(merged(api, wanted, actual), name, namespace),
      [409],
    );
    if (replaced.ok) return result('configured', { difference });
  }
  throw new KubeAdapterError(
    `${api.kubectlType}/${name}: changed by someone else on each of ${MAX_ROUNDS} attempts to apply it; try again`,
  );
}

/**
 * Creates or replaces the onboarding objects, in order, and says what happened to each.
 * Stops at the first failure (what was applied before it stays, and a rerun continues).
 *
 * @example
 * const kubeConfig = loadKubeConfig({ file, context });
 * const { objects } = await applyOnboarding({ kubeConfig, objects: buildOnboardingManifests().all });
 */
export async function applyOnboarding(input: ApplyOnboardingInput): Promise<AppliedOnboarding> {
  const apiRetries: ApiRetryRecord[] = [];
  const configuration = kubeApiConfiguration(
    input.kubeConfig,
    {
      ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
      ...(input.retry !== undefined ? { retry: input.retry } : {}),
    },
    apiRetries,
  );
  const apis = kindApis(new CoreV1Api(configuration), new RbacAuthorizationV1Api(configuration));
  // Every kind known before the first request: an unknown one is a bug, not a half-applied cluster.
  const unknown = input.objects.filter((o) => apis[o.kind ?? ''] === undefined).map((o) => o.kind);
  if (unknown.length > 0) throw new KubeAdapterError(`cannot apply kind ${unknown.join(', ')}`);
  const applied: AppliedObject[] = [];
  for (const object of input.objects) {
    const api = apis[object.kind ?? ''];
    if (api === undefined) continue;
    const outcome = await applyOne(api, object);
    applied.push(outcome);
    input.onApplied?.(outcome);
  }
  return { objects: applied, apiRetries };
}
