/**
 * The seam to the Kubernetes-object checks and the metrics scrape (another module of the
 * runner, runner-image/src/kube): K8S-DNS-SERVICE, K8S-DNS-ENDPOINTS, K8S-COREDNS-PODS,
 * K8S-KUBE-PROXY, K8S-COREDNS-COREFILE, DNS-UPSTREAM-METRICS, K8S-NETWORKPOLICY-DNS,
 * K8S-COREDNS-RESOURCES. The probe calls them with its
 * budgeted DNS client so forwarder probes count against the same probe budget.
 */
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../lambdas/core/schema/index.js';
import type { RunKubeChecksInputs } from '../kube/index.js';

export type RunKubeChecks = (inputs: RunKubeChecksInputs) => Promise<CheckResult[]>;

export const KUBE_CHECK_IDS: readonly CheckId[] = [
  'K8S-DNS-SERVICE',
  'K8S-DNS-ENDPOINTS',
  'K8S-COREDNS-PODS',
  'K8S-KUBE-PROXY',
  'K8S-COREDNS-COREFILE',
  'DNS-UPSTREAM-METRICS',
  'K8S-NETWORKPOLICY-DNS',
  'K8S-COREDNS-RESOURCES',
];

/** ERROR results for the kube checks when they cannot run (reason given). */
export function kubeChecksUnavailable(reason: string): CheckResult[] {
  return KUBE_CHECK_IDS.map((id) =>
    makeResult(id, { status: 'ERROR', evidence: { summary: reason, reason } }),
  );
}

/** Runs the kube checks, turning a crash into ERROR results (checks never take the probe down). */
export async function runKubeChecksSafely(
  run: RunKubeChecks,
  inputs: RunKubeChecksInputs,
): Promise<CheckResult[]> {
  try {
    return await run(inputs);
  } catch (err) {
    return kubeChecksUnavailable(
      `the Kubernetes-object checks failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
