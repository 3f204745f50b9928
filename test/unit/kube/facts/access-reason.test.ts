import { describe, expect, it } from 'vitest';
import { describeAccessFailure, KubeAccessError } from '../../../../lambdas/kube/index.js';
import type { ClusterAccessContext, KubeAccessFailure } from '../../../../lambdas/kube/index.js';

const error = (failure: KubeAccessFailure, detail = 'x') =>
  new KubeAccessError(failure, 'list nodes', detail);
const ctx: ClusterAccessContext = {
  clusterName: 'prod-a',
  principalArn: 'arn:aws:iam::111122223333:role/fleet-dns-scanner',
  authenticationMode: 'API_AND_CONFIG_MAP',
};

describe('describeAccessFailure', () => {
  it.each<[string, KubeAccessFailure, ClusterAccessContext, RegExp]>([
    [
      '401 with access entries',
      'unauthorized',
      ctx,
      /create an EKS access entry for arn:aws:iam::111122223333:role\/fleet-dns-scanner with kubernetesGroups \[fleet-dns-scanner\]/,
    ],
    [
      '401 under CONFIG_MAP',
      'unauthorized',
      { ...ctx, authenticationMode: 'CONFIG_MAP' },
      /authenticationMode is CONFIG_MAP: add a mapRoles entry for .* to kube-system\/aws-auth/,
    ],
    [
      '403',
      'forbidden',
      ctx,
      /RBAC forbids "list nodes" \(HTTP 403\): apply the fleet-dns RBAC for group fleet-dns-scanner/,
    ],
    [
      'private-only endpoint',
      'timeout',
      { ...ctx, endpointPublicAccess: false, endpointPrivateAccess: true },
      /private-only \(endpointPublicAccess false\) and did not answer in time .* routes to the cluster VPC/,
    ],
    [
      'public endpoint behind CIDRs',
      'unreachable',
      { ...ctx, publicAccessCidrs: ['198.51.100.0/24'] },
      /admits only 198\.51\.100\.0\/24; add the scanner's egress address to publicAccessCidrs/,
    ],
    ['TLS', 'tls', ctx, /TLS verification .* certificate of the cluster CA from DescribeCluster .* clock/],
    ['server error', 'server-error', ctx, /failed "list nodes"/],
  ])('%s: names the fix', (_label, failure, context, expected) => {
    expect(describeAccessFailure(error(failure), context)).toMatch(expected);
  });
});
