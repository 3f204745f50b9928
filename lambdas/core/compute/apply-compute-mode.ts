/**
 * The behaviour behind EKS-COMPUTE-MODE (checks.md § C): checks that do not apply to the
 * cluster's compute mode are SKIPPED with that reason, never a false FAIL — node checks on
 * Fargate (no node agent runs there), K8S-KUBE-PROXY where a CNI replaces kube-proxy or every node
 * is EKS Auto Mode or Fargate (AWS runs the service proxy). Applied once, where a cluster's
 * AWS-side and in-cluster results meet (`buildClusterResult`), so every producer gets it.
 */
import { isCheckId, makeResult } from '../catalog/index.js';
import type { CheckResult, Status } from '../schema/index.js';
import type { ComputeMode } from './compute-mode.js';

const STATUS_RANK: Record<Status, number> = { FAIL: 0, ERROR: 1, WARN: 2, PASS: 3, SKIPPED: 4 };

/** The mode EKS-COMPUTE-MODE found, when it PASSed (read back from its evidence). */
export function computeModeFrom(checks: readonly CheckResult[]): ComputeMode | undefined {
  const check = checks.find((c) => c.id === 'EKS-COMPUTE-MODE' && c.status === 'PASS');
  const mode = check?.evidence.mode as Partial<ComputeMode> | undefined;
  if (
    mode === undefined ||
    typeof mode !== 'object' ||
    !Array.isArray(mode.modes) ||
    !Array.isArray(mode.corednsOnFargate) ||
    typeof mode.kubeProxy !== 'object'
  )
    return undefined;
  return mode as ComputeMode;
}

function skipped(check: CheckResult, reason: string, mode: ComputeMode): CheckResult {
  if (!isCheckId(check.id)) return check;
  return makeResult(check.id, {
    status: 'SKIPPED',
    severity: check.severity,
    evidence: {
      summary: reason,
      reason,
      computeModes: mode.modes,
      // what the check said before it was found not to apply (kept for the operator)
      notApplicable: { status: check.status, summary: check.evidence.summary ?? null },
    },
  });
}

/** Why K8S-KUBE-PROXY does not apply, if it does not. */
function kubeProxySkipReason(mode: ComputeMode): string | undefined {
  if (mode.kubeProxy.replacedBy !== null)
    return `kube-proxy does not apply: Services are handled by ${mode.kubeProxy.replacedBy}${mode.kubeProxy.because ? ` (${mode.kubeProxy.because})` : ''}`;
  if (mode.autoModeOnly)
    return 'kube-proxy does not apply: every node is EKS Auto Mode, whose nodes run their own service proxy';
  if (mode.fargateOnly)
    return 'kube-proxy does not apply: every node is Fargate, where AWS runs the service proxy';
  return undefined;
}

/** A merged NODE-* result with the Fargate CoreDNS nodes' entries skipped. */
function withoutFargateNodes(check: CheckResult, mode: ComputeMode): CheckResult {
  const fargate = new Set(mode.corednsOnFargate);
  const reason = `CoreDNS runs on Fargate on ${mode.corednsOnFargate.join(', ')}: no node agent runs on a Fargate node, so its ENA counters cannot be read`;
  if (mode.fargateOnly || mode.corednsFargateOnly) return skipped(check, reason, mode);
  const perNode = check.evidence.nodes as Record<string, { status: Status; evidence?: unknown }> | undefined;
  if (perNode === undefined || typeof perNode !== 'object') return check;
  const touched = Object.keys(perNode).filter((n) => fargate.has(n));
  if (touched.length === 0) return check;
  const nodes = Object.fromEntries(
    Object.entries(perNode).map(([n, v]) =>
      fargate.has(n)
        ? [n, { status: 'SKIPPED' as const, evidence: { reason: `${n} is a Fargate node`, was: v.status } }]
        : [n, v],
    ),
  );
  const others = Object.values(nodes).map((v) => v.status);
  const status = others.sort((a, b) => STATUS_RANK[a] - STATUS_RANK[b])[0] ?? 'SKIPPED';
  if (status === 'SKIPPED') return skipped(check, reason, mode);
  const atFault = Object.entries(nodes)
    .filter(([, v]) => v.status === status)
    .map(([n]) => n);
  const resources = Array.isArray(check.evidence.resources)
    ? (check.evidence.resources as unknown[]).filter((r) => typeof r !== 'string' || !fargate.has(r))
    : undefined;
  const notes = Array.isArray(check.evidence.notes) ? (check.evidence.notes as string[]) : [];
  const summary =
    status === check.status && typeof check.evidence.summary === 'string'
      ? check.evidence.summary
      : `${status} on ${atFault.join(', ')} (Fargate node(s) ${touched.join(', ')} skipped)`;
  if (!isCheckId(check.id)) return check;
  const { reason: _reason, ...rest } = check.evidence;
  return makeResult(check.id, {
    status,
    severity: check.severity,
    evidence: {
      ...(status === 'ERROR' ? check.evidence : rest),
      summary,
      nodes,
      ...(resources !== undefined && (status === 'FAIL' || status === 'WARN') && { resources }),
      notes: [...notes, `skipped on Fargate node(s) ${touched.join(', ')}: no node agent runs there`],
    },
  });
}

/**
 * The checks with those that do not apply to the compute mode (EKS-COMPUTE-MODE's PASS evidence)
 * SKIPPED, with the reason and what they said before. Without a PASSing EKS-COMPUTE-MODE the
 * checks are returned as they are. Already SKIPPED results stay as they are.
 */
export function applyComputeMode(checks: readonly CheckResult[]): CheckResult[] {
  const mode = computeModeFrom(checks);
  if (mode === undefined) return [...checks];
  return checks.map((check) => {
    if (check.status === 'SKIPPED') return check;
    if (check.id === 'K8S-KUBE-PROXY') {
      const reason = kubeProxySkipReason(mode);
      return reason === undefined ? check : skipped(check, reason, mode);
    }
    if (check.id.startsWith('NODE-') && (mode.corednsOnFargate.length > 0 || mode.fargateOnly))
      return mode.fargateOnly && mode.corednsOnFargate.length === 0
        ? skipped(
            check,
            'every node is Fargate: no node agent runs on a Fargate node, so no ENA counters can be read',
            mode,
          )
        : withoutFargateNodes(check, mode);
    return check;
  });
}
