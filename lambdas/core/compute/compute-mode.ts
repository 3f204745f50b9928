/**
 * EKS-COMPUTE-MODE (checks.md § C): what runs the cluster's pods — EKS Auto Mode, Fargate,
 * managed node groups, self-managed nodes — and whether a CNI replaces kube-proxy (Cilium). Pure:
 * the facts come from the snapshot (DescribeCluster's `computeConfig`, the nodes' labels, the
 * kube-system DaemonSets and Cilium's `kube-proxy-replacement`).
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/automode.html
 * @see https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';

/** The node label EKS sets on Fargate (`fargate`) and Auto Mode (`auto`) nodes. */
export const COMPUTE_TYPE_LABEL = 'eks.amazonaws.com/compute-type';
/** The node label of managed node group nodes: the group's name. */
export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
/** The node labels the snapshot keeps (every other label is left out: snapshots stay small). */
export const COMPUTE_NODE_LABELS: readonly string[] = [COMPUTE_TYPE_LABEL, NODEGROUP_LABEL];

/** DaemonSets (kube-system) of CNIs that can replace kube-proxy, and how they are named. */
const KUBE_PROXY_REPLACEMENTS: Readonly<Record<string, string>> = {
  cilium: 'Cilium',
  'kube-router': 'kube-router',
  'antrea-agent': 'Antrea (AntreaProxy)',
};

export type ComputeModeName =
  'eks-auto-mode' | 'fargate' | 'managed-node-groups' | 'self-managed-nodes' | 'kube-proxy-replacement';

/** What the scanner read about the cluster's compute; `undefined` = not read. */
export interface ComputeFacts {
  /** DescribeCluster `computeConfig.enabled`: EKS Auto Mode */
  readonly autoModeEnabled?: boolean;
  /** every node, with (at least) the compute labels */
  readonly nodes?: readonly { readonly name: string; readonly labels?: Readonly<Record<string, string>> }[];
  /** the nodes that host CoreDNS pods */
  readonly corednsNodes?: readonly string[];
  /** names of the DaemonSets in kube-system */
  readonly daemonSets?: readonly string[];
  /** Cilium's `kube-proxy-replacement` setting (ConfigMap kube-system/cilium-config) */
  readonly ciliumKubeProxyReplacement?: string;
}

/** The mode as EKS-COMPUTE-MODE's evidence carries it (and {@link applyComputeMode} reads it back). */
export interface ComputeMode {
  readonly modes: ComputeModeName[];
  readonly autoModeEnabled: boolean | null;
  readonly nodes: {
    readonly total: number;
    readonly fargate: number;
    readonly autoMode: number;
    /** node group name → nodes */
    readonly managedNodeGroups: Record<string, number>;
    readonly selfManaged: number;
  };
  /** the CoreDNS nodes on Fargate (no node agent can read a Fargate node's counters) */
  readonly corednsOnFargate: string[];
  /** every CoreDNS node is on Fargate (and there is at least one) */
  readonly corednsFargateOnly: boolean;
  /** every node is Fargate */
  readonly fargateOnly: boolean;
  /** every node is EKS Auto Mode (or Auto Mode is on and there are no nodes yet) */
  readonly autoModeOnly: boolean;
  readonly kubeProxy: {
    /** a kube-proxy DaemonSet in kube-system (null: not read) */
    readonly daemonSet: boolean | null;
    /** the CNI that replaces kube-proxy, when one does */
    readonly replacedBy: string | null;
    /** why we say so */
    readonly because?: string;
  };
}

/** Cilium's setting: `true`/`strict` (and the pre-1.14 `probe`/`partial` do not replace it wholly). */
function ciliumReplacesKubeProxy(value: string | undefined): boolean {
  return value !== undefined && ['true', 'strict'].includes(value.trim().toLowerCase());
}

