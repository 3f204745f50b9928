import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import type { AuditContext } from './audit-context.js';
import { placementOrResult, errorResult, podEvidence, resourceList, unplacedEvidence } from './evidence.js';

const ID = 'NET-COREDNS-ENI-SPREAD';

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

/**
 * NET-COREDNS-ENI-SPREAD: CoreDNS pods sharing an ENI share its 1024 packets/s budget to the VPC
 * resolver; pods sharing an instance fail together.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-limits
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/scale-cluster-services.html
 */
export function checkCorednsEniSpread(ctx: AuditContext): CheckResult {
  const gate = placementOrResult(ctx, ID);
  if ('result' in gate) return gate.result;
  const { placed, unplaced } = gate.placement;
  const byEni = groupBy(placed, (p) => p.eni.id);
  const byInstance = groupBy(
    placed,
    (p) => p.instanceId ?? (p.nodeName === undefined ? undefined : `node:${p.nodeName}`),
  );
  const sharedEnis = [...byEni].filter(([, pods]) => pods.length > 1);
  const sharedInstances = [...byInstance].filter(([, pods]) => pods.length > 1);
  const evidence = {
    pods: placed.map(podEvidence),
    byEni: Object.fromEntries([...byEni].map(([eni, pods]) => [eni, pods.map((p) => p.name)])),
    byInstance: Object.fromEntries(
      [...byInstance].map(([instance, pods]) => [instance, pods.map((p) => p.name)]),
    ),
    ...(unplaced.length > 0 ? { unplacedPods: unplacedEvidence(unplaced) } : {}),
    ...(placed.length === 1
      ? { notes: ['only one CoreDNS pod: nothing to spread (K8S-COREDNS-PODS judges the replica count)'] }
      : {}),
  };
  if (sharedEnis.length > 0 || sharedInstances.length > 0) {
    const parts = [
      ...sharedEnis.map(([eni, pods]) => `${pods.map((p) => p.name).join(', ')} share ENI ${eni}`),
      ...sharedInstances.map(
        ([instance, pods]) => `${pods.map((p) => p.name).join(', ')} share instance ${instance}`,
      ),
    ];
    return makeResult(ID, {
      status: 'WARN',
      evidence: {
        summary: parts.join('; '),
        ...evidence,
        sharedEnis: sharedEnis.map(([eni, pods]) => ({ eni, pods: pods.map((p) => p.name) })),
        sharedInstances: sharedInstances.map(([instance, pods]) => ({
          instance,
          pods: pods.map((p) => p.name),
        })),
        resources: resourceList([
          ...sharedEnis.flatMap(([eni, pods]) => [eni, ...pods.map((p) => p.name)]),
          ...sharedInstances.flatMap(([instance, pods]) => [instance, ...pods.map((p) => p.name)]),
        ]),
      },
    });
  }
  if (unplaced.length > 0) {
    return errorResult(
      ID,
      `${unplaced.length} CoreDNS pod(s) could not be placed on an ENI: ${unplaced.map((p) => `${p.name} (${p.podIP})`).join(', ')}`,
      evidence,
    );
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: { summary: `${placed.length} CoreDNS pod(s), each on its own ENI and instance`, ...evidence },
  });
}
