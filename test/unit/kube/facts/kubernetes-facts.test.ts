import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { dnsPodsFromEndpointSlices, nodeFact, rootZoneUpstreams } from '../../../../lambdas/kube/index.js';

const slice = (addressType: string, endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice => ({
  addressType,
  endpoints,
  metadata: { name: `kube-dns-${addressType}`, namespace: 'kube-system' },
});
const ep = (ip: string, pod: string, node: string, conditions = { ready: true, terminating: false }) => ({
  addresses: [ip],
  conditions,
  nodeName: node,
  targetRef: { kind: 'Pod', name: pod, namespace: 'kube-system' },
});

describe('dnsPodsFromEndpointSlices', () => {
  it('takes the cluster’s address family, one entry per pod, and leaves terminating endpoints out', () => {
    const slices = [
      slice('IPv4', [
        ep('10.0.1.5', 'coredns-a', 'n1'),
        ep('10.0.2.6', 'coredns-b', 'n2', { ready: false, terminating: false }),
      ]),
      slice('IPv6', [
        ep('2600:1f18::5', 'coredns-a', 'n1'),
        ep('2600:1f18::7', 'coredns-c', 'n3', { ready: false, terminating: true }),
      ]),
      slice('IPv4', [ep('10.0.1.5', 'coredns-a', 'n1')]), // a second slice repeating an endpoint
    ];
    expect(dnsPodsFromEndpointSlices(slices, 'ipv4')).toEqual([
      { name: 'coredns-a', namespace: 'kube-system', podIP: '10.0.1.5', nodeName: 'n1' },
      { name: 'coredns-b', namespace: 'kube-system', podIP: '10.0.2.6', nodeName: 'n2' },
    ]);
    expect(dnsPodsFromEndpointSlices(slices, 'ipv6')).toEqual([
      { name: 'coredns-a', namespace: 'kube-system', podIP: '2600:1f18::5', nodeName: 'n1' },
    ]);
  });

  it('ignores FQDN slices and endpoints without addresses', () => {
    expect(
      dnsPodsFromEndpointSlices([
        slice('FQDN', [ep('dns.example', 'x', 'n')]),
        slice('IPv4', [{ addresses: [] }]),
      ]),
    ).toEqual([]);
  });
});

describe('nodeFact', () => {
  it('keeps name, the InternalIP of the family, and the providerID', () => {
    const node = {
      metadata: { name: 'ip-10-0-1-10.eu-west-1.compute.internal' },
      spec: { providerID: 'aws:///eu-west-1a/i-0abc' },
      status: {
        addresses: [
          { type: 'InternalIP', address: '2600:1f18::10' },
          { type: 'InternalIP', address: '10.0.1.10' },
          { type: 'ExternalIP', address: '203.0.113.10' },
        ],
      },
    };
    expect(nodeFact(node)).toEqual({
      name: 'ip-10-0-1-10.eu-west-1.compute.internal',
      internalIP: '10.0.1.10',
      providerID: 'aws:///eu-west-1a/i-0abc',
      labels: {},
    });
    expect(nodeFact(node, 'ipv6')?.internalIP).toBe('2600:1f18::10');
    expect(nodeFact({ metadata: {} })).toBeUndefined();
  });
});

describe('nodeFact labels (EKS-COMPUTE-MODE)', () => {
  it('keeps only the compute labels of the node', () => {
    const fargate = {
      metadata: {
        name: 'fargate-ip-10-0-1-23.eu-west-1.compute.internal',
        labels: {
          'eks.amazonaws.com/compute-type': 'fargate',
          'eks.amazonaws.com/fargate-profile': 'kube-system',
          'kubernetes.io/hostname': 'ip-10-0-1-23.eu-west-1.compute.internal',
          'topology.kubernetes.io/zone': 'eu-west-1a',
        },
      },
    };
    const managed = {
      metadata: {
        name: 'ip-10-0-2-10.eu-west-1.compute.internal',
        labels: {
          'eks.amazonaws.com/nodegroup': 'general',
          'eks.amazonaws.com/capacityType': 'ON_DEMAND',
          'node.kubernetes.io/instance-type': 'm6i.large',
        },
      },
    };
    expect(nodeFact(fargate)?.labels).toEqual({ 'eks.amazonaws.com/compute-type': 'fargate' });
    expect(nodeFact(managed)?.labels).toEqual({ 'eks.amazonaws.com/nodegroup': 'general' });
  });
});

describe('rootZoneUpstreams', () => {
  it.each([
    ['.:53 {\n  forward . /etc/resolv.conf\n}', ['/etc/resolv.conf']],
    [
      '. {\n  forward . 10.0.0.2 tls://9.9.9.9 10.0.0.3:5353 [fd00::53]:53\n}',
      ['10.0.0.2', '9.9.9.9', '10.0.0.3', 'fd00::53'],
    ],
    // A stub domain's forwarder is not the root zone's upstream.
    ['corp.example:53 {\n  forward . 10.9.9.9\n}\n.:53 {\n  forward . 10.0.0.2\n}', ['10.0.0.2']],
    ['.:53 {\n  forward . dns.internal.example\n}', ['dns.internal.example']],
  ])('reads %j', (corefile, expected) => {
    expect(rootZoneUpstreams(corefile)).toEqual(expected);
  });

  it('returns undefined when the root zone forwards nowhere', () => {
    expect(rootZoneUpstreams('.:53 {\n  kubernetes cluster.local\n}')).toBeUndefined();
    expect(rootZoneUpstreams('')).toBeUndefined();
  });

  it('never throws, whatever the ConfigMap holds (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const result = rootZoneUpstreams(text);
        expect(result === undefined || Array.isArray(result)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '.',
            ':53',
            '{',
            '}',
            'forward',
            '/etc/resolv.conf',
            '10.0.0.2',
            'tls://',
            '\n',
            ' ',
            'import',
            '(x)',
          ),
          {
            maxLength: 40,
          },
        ),
        (tokens) => {
          const result = rootZoneUpstreams(tokens.join(' '));
          expect(result === undefined || result.every((u) => typeof u === 'string' && u.length > 0)).toBe(
            true,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