/** The cluster's compute mode from the facts read. */
export function computeModeOf(facts: ComputeFacts): ComputeMode {
  const nodes = facts.nodes ?? [];
  const fargate = nodes.filter((n) => n.labels?.[COMPUTE_TYPE_LABEL] === 'fargate');
  const auto = nodes.filter((n) => n.labels?.[COMPUTE_TYPE_LABEL] === 'auto');
  const managed: Record<string, number> = {};
  let selfManaged = 0;
  for (const n of nodes) {
    const type = n.labels?.[COMPUTE_TYPE_LABEL];
    if (type === 'fargate' || type === 'auto') continue;
    const group = n.labels?.[NODEGROUP_LABEL];
    if (group !== undefined) managed[group] = (managed[group] ?? 0) + 1;
    else selfManaged++;
  }
  const fargateNames = new Set(fargate.map((n) => n.name));
  const corednsOnFargate = (facts.corednsNodes ?? []).filter(
    (n) => fargateNames.has(n) || n.startsWith('fargate-'),
  );
  const daemonSets = facts.daemonSets;
  const hasKubeProxy = daemonSets === undefined ? null : daemonSets.includes('kube-proxy');
  let replacedBy: string | null = null;
  let because: string | undefined;
  if (daemonSets?.includes('cilium') && ciliumReplacesKubeProxy(facts.ciliumKubeProxyReplacement)) {
    replacedBy = 'Cilium';
    because = `ConfigMap kube-system/cilium-config has kube-proxy-replacement: "${facts.ciliumKubeProxyReplacement}"`;
  } else if (hasKubeProxy === false) {
    const cni = (daemonSets ?? []).find((d) => KUBE_PROXY_REPLACEMENTS[d] !== undefined);
    if (cni !== undefined) {
      replacedBy = KUBE_PROXY_REPLACEMENTS[cni] as string;
      because = `no kube-proxy DaemonSet, DaemonSet kube-system/${cni} present`;
    }
  }
  const autoModeOnly =
    (nodes.length > 0 && auto.length === nodes.length) ||
    (nodes.length === 0 && facts.autoModeEnabled === true);
  const modes: ComputeModeName[] = [];
  if (facts.autoModeEnabled === true || auto.length > 0) modes.push('eks-auto-mode');
  if (fargate.length > 0) modes.push('fargate');
  if (Object.keys(managed).length > 0) modes.push('managed-node-groups');
  if (selfManaged > 0) modes.push('self-managed-nodes');
  if (replacedBy !== null) modes.push('kube-proxy-replacement');
  return {
    modes,
    autoModeEnabled: facts.autoModeEnabled ?? null,
    nodes: {
      total: nodes.length,
      fargate: fargate.length,
      autoMode: auto.length,
      managedNodeGroups: managed,
      selfManaged,
    },
    corednsOnFargate,
    corednsFargateOnly:
      corednsOnFargate.length > 0 && corednsOnFargate.length === (facts.corednsNodes ?? []).length,
    fargateOnly: nodes.length > 0 && fargate.length === nodes.length,
    autoModeOnly,
    kubeProxy: { daemonSet: hasKubeProxy, replacedBy, ...(because !== undefined && { because }) },
  };
}

const MODE_TEXT: Record<ComputeModeName, string> = {
  'eks-auto-mode': 'EKS Auto Mode',
  fargate: 'Fargate',
  'managed-node-groups': 'managed node groups',
  'self-managed-nodes': 'self-managed nodes',
  'kube-proxy-replacement': 'kube-proxy replaced',
};

/** What {@link evaluateComputeMode} judges: the facts, or why they could not be read. */
export type ComputeModeInput =
  | { readonly facts: ComputeFacts; readonly notes?: readonly string[] }
  | { readonly unreadable: string; readonly autoModeEnabled?: boolean }
  | { readonly notConsulted: string; readonly autoModeEnabled?: boolean };

/**
 * Evaluates EKS-COMPUTE-MODE: PASS with the mode in evidence (`mode`, `summary` naming it), ERROR
 * when it could not be read, SKIPPED when the cluster API was not consulted; never FAIL or WARN.
 */
export function evaluateComputeMode(input: ComputeModeInput): CheckResult {
  if ('unreadable' in input || 'notConsulted' in input) {
    const reason = 'unreadable' in input ? input.unreadable : input.notConsulted;
    return makeResult('EKS-COMPUTE-MODE', {
      status: 'unreadable' in input ? 'ERROR' : 'SKIPPED',
      evidence: {
        summary: reason,
        reason,
        ...(input.autoModeEnabled !== undefined && { autoModeEnabled: input.autoModeEnabled }),
      },
    });
  }
  const mode = computeModeOf(input.facts);
  const n = mode.nodes;
  const parts = [
    ...(mode.modes.includes('eks-auto-mode')
      ? [`EKS Auto Mode${n.autoMode > 0 ? ` (${n.autoMode} node(s))` : ''}`]
      : []),
    ...(n.fargate > 0 ? [`Fargate (${n.fargate} node(s))`] : []),
    ...Object.entries(n.managedNodeGroups).map(([g, c]) => `managed node group ${g} (${c} node(s))`),
    ...(n.selfManaged > 0 ? [`self-managed nodes (${n.selfManaged})`] : []),
  ];
  const proxy =
    mode.kubeProxy.replacedBy !== null
      ? `kube-proxy replaced by ${mode.kubeProxy.replacedBy}`
      : mode.kubeProxy.daemonSet === true
        ? 'kube-proxy DaemonSet present'
        : mode.kubeProxy.daemonSet === false
          ? 'no kube-proxy DaemonSet'
          : 'kube-proxy not looked at';
  return makeResult('EKS-COMPUTE-MODE', {
    status: 'PASS',
    evidence: {
      summary: `${parts.length > 0 ? parts.join(', ') : 'no nodes'}; ${proxy}`,
      modes: mode.modes.map((m) => MODE_TEXT[m]),
      mode,
      ...(input.notes !== undefined && input.notes.length > 0 && { notes: [...input.notes] }),
    },
  });
}
