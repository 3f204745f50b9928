/**
 * K8S-KUBE-PROXY (checks.md § B): a ready kube-proxy on every node that needs one, no error
 * patterns in its recent logs, and its proxy mode from its config. Without kube-proxy on a node
 * the kube-dns ClusterIP is not translated there and every lookup from that node fails (seed 000).
 */
import { parse as parseYaml } from 'yaml';
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason, isNotFound } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import { daemonPodFitsNode, nodeIsReady, podIsReady } from './kube-objects.js';
import type { KubeConfigMap, KubeNode, KubePod, KubeWorkload } from './kube-objects.js';

/** The log tail of one kube-proxy pod. */
export interface KubeProxyLog {
  readonly pod: string;
  readonly node?: string;
  readonly log: ApiRead<string>;
}

export interface KubeProxyInput {
  /** the `kube-proxy` DaemonSet in kube-system (404 when there is none) */
  readonly daemonSet: ApiRead<KubeWorkload>;
  /** every DaemonSet in kube-system, to name a kube-proxy replacement when kube-proxy is absent */
  readonly daemonSets?: ApiRead<readonly KubeWorkload[]>;
  readonly nodes: ApiRead<readonly KubeNode[]>;
  /** the DaemonSet's pods (its selector) */
  readonly pods: ApiRead<readonly KubePod[]>;
  /** the `kube-proxy-config` ConfigMap (EKS) or `kube-proxy` (kubeadm) */
  readonly config?: ApiRead<KubeConfigMap>;
  /**
   * Cilium's `cilium-config` ConfigMap, read when a `cilium` DaemonSet runs: with
   * `kube-proxy-replacement: true` (or `strict`) Cilium handles Services even where a kube-proxy
   * DaemonSet was left behind, so kube-proxy's state is not the cluster's data path.
   */
  readonly ciliumConfig?: ApiRead<KubeConfigMap>;
  readonly logs: readonly KubeProxyLog[];
  /** most lines quoted per pod and pattern. @default 5 */
  readonly maxLinesPerPattern?: number;
  /** most characters quoted per line. @default 300 */
  readonly maxLineLength?: number;
}

/** Error patterns in kube-proxy logs, by what they mean. */
export const KUBE_PROXY_LOG_PATTERNS = {
  /** the API server did not answer: kube-proxy stops learning about Services and endpoints */
  'apiserver-timeout':
    /i\/o timeout|context deadline exceeded|TLS handshake timeout|Client\.Timeout exceeded|net\/http: request canceled|dial tcp [^ ]+: connect: (connection refused|no route to host)/i,
  /** kube-proxy's credentials or RBAC were refused */
  unauthorized: /\b403\b|\bforbidden\b|\bunauthorized\b/i,
  /** rules could not be written: Services are not (or only partly) programmed on the node */
  'restore-failure':
    /ip6?tables(-legacy|-nft)?-restore[^\n]*(fail|error|exit status)|(fail|error)[^\n]*ip6?tables(-legacy|-nft)?-restore|\bnft\b[^\n]*\b(fail|error)|\b(fail|error)[^\n]*\bnft\b|\bipvs\b[^\n]*\b(fail|error)|\b(fail|error)[^\n]*\bipvs\b|\bSync failed\b/i,
} as const;
export type KubeProxyLogPattern = keyof typeof KUBE_PROXY_LOG_PATTERNS;

/** DaemonSets that replace kube-proxy (named in the SKIPPED reason). */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  cilium: 'Cilium (kube-proxy replacement)',
  'kube-router': 'kube-router (service proxy)',
  'antrea-agent': 'Antrea (AntreaProxy)',
};

interface LogMatch {
  pod: string;
  node?: string;
  pattern: KubeProxyLogPattern;
  count: number;
  lines: string[];
  truncated?: true;
}

/** Scans a log tail; returns the matching lines per pattern, bounded. */
export function scanKubeProxyLog(
  text: string,
  maxLinesPerPattern = 5,
  maxLineLength = 300,
): { pattern: KubeProxyLogPattern; count: number; lines: string[] }[] {
  const out = new Map<KubeProxyLogPattern, { count: number; lines: string[] }>();
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    for (const [pattern, regex] of Object.entries(KUBE_PROXY_LOG_PATTERNS) as [
      KubeProxyLogPattern,
      RegExp,
    ][]) {
      if (!regex.test(line)) continue;
      const entry = out.get(pattern) ?? { count: 0, lines: [] };
      entry.count++;
      if (entry.lines.length < maxLinesPerPattern) {
        entry.lines.push(line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line);
      }
      out.set(pattern, entry);
    }
  }
  return [...out.entries()].map(([pattern, v]) => ({ pattern, ...v }));
}

/**
 * The proxy mode from kube-proxy's KubeProxyConfiguration (`mode: ""` is iptables on Linux).
 * @see https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/
 */
