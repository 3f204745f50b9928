/**
 * The parts of Kubernetes objects the in-cluster evaluators read, as structural types. The core
 * cannot import @kubernetes/client-node (it is pure), and these accept both the plain JSON the
 * API serves and client-node's model instances (whose timestamps are `Date`s). Every field is
 * optional: an object missing a field is judged, never crashed on.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/
 */

export type Timestamp = string | Date;

export interface KubeMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: Timestamp;
  readonly deletionTimestamp?: Timestamp;
  readonly ownerReferences?: readonly {
    readonly kind?: string;
    readonly name?: string;
    readonly controller?: boolean;
  }[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface ServicePort {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly targetPort?: number | string;
}

export interface KubeService {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly ports?: readonly ServicePort[];
    readonly selector?: Readonly<Record<string, string>>;
  };
}

export interface KubeEndpointSlice {
  readonly metadata?: KubeMeta;
  readonly addressType?: string;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly conditions?: {
      readonly ready?: boolean;
      readonly serving?: boolean;
      readonly terminating?: boolean;
    };
    readonly nodeName?: string;
    readonly zone?: string;
    readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
  }[];
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[];
}

export interface ContainerState {
  readonly running?: { readonly startedAt?: Timestamp };
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly terminated?: {
    readonly reason?: string;
    readonly exitCode?: number;
    readonly startedAt?: Timestamp;
    readonly finishedAt?: Timestamp;
  };
}

export interface ContainerStatus {
  readonly name?: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
  readonly matchFields?: readonly LabelSelectorRequirement[];
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly affinity?: {
    readonly nodeAffinity?: {
      readonly requiredDuringSchedulingIgnoredDuringExecution?: {
        readonly nodeSelectorTerms?: readonly NodeSelectorTerm[];
      };
    };
    readonly podAntiAffinity?: {
      readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly { readonly topologyKey?: string }[];
      readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly {
        readonly podAffinityTerm?: { readonly topologyKey?: string };
      }[];
    };
  };
  readonly topologySpreadConstraints?: readonly {
    readonly topologyKey?: string;
    readonly maxSkew?: number;
  }[];
  readonly hostNetwork?: boolean;
  readonly containers?: readonly KubeContainer[];
}

/** Resource quantities as the API serves them (`170Mi`, `100m`; client-node types them as strings). */
export type ResourceList = Readonly<Record<string, string | number>>;

export interface KubeContainer {
  readonly name?: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly command?: readonly string[];
  readonly ports?: readonly ContainerPort[];
  readonly resources?: { readonly limits?: ResourceList; readonly requests?: ResourceList };
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort?: number;
  /** @default 'TCP' (the API's default) */
  readonly protocol?: string;
}

export interface KubePod {
  readonly metadata?: KubeMeta;
  readonly spec?: PodSpec;
  readonly status?: {
    readonly phase?: string;
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip?: string }[];
    readonly hostIP?: string;
    readonly reason?: string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
    readonly containerStatuses?: readonly ContainerStatus[];
  };
}

export interface KubeNode {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly providerID?: string;
    readonly unschedulable?: boolean;
    readonly taints?: readonly { readonly key?: string; readonly value?: string; readonly effect?: string }[];
  };
  readonly status?: {
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
  };
}

export interface KubeWorkload {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelector;
    readonly template?: { readonly metadata?: KubeMeta; readonly spec?: PodSpec };
  };
  readonly status?: unknown;
}

export interface KubePodDisruptionBudget {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly selector?: LabelSelector;
    readonly minAvailable?: number | string;
    readonly maxUnavailable?: number | string;
  };
  readonly status?: {
    readonly disruptionsAllowed?: number;
    readonly currentHealthy?: number;
    readonly expectedPods?: number;
  };
}

export interface KubeNamespace {
  readonly metadata?: KubeMeta;
}

/** A port of a NetworkPolicy rule (networking.k8s.io/v1 NetworkPolicyPort). */
export interface NetworkPolicyPort {
  /** @default 'TCP' */
  readonly protocol?: string;
  /** a number or a named container port of the destination pod; absent: every port */
  readonly port?: number | string;
  /** the last port of a range starting at `port` (a number then) */
  readonly endPort?: number;
}

