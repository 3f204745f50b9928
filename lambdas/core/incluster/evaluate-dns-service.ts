/**
 * K8S-DNS-SERVICE (checks.md § B): the `kube-dns` Service in `kube-system` exists, has a
 * ClusterIP, and serves 53/UDP and 53/TCP. Whether pods actually use it is DNS-RESOLV-CONF's
 * question, not this one's.
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason, isNotFound } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import type { KubeService } from './kube-objects.js';
import { KUBE_DNS_SERVICE, KUBE_SYSTEM_NAMESPACE } from './kube-dns-names.js';

export interface DnsServiceInput {
  readonly service: ApiRead<KubeService>;
  /** @default KUBE_SYSTEM_NAMESPACE */
  readonly namespace?: string;
  /** @default KUBE_DNS_SERVICE */
  readonly name?: string;
}

/**
 * Evaluates K8S-DNS-SERVICE. A 404 is a FAIL (the Service is missing); any other API failure is
 * ERROR with the reason.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/#is-dns-service-up
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 */
export function evaluateDnsService(input: DnsServiceInput): CheckResult {
  const namespace = input.namespace ?? KUBE_SYSTEM_NAMESPACE;
  const name = input.name ?? KUBE_DNS_SERVICE;
  const ref = `${namespace}/${name}`;
  if (!input.service.ok) {
    if (isNotFound(input.service.failure)) {
      return makeResult('K8S-DNS-SERVICE', {
        status: 'FAIL',
        evidence: {
          summary: `Service ${ref} not found`,
          service: ref,
          found: false,
          problems: [`Service ${ref} not found`],
          resources: [`service/${ref}`],
        },
      });
    }
    const reason = apiFailureReason(input.service.failure);
    return makeResult('K8S-DNS-SERVICE', {
      status: 'ERROR',
      evidence: { summary: reason, service: ref, reason },
    });
  }
  const spec = input.service.value.spec ?? {};
  const ports = (spec.ports ?? []).map((p) => ({
    name: p.name,
    port: p.port,
    // The API defaults protocol to TCP; a port without one is TCP.
    protocol: (p.protocol ?? 'TCP').toUpperCase(),
    targetPort: p.targetPort,
  }));
  const problems: string[] = [];
  const clusterIP = spec.clusterIP;
  if (clusterIP === undefined || clusterIP === '' || clusterIP === 'None') {
    problems.push(
      clusterIP === 'None' ? 'the Service is headless (clusterIP: None)' : 'the Service has no ClusterIP',
    );
  }
  for (const protocol of ['UDP', 'TCP'] as const) {
    if (!ports.some((p) => p.port === 53 && p.protocol === protocol)) problems.push(`no port 53/${protocol}`);
  }
  return makeResult('K8S-DNS-SERVICE', {
    status: problems.length > 0 ? 'FAIL' : 'PASS',
    evidence: {
      summary:
        problems.length > 0
          ? `${ref}: ${problems.join(', ')}`
          : `${ref} has ClusterIP ${clusterIP} with ports ${ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}`,
      service: ref,
      found: true,
      clusterIP: clusterIP ?? null,
      ...(spec.clusterIPs && { clusterIPs: spec.clusterIPs }),
      ...(spec.type !== undefined && { type: spec.type }),
      ports,
      selector: spec.selector ?? {},
      ...(problems.length > 0 && { problems, resources: [`service/${ref}`] }),
    },
  });
}
