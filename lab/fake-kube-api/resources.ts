/**
 * The API resources the fake server knows: group/version, kind, plural, scope, and the field
 * selectors the real API server accepts for each (an unsupported field label is a 400 there too).
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/#supported-fields
 */

/** One REST resource (e.g. `pods` in core/v1, `endpointslices` in discovery.k8s.io/v1). */
export interface ResourceDefinition {
  /** API group; `''` for the core group */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** the plural resource name used in paths, e.g. `endpointslices` */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  /** subresources served, e.g. `status`, `log` */
  readonly subresources?: readonly string[];
  /** field-selector labels besides `metadata.name` / `metadata.namespace` */
  readonly fieldLabels?: readonly string[];
  /**
   * only get, list and watch through the API (an aggregated API such as metrics.k8s.io: writes
   * are a 405 there); the fake's own `objects`/`api.apply` still set them
   */
  readonly readOnly?: boolean;
}

const core = (
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDefinition> = {},
): ResourceDefinition => ({ group: '', version: 'v1', kind, plural, namespaced, ...extra });

const grouped = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDefinition> = {},
): ResourceDefinition => ({ group, version, kind, plural, namespaced, ...extra });

/** Every resource the fake API serves by default. */
export const DEFAULT_RESOURCES: readonly ResourceDefinition[] = [
  core('Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status'],
    fieldLabels: ['status.phase'],
  }),
  core('Node', 'nodes', false, {
    shortNames: ['no'],
    subresources: ['status'],
    fieldLabels: ['spec.unschedulable'],
  }),
  core('Service', 'services', true, { shortNames: ['svc'], subresources: ['status'] }),
  core('Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  core('Pod', 'pods', true, {
    shortNames: ['po'],
    subresources: ['status', 'log'],
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  core('ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  core('Secret', 'secrets', true, { fieldLabels: ['type'] }),
  core('ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  core('Event', 'events', true, {
    shortNames: ['ev'],
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  grouped('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  grouped('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], subresources: ['status'] }),
  grouped('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    subresources: ['status'],
  }),
  grouped('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    subresources: ['status'],
    fieldLabels: ['status.replicas'],
  }),
  grouped('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  // No status subresource: NetworkPolicyStatus was removed in Kubernetes 1.28 (KEP-2943 withdrawn).
  grouped('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  grouped('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    subresources: ['status'],
  }),
  // metrics-server's aggregated API: PodMetrics carry their pod's labels, so labelSelector works
  // as there. A cluster without metrics-server answers 404 for it (inject a fault to model one).
  grouped('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods', true, { readOnly: true }),
  grouped('batch', 'v1', 'Job', 'jobs', true, {
    subresources: ['status'],
    fieldLabels: ['status.successful'],
  }),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
];

/** `group/version`, or `version` for the core group: the value of an object's `apiVersion`. */
export function apiVersionOf(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

/** Looks resources up by plural (per group/version) and by apiVersion + kind. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceDefinition>();
  private readonly byKind = new Map<string, ResourceDefinition>();

  constructor(definitions: readonly ResourceDefinition[]) {
    for (const def of definitions) {
      this.byPath.set(`${apiVersionOf(def)}/${def.plural}`, def);
      this.byKind.set(`${apiVersionOf(def)}/${def.kind}`, def);
    }
  }

  /** The resource at `/api(s)/<apiVersion>/<plural>`, if served. */
  byPlural(apiVersion: string, plural: string): ResourceDefinition | undefined {
    return this.byPath.get(`${apiVersion}/${plural}`);
  }

  /** The resource for an object's `apiVersion` + `kind`, if served. */
  forKind(apiVersion: string, kind: string): ResourceDefinition | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Every served resource. */
  all(): ResourceDefinition[] {
    return [...this.byPath.values()];
  }

  /** The served group/versions (core first), for discovery. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const def of this.byPath.values())
      seen.set(apiVersionOf(def), { group: def.group, version: def.version });
    return [...seen.values()];
  }
}
