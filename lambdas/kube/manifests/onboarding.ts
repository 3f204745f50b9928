/**
 * The long-lived objects onboarding creates once per cluster (design.md § Access to the cluster):
 * the scanner's namespace with its Pod Security label, the runner's ServiceAccount, and the RBAC
 * of the scanner group (EKS access entry `kubernetesGroups: [fleet-dns-scanner]`) and of the runner.
 */
import type {
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Namespace,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { ManifestError } from './errors.js';
import { isDns1123Label, isDns1123Subdomain, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from './names.js';
import { DEFAULT_RUNNER_JOB_SETTINGS } from './settings.js';

export const DEFAULT_SCANNER_GROUP = 'fleet-dns-scanner';
/** The ClusterRole both the scanner group and the runner ServiceAccount read the cluster with. */
export const READER_CLUSTER_ROLE = 'fleet-dns-reader';
/** The Role in the scanner's namespace: run a scan's Secret and Jobs, read their pods' logs. */
export const DISPATCHER_ROLE = 'fleet-dns-dispatcher';
/** The Role in the scanner's namespace letting the probe list the node-agent pods. */
export const RUNNER_ROLE = 'fleet-dns-runner';

const READ = ['get', 'list', 'watch'];

/**
 * Read-only, cluster-wide: exactly what the checks read (runner-image/src/kube, runner-image/src/probe,
 * lambdas/kube/facts), plus NetworkPolicies for K8S-NETWORKPOLICY-DNS (checks.md C: it reads every
 * NetworkPolicy). Endpoints and Events are not read by anything, so they are not granted.
 */
export const READER_RULES: readonly V1PolicyRule[] = [
  // kube-dns, kube-dns-upstream, default/kubernetes; CoreDNS and kube-proxy pods, CoreDNS logs;
  // coredns, node-local-dns, kube-proxy(-config) ConfigMaps; every node; the pods NetworkPolicies
  // may select and kube-system's Namespace (its labels decide namespaceSelectors).
  { apiGroups: [''], resources: ['services', 'pods', 'configmaps', 'nodes', 'namespaces'], verbs: READ },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  // coredns Deployment; kube-proxy, node-local-dns and every DaemonSet in kube-system.
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  // K8S-COREDNS-RESOURCES: an HPA scaling coredns; the CoreDNS pods' memory from metrics-server.
  // Not nodes/proxy (the kubelet's CPU throttling counters): it also reaches kubelet exec.
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: READ },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
];

/**
 * The scanner group in its own namespace: each scan creates and deletes its Secret and Jobs, reads
 * its pods' logs and stops (deletes) the node agents still capturing.
 */
export const DISPATCHER_RULES: readonly V1PolicyRule[] = [
  {
    apiGroups: ['batch'],
    resources: ['jobs'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'watch'],
  },
  // list: the sweep finds leftovers; deletecollection: the collector deletes a scan's by label
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list'] },
  // delete: the collector stops the node agents still capturing — deleting the pod sends SIGTERM,
  // on which the agent writes its result to its log and exits (collect/read-runner-pod-log.ts)
  { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'delete'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  // why a runner pod never came up (FailedCreate, image pulls): runnerStatus reads them
  { apiGroups: [''], resources: ['events'], verbs: ['list'] },
];

/** The runner in the scanner's namespace: the probe's wait for the node agents lists their pods. */
export const RUNNER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
];

export interface OnboardingInput {
  /** @default 'fleet-dns' */
  readonly namespace?: string;
  /** The Kubernetes group of the scanner's access entry. @default 'fleet-dns-scanner' */
  readonly scannerGroup?: string;
  /** @default 'fleet-dns-runner' */
  readonly runnerServiceAccount?: string;
}

export type OnboardingObject =
  V1Namespace | V1ServiceAccount | V1ClusterRole | V1ClusterRoleBinding | V1Role | V1RoleBinding;

/** The objects, in the order `kubectl apply` needs them (the namespace first). */
export interface OnboardingManifests {
  readonly namespace: V1Namespace;
  readonly serviceAccount: V1ServiceAccount;
  readonly readerClusterRole: V1ClusterRole;
  readonly readerBinding: V1ClusterRoleBinding;
  readonly dispatcherRole: V1Role;
  readonly dispatcherBinding: V1RoleBinding;
  readonly runnerRole: V1Role;
  readonly runnerBinding: V1RoleBinding;
  /** All of the above, in that order. */
  readonly all: readonly OnboardingObject[];
}

/** The one-line problem with a group name, or undefined (RBAC subjects take any non-empty name). */
function groupProblem(group: string): string | undefined {
  if (group.trim() === '' || group !== group.trim()) return 'group name is empty or has surrounding spaces';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(group)) return 'group name contains control characters';
  return undefined;
}

