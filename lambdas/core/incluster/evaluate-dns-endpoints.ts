/**
 * K8S-DNS-ENDPOINTS (checks.md § B): the EndpointSlices of the `kube-dns` Service have ready
 * endpoints serving DNS — at least two, and none not-ready (anything else is a note).
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import type { KubeEndpointSlice } from './kube-objects.js';

export interface DnsEndpointsInput {
  /** the slices labelled `kubernetes.io/service-name=kube-dns` */
  readonly slices: ApiRead<readonly KubeEndpointSlice[]>;
  /** @default 'kube-system/kube-dns' */
  readonly service?: string;
}

interface EndpointView {
  address: string;
  pod?: string;
  node?: string;
  zone?: string;
  ready: boolean;
  terminating: boolean;
  slice?: string;
  udp53: boolean;
  tcp53: boolean;
}

/**
 * Evaluates K8S-DNS-ENDPOINTS. An endpoint counts as ready when its `ready` condition is not
 * false (the API says an unset condition means ready) and its slice carries port 53/UDP — a
 * slice without a DNS port routes no DNS. Addresses seen in several slices (dual-stack, or a
 * slice being replaced) count once.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions
 * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/#are-dns-endpoints-exposed
 */
export function evaluateDnsEndpoints(input: DnsEndpointsInput): CheckResult {
  const service = input.service ?? 'kube-system/kube-dns';
  if (!input.slices.ok) {
    const reason = apiFailureReason(input.slices.failure);
    return makeResult('K8S-DNS-ENDPOINTS', {
      status: 'ERROR',
      evidence: { summary: reason, service, reason },
    });
  }
  const byAddress = new Map<string, EndpointView>();
  const slices = input.slices.value;
  for (const slice of slices) {
    const ports = (slice.ports ?? []).map((p) => ({
      port: p.port,
      protocol: (p.protocol ?? 'TCP').toUpperCase(),
    }));
    const udp53 = ports.some((p) => p.port === 53 && p.protocol === 'UDP');
    const tcp53 = ports.some((p) => p.port === 53 && p.protocol === 'TCP');
    for (const ep of slice.endpoints ?? []) {
      const ready = ep.conditions?.ready !== false;
      const terminating = ep.conditions?.terminating === true;
      for (const address of ep.addresses ?? []) {
        const prev = byAddress.get(address);
        const view: EndpointView = {
          address,
          ...(ep.targetRef?.name !== undefined && { pod: ep.targetRef.name }),
          ...(ep.nodeName !== undefined && { node: ep.nodeName }),
          ...(ep.zone !== undefined && { zone: ep.zone }),
          ready: ready || (prev?.ready ?? false),
          terminating: terminating && (prev?.terminating ?? true),
          ...(slice.metadata?.name !== undefined && { slice: slice.metadata.name }),
          udp53: udp53 || (prev?.udp53 ?? false),
          tcp53: tcp53 || (prev?.tcp53 ?? false),
        };
        byAddress.set(address, view);
      }
    }
  }
  const endpoints = [...byAddress.values()];
  const readyDns = endpoints.filter((e) => e.ready && e.udp53);
  const notReady = endpoints.filter((e) => !e.ready);
  const noDnsPort = endpoints.filter((e) => e.ready && !e.udp53);
  const noTcp = readyDns.filter((e) => !e.tcp53);
  const label = (e: EndpointView): string => (e.pod ? `${e.pod} (${e.address})` : e.address);
  const notes: string[] = [];
  const problems: string[] = [];

  let status: CheckResult['status'] = 'PASS';
  if (readyDns.length === 0) {
    status = 'FAIL';
    problems.push(
      slices.length === 0
        ? `no EndpointSlices for ${service}`
        : endpoints.length === 0
          ? `the EndpointSlices of ${service} list no endpoints`
          : noDnsPort.length > 0
            ? `ready endpoints carry no 53/UDP port: ${noDnsPort.map(label).join(', ')}`
            : `no ready endpoints (not ready: ${notReady.map(label).join(', ')})`,
    );
  } else {
    if (readyDns.length < 2)
      problems.push(`only ${readyDns.length} ready endpoint: one pod failure is a DNS outage`);
    if (notReady.length > 0) {
      problems.push(
        `not-ready endpoints: ${notReady.map((e) => `${label(e)}${e.terminating ? ' [terminating]' : ''}`).join(', ')}`,
      );
    }
    if (problems.length > 0) status = 'WARN';
  }
  // Not a WARN of this check (checks.md: fewer than 2 ready, or not-ready endpoints): the ports
  // of a slice mirror the Service's, and a Service without 53/TCP is K8S-DNS-SERVICE's FAIL.
  if (noTcp.length > 0)
    notes.push(
      `no 53/TCP port for ${noTcp.map(label).join(', ')}: truncated answers cannot be retried over TCP (see K8S-DNS-SERVICE)`,
    );
  if (notReady.some((e) => e.terminating))
    notes.push('terminating endpoints are expected during a CoreDNS rollout');

  return makeResult('K8S-DNS-ENDPOINTS', {
    status,
    evidence: {
      summary:
        problems.length > 0
          ? `${readyDns.length} ready endpoint(s) of ${service}: ${problems.join('; ')}`
          : `${readyDns.length} ready endpoints of ${service}: ${readyDns.map(label).join(', ')}`,
      service,
      slices: slices.map((s) => s.metadata?.name ?? '(unnamed)'),
      readyEndpoints: readyDns.length,
      endpoints,
      ...(problems.length > 0 && { problems }),
      ...(status !== 'PASS' && {
        resources: (readyDns.length === 0 ? endpoints : notReady).map((e) => e.pod ?? e.address),
      }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
