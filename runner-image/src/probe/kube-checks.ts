/**
 * The seam to the Kubernetes-object checks and the metrics scrape (another module of the
 * runner, runner-image/src/kube): K8S-DNS-SERVICE, K8S-DNS-ENDPOINTS, K8S-COREDNS-PODS,
 * K8S-KUBE-PROXY, K8S-COREDNS-COREFILE, DNS-UPSTREAM-METRICS. The probe calls them with its
 * budgeted DNS client so forwarder probes count against the same probe budget.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../lambdas/core/schema/index.js';
import type { ProbeBudget } from '../budget/types.js';
import type { QueryDns } from '../dns/types.js';

export interface KubeChecksInputs {
  readonly kubeConfig: KubeConfig;
  readonly queryDns: QueryDns;
  readonly budget: ProbeBudget;
  readonly probeNodeName?: string;
  readonly now: () => Date;
  /** time between the two metrics scrapes (the kube module's default when absent) */
  readonly metricsIntervalMs?: number;
}

export type RunKubeChecks = (inputs: KubeChecksInputs) => Promise<CheckResult[]>;

export const KUBE_CHECK_IDS: readonly CheckId[] = [
  'K8S-DNS-SERVICE',
  'K8S-DNS-ENDPOINTS',
  'K8S-COREDNS-PODS',
  'K8S-KUBE-PROXY',
  'K8S-COREDNS-COREFILE',
  'DNS-UPSTREAM-METRICS',
];

/** ERROR results for the kube checks when they cannot run (reason given). */
export function kubeChecksUnavailable(reason: string): CheckResult[] {
  return KUBE_CHECK_IDS.map((id) =>
    makeResult(id, { status: 'ERROR', evidence: { summary: reason, reason } }),
  );
}

/**
 * Loads `runKubeChecks` from runner-image/src/kube/index.ts, lazily (a literal specifier, so the
 * image bundle includes it); a load failure becomes ERROR results, never a crashed probe.
 */
export async function loadRunKubeChecks(): Promise<RunKubeChecks | string> {
  try {
    const mod = (await import('../kube/index.js')) as { runKubeChecks?: unknown };
    if (typeof mod.runKubeChecks !== 'function') return 'runner-image/src/kube does not export runKubeChecks';
    return mod.runKubeChecks as RunKubeChecks;
  } catch (err) {
    return `the Kubernetes-object checks are not part of this runner build (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

/** Runs the kube checks, turning a crash into ERROR results (checks never take the probe down). */
export async function runKubeChecksSafely(
  run: RunKubeChecks | string,
  inputs: KubeChecksInputs,
): Promise<CheckResult[]> {
  if (typeof run === 'string') return kubeChecksUnavailable(run);
  try {
    return await run(inputs);
  } catch (err) {
    return kubeChecksUnavailable(
      `the Kubernetes-object checks failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
