import { evaluateComputeMode } from '../../compute/index.js';
import type { ComputeFacts } from '../../compute/index.js';
import type { CheckResult } from '../../schema/results.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult } from './evidence.js';

const ID = 'EKS-COMPUTE-MODE';

/**
 * EKS-COMPUTE-MODE from the snapshot: DescribeCluster's `computeConfig.enabled` (Auto Mode), the
 * nodes' compute labels, the kube-system DaemonSets and Cilium's `kube-proxy-replacement`.
 * PASS with the mode; ERROR when a read it needs failed or the cluster API was unreachable;
 * SKIPPED when the cluster API was not consulted, or the snapshot predates these facts (no node
 * carries `labels` and no `daemonSets`): nothing to judge, as an @1 snapshot without Resolver data.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html
 */
export function checkComputeMode(ctx: AuditContext): CheckResult {
  const autoModeEnabled = ctx.snapshot.cluster.computeConfig?.enabled;
  const auto = autoModeEnabled !== undefined ? { autoModeEnabled } : {};
  const errors = ctx.collectionErrorsFor(ID);
  if (errors.length > 0) return collectionErrorResult(ID, errors, auto);
  const k8s = ctx.snapshot.kubernetes;
  if (!k8s) return evaluateComputeMode({ notConsulted: 'cluster API not consulted', ...auto });
  if (k8s.access && !k8s.access.reachable)
    return evaluateComputeMode({
      unreadable: `cluster API not reachable (${k8s.access.reason ?? 'no reason given'}): the nodes and kube-system DaemonSets could not be read`,
      ...auto,
    });
  const labelled = k8s.nodes.some((n) => n.labels !== undefined);
  if (!labelled && k8s.daemonSets === undefined && k8s.nodes.length > 0)
    return evaluateComputeMode({
      notConsulted:
        'the snapshot has no compute facts (node labels, kube-system DaemonSets): it was collected before EKS-COMPUTE-MODE',
      ...auto,
    });
  const facts: ComputeFacts = {
    ...auto,
    nodes: k8s.nodes.map((n) => ({ name: n.name, labels: n.labels ?? {} })),
    corednsNodes: [
      ...new Set(k8s.dnsPods.map((p) => p.nodeName).filter((n): n is string => n !== undefined)),
    ],
    ...(k8s.daemonSets !== undefined && { daemonSets: k8s.daemonSets }),
    ...(k8s.ciliumKubeProxyReplacement !== undefined && {
      ciliumKubeProxyReplacement: k8s.ciliumKubeProxyReplacement,
    }),
  };
  return evaluateComputeMode({
    facts,
    ...(k8s.daemonSets === undefined && {
      notes: ['kube-system DaemonSets not in the snapshot: whether a CNI replaces kube-proxy is unknown'],
    }),
  });
}