/** A peer of a NetworkPolicy rule (NetworkPolicyPeer): ipBlock alone, or the selectors. */
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr?: string; readonly except?: readonly string[] };
}

/** One egress rule (NetworkPolicyEgressRule): absent or empty `to`/`ports` mean every one. */
export interface NetworkPolicyEgressRule {
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface KubeNetworkPolicy {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly podSelector?: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly unknown[];
    readonly egress?: readonly NetworkPolicyEgressRule[];
  };
}

/**
 * autoscaling/v2 HorizontalPodAutoscaler: what it scales.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
 */
export interface KubeHorizontalPodAutoscaler {
  readonly metadata?: KubeMeta;
  readonly spec?: {
    readonly scaleTargetRef?: {
      readonly apiVersion?: string;
      readonly kind?: string;
      readonly name?: string;
    };
    readonly minReplicas?: number;
    readonly maxReplicas?: number;
  };
}

/**
 * metrics.k8s.io/v1beta1 PodMetrics (metrics-server): each container's usage over `window`;
 * memory is the working set, the figure the kernel's OOM killer is judged against.
 * @see https://github.com/kubernetes/metrics/blob/master/pkg/apis/metrics/v1beta1/types.go
 */
export interface KubePodMetrics {
  readonly metadata?: KubeMeta;
  readonly timestamp?: Timestamp;
  readonly window?: string;
  readonly containers?: readonly { readonly name?: string; readonly usage?: ResourceList }[];
}

export interface KubeConfigMap {
  readonly metadata?: KubeMeta;
  readonly data?: Readonly<Record<string, string>>;
}

const QUANTITY =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const QUANTITY_SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A resource quantity in base units (bytes for memory, cores for CPU): `170Mi` → 178257920,
 * `100m` → 0.1, `2150678n` → 0.002150678, `129e6` → 129000000. Undefined when malformed.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value === undefined) return undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  return base * (m[3] !== undefined ? (QUANTITY_SUFFIX[m[3]] ?? 1) : 1);
}

/** Epoch ms of a Kubernetes timestamp (RFC 3339 string or `Date`), or undefined. */
export function timestampMs(value: Timestamp | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** ISO text of a Kubernetes timestamp, for evidence. */
export function timestampText(value: Timestamp | undefined): string | undefined {
  const ms = timestampMs(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/**
 * Whether `labels` match a label selector (matchLabels AND every matchExpression). An empty
 * selector matches everything, as in the API — except where a caller says otherwise (a PDB with
 * an empty selector matches every pod in its namespace in policy/v1).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(req, labels[req.key])) return false;
  }
  return true;
}

/**
 * One selector requirement against a label value (`undefined` when the label is absent). Node
 * affinity adds `Gt`/`Lt` to the label-selector operators.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#operators
 */
export function requirementMatches(req: LabelSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const a = Number(value);
      const b = Number(values[0]);
      if (value === undefined || !Number.isInteger(a) || !Number.isInteger(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** The pod's `Ready` condition is True. */
export function podIsReady(pod: KubePod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The node's `Ready` condition is True. */
export function nodeIsReady(node: KubeNode): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Whether a DaemonSet pod with this spec would run on the node: nodeSelector, required node
 * affinity (terms ORed, expressions ANDed) and NoSchedule/NoExecute taints it does not tolerate.
 * The DaemonSet controller adds tolerations for the node-condition taints, so those are ignored.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#how-daemon-pods-are-scheduled
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export function daemonPodFitsNode(spec: PodSpec | undefined, node: KubeNode): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined && terms.length > 0) {
    const fields: Record<string, string | undefined> = { 'metadata.name': node.metadata?.name };
    const anyTerm = terms.some(
      (t) =>
        (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
        (t.matchFields ?? []).every((r) => requirementMatches(r, fields[r.key])),
    );
    if (!anyTerm) return false;
  }
  const tolerations = spec?.tolerations ?? [];
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (taint.key?.startsWith('node.kubernetes.io/')) continue;
    const tolerated = tolerations.some((t) => {
      if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
      if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
      return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
    });
    if (!tolerated) return false;
  }
  return true;
}