/**
 * The onboarding objects. Throws a {@link ManifestError} naming each bad input.
 *
 * @example kubectl apply -f <(fleet-dns onboard --print)
 */
export function buildOnboardingManifests(input: OnboardingInput = {}): OnboardingManifests {
  const namespace = input.namespace ?? DEFAULT_RUNNER_JOB_SETTINGS.namespace;
  const scannerGroup = input.scannerGroup ?? DEFAULT_SCANNER_GROUP;
  const runnerServiceAccount = input.runnerServiceAccount ?? DEFAULT_RUNNER_JOB_SETTINGS.runnerServiceAccount;
  const problems = [
    ...(isDns1123Label(namespace) ? [] : [`namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`]),
    ...[groupProblem(scannerGroup)].filter((p) => p !== undefined),
    ...(isDns1123Subdomain(runnerServiceAccount)
      ? []
      : [`ServiceAccount ${JSON.stringify(runnerServiceAccount)} is not a DNS-1123 subdomain`]),
  ];
  if (problems.length > 0) throw new ManifestError(problems);

  const group = { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: scannerGroup };
  const runner = { kind: 'ServiceAccount', name: runnerServiceAccount, namespace };
  const rules = (r: readonly V1PolicyRule[]) => structuredClone([...r]);

  const ns: V1Namespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        ...labels(),
        // hostNetwork and NET_RAW are outside "baseline" (design.md § Pod security).
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'privileged',
        'pod-security.kubernetes.io/warn-version': 'latest',
      },
    },
  };
  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: runnerServiceAccount, namespace, labels: labels() },
    automountServiceAccountToken: false,
  };
  const readerClusterRole: V1ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: READER_CLUSTER_ROLE, labels: labels() },
    rules: rules(READER_RULES),
  };
  const readerBinding: V1ClusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: READER_CLUSTER_ROLE, labels: labels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_CLUSTER_ROLE },
    subjects: [group, runner],
  };
  const dispatcherRole = namespacedRole(DISPATCHER_ROLE, namespace, rules(DISPATCHER_RULES));
  const dispatcherBinding = namespacedRoleBinding(DISPATCHER_ROLE, namespace, { ...group });
  const runnerRole = namespacedRole(RUNNER_ROLE, namespace, rules(RUNNER_RULES));
  const runnerBinding = namespacedRoleBinding(RUNNER_ROLE, namespace, { ...runner });
  return {
    namespace: ns,
    serviceAccount,
    readerClusterRole,
    readerBinding,
    dispatcherRole,
    dispatcherBinding,
    runnerRole,
    runnerBinding,
    all: [
      ns,
      serviceAccount,
      readerClusterRole,
      readerBinding,
      dispatcherRole,
      dispatcherBinding,
      runnerRole,
      runnerBinding,
    ],
  };
}

/** The labels of every object onboarding creates. */
function labels(): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_NAME]: 'fleet-dns' };
}

function namespacedRole(name: string, namespace: string, rules: V1PolicyRule[]): V1Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace, labels: labels() },
    rules,
  };
}

/** Binds the Role of the same name to one subject. */
function namespacedRoleBinding(name: string, namespace: string, subject: RbacV1Subject): V1RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: labels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [subject],
  };
}