export function kubeProxyMode(config: KubeConfigMap): string | undefined {
  for (const key of ['config', 'config.conf']) {
    const text = config.data?.[key];
    if (text === undefined) continue;
    try {
      const doc = parseYaml(text) as { mode?: unknown } | null;
      if (doc && typeof doc === 'object') {
        const mode = typeof doc.mode === 'string' ? doc.mode : '';
        return mode === '' ? 'iptables' : mode;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Evaluates K8S-KUBE-PROXY.
 * - FAIL: a node that the DaemonSet targets has no ready kube-proxy pod; or a pod's recent log
 *   shows API-server timeouts, 403/Unauthorized, or iptables/nft/ipvs restore failures (quoted,
 *   bounded); or there is no kube-proxy and no known replacement.
 * - SKIPPED: no kube-proxy by design — a replacement DaemonSet (Cilium, kube-router, Antrea), or
 *   only EKS Auto Mode / Fargate nodes — named in the reason; or Cilium's kube-proxy-replacement
 *   is on (then even a kube-proxy DaemonSet left behind is not the data path).
 * - ERROR: the objects could not be read, or no log could be read and nothing failed.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/
 */
export function evaluateKubeProxy(input: KubeProxyInput): CheckResult {
  const maxLines = input.maxLinesPerPattern ?? 5;
  const maxLen = input.maxLineLength ?? 300;
  const notes: string[] = [];

  if (!input.nodes.ok) {
    const reason = apiFailureReason(input.nodes.failure);
    return makeResult('K8S-KUBE-PROXY', { status: 'ERROR', evidence: { summary: reason, reason } });
  }
  const nodes = input.nodes.value;
  const managedNodes = nodes.filter((n) => {
    const type = n.metadata?.labels?.['eks.amazonaws.com/compute-type'];
    return type === 'auto' || type === 'fargate';
  });

  const kpr = input.ciliumConfig?.ok ? input.ciliumConfig.value.data?.['kube-proxy-replacement'] : undefined;
  if (kpr !== undefined && ['true', 'strict'].includes(kpr.trim().toLowerCase())) {
    const reason = `kube-proxy does not apply: Services are handled by Cilium (ConfigMap kube-system/cilium-config has kube-proxy-replacement: "${kpr}")`;
    return makeResult('K8S-KUBE-PROXY', {
      status: 'SKIPPED',
      evidence: {
        summary: reason,
        reason,
        replacement: 'cilium',
        kubeProxyDaemonSet: input.daemonSet.ok,
      },
    });
  }

  if (!input.daemonSet.ok) {
    if (!isNotFound(input.daemonSet.failure)) {
      const reason = apiFailureReason(input.daemonSet.failure);
      return makeResult('K8S-KUBE-PROXY', { status: 'ERROR', evidence: { summary: reason, reason } });
    }
    const replacement = input.daemonSets?.ok
      ? input.daemonSets.value.map((d) => d.metadata?.name ?? '').find((n) => REPLACEMENTS[n] !== undefined)
      : undefined;
    if (replacement !== undefined) {
      const reason = `no kube-proxy DaemonSet: Services are handled by ${REPLACEMENTS[replacement]} (DaemonSet kube-system/${replacement})`;
      return makeResult('K8S-KUBE-PROXY', {
        status: 'SKIPPED',
        evidence: { summary: reason, reason, replacement },
      });
    }
    if (nodes.length > 0 && managedNodes.length === nodes.length) {
      const reason =
        'no kube-proxy DaemonSet: every node is EKS Auto Mode or Fargate, where AWS runs the service proxy';
      return makeResult('K8S-KUBE-PROXY', {
        status: 'SKIPPED',
        evidence: { summary: reason, reason, nodes: nodes.length },
      });
    }
    if (input.daemonSets !== undefined && !input.daemonSets.ok) {
      notes.push(
        `DaemonSets not listed, so a kube-proxy replacement could not be looked for: ${apiFailureReason(input.daemonSets.failure)}`,
      );
    }
    return makeResult('K8S-KUBE-PROXY', {
      status: 'FAIL',
      evidence: {
        summary:
          'no kube-proxy DaemonSet in kube-system and no known replacement: the kube-dns ClusterIP is not programmed on the nodes',
        problems: [
          'no kube-proxy DaemonSet in kube-system and no known replacement: the kube-dns ClusterIP is not programmed on the nodes',
        ],
        resources: ['daemonset/kube-system/kube-proxy'],
        ...(notes.length > 0 && { notes }),
      },
    });
  }
  if (!input.pods.ok) {
    const reason = apiFailureReason(input.pods.failure);
    return makeResult('K8S-KUBE-PROXY', { status: 'ERROR', evidence: { summary: reason, reason } });
  }

  const ds = input.daemonSet.value;
  const template = ds.spec?.template?.spec;
  const pods = input.pods.value.filter(
    (p) => p.metadata?.deletionTimestamp === undefined || p.metadata.deletionTimestamp === null,
  );
  // EKS Auto Mode and Fargate nodes carry their own service proxy: they need no kube-proxy pod
  // even when a self-managed DaemonSet lacks the add-on's compute-type affinity.
  const needing = nodes.filter((n) => !managedNodes.includes(n) && daemonPodFitsNode(template, n));
  const notNeeding = nodes.filter((n) => !needing.includes(n)).map((n) => n.metadata?.name ?? '(unnamed)');
  const coverage = needing.map((n) => {
    const name = n.metadata?.name ?? '(unnamed)';
    const onNode = pods.filter((p) => p.spec?.nodeName === name);
    const ready = onNode.find((p) => podIsReady(p) && p.status?.phase === 'Running');
    const any = ready ?? onNode[0];
    const waiting = any?.status?.containerStatuses
      ?.map((s) => s.state?.waiting?.reason)
      .find((r) => r !== undefined);
    return {
      node: name,
      nodeReady: nodeIsReady(n),
      pod: any?.metadata?.name ?? null,
      ready: ready !== undefined,
      ...(waiting !== undefined && { waiting }),
    };
  });
  const uncovered = coverage.filter((c) => !c.ready);
  const problems: string[] = [];
  for (const c of uncovered) {
    problems.push(
      c.pod === null
        ? `node ${c.node} has no kube-proxy pod${c.nodeReady ? '' : ' (node not Ready)'}`
        : `kube-proxy ${c.pod} on node ${c.node} is not ready${c.waiting ? ` (${c.waiting})` : ''}${c.nodeReady ? '' : ' (node not Ready)'}`,
    );
  }

  const matches: LogMatch[] = [];
  const unreadable: string[] = [];
  for (const l of input.logs) {
    if (!l.log.ok) {
      unreadable.push(`${l.pod}: ${apiFailureReason(l.log.failure)}`);
      continue;
    }
    for (const m of scanKubeProxyLog(l.log.value, maxLines, maxLen)) {
      matches.push({
        pod: l.pod,
        ...(l.node !== undefined && { node: l.node }),
        pattern: m.pattern,
        count: m.count,
        lines: m.lines,
        ...(m.count > m.lines.length && { truncated: true as const }),
      });
    }
  }
  for (const m of matches) problems.push(`${m.pod}: ${m.count} log line(s) matching ${m.pattern}`);
  if (unreadable.length > 0) notes.push(...unreadable.map((u) => `log not read: ${u}`));
  const readLogs = input.logs.length - unreadable.length;

  let mode: string | undefined;
  if (input.config !== undefined) {
    if (input.config.ok) {
      mode = kubeProxyMode(input.config.value);
      if (mode === undefined) notes.push('proxy mode not found in the kube-proxy config');
    } else if (!isNotFound(input.config.failure)) {
      notes.push(`kube-proxy config not read: ${apiFailureReason(input.config.failure)}`);
    }
  }
  if (managedNodes.length > 0)
    notes.push(`${managedNodes.length} EKS Auto Mode/Fargate node(s) need no kube-proxy pod`);

  const readyNodes = coverage.length - uncovered.length;
  const evidence = {
    summary:
      problems.length > 0
        ? problems.join('; ')
        : `kube-proxy ready on ${readyNodes} of ${coverage.length} node(s)${mode !== undefined ? ` (${mode} mode)` : ''}; no error patterns in ${readLogs} log(s)`,
    daemonSet: `kube-system/${ds.metadata?.name ?? 'kube-proxy'}`,
    ...(mode !== undefined && { mode }),
    nodesNeedingProxy: needing.length,
    ...(notNeeding.length > 0 && { nodesNotTargeted: notNeeding }),
    coverage,
    logsScanned: readLogs,
    logMatches: matches,
    ...(matches.some((m) => m.truncated) && { truncated: true }),
    ...(problems.length > 0 && {
      problems,
      resources: [
        ...new Set([...uncovered.map((c) => c.pod ?? `node/${c.node}`), ...matches.map((m) => m.pod)]),
      ],
    }),
    ...(notes.length > 0 && { notes }),
  };
  if (problems.length > 0) return makeResult('K8S-KUBE-PROXY', { status: 'FAIL', evidence });
  if (input.logs.length > 0 && readLogs === 0) {
    const reason = `every kube-proxy pod is ready but no log could be read: ${unreadable[0] ?? ''}`;
    return makeResult('K8S-KUBE-PROXY', {
      status: 'ERROR',
      evidence: { ...evidence, summary: reason, reason },
    });
  }
  return makeResult('K8S-KUBE-PROXY', { status: 'PASS', evidence });
}
