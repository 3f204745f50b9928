import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult, skippedResult } from './evidence.js';

const ID = 'EKS-ENDPOINT-ACCESS';

/** The fix for a reason the collector gave, matched on the words it uses. */
function fixFor(reason: string, authenticationMode: string | undefined): string {
  const text = reason.toLowerCase();
  if (/private|routable|timeout|timed out|econn|network/.test(text)) {
    return 'Route the scanner to the private endpoint (run the cluster-facing Lambdas in a VPC that reaches it, via peering or Transit Gateway, and resolve its name), or enable public access for the scanner.';
  }
  if (authenticationMode === 'CONFIG_MAP' || /aws-auth|config_map/.test(text)) {
    return 'The cluster uses authenticationMode CONFIG_MAP: add the scanner role to the aws-auth ConfigMap mapRoles with group fleet-dns-scanner, or switch to API_AND_CONFIG_MAP and create an access entry.';
  }
  if (/forbidden|403|rbac/.test(text)) {
    return 'Apply the fleet-dns RBAC (`fleet-dns onboard`): the scanner authenticates but lacks the rights it needs.';
  }
  if (/unauthori[sz]ed|401|access entry|authenticat/.test(text)) {
    return 'Create an EKS access entry for the scanner role with kubernetesGroups [fleet-dns-scanner], then apply the fleet-dns RBAC.';
  }
  return 'Check the endpoint access settings, the scanner role access entry and the fleet-dns RBAC.';
}

/**
 * EKS-ENDPOINT-ACCESS: could the collector reach and authenticate to the cluster API?
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 */
export function checkEndpointAccess(ctx: AuditContext): CheckResult {
  const errors = ctx.collectionErrorsFor(ID);
  if (errors.length > 0) return collectionErrorResult(ID, errors);
  const k8s = ctx.snapshot.kubernetes;
  const vpcConfig = ctx.snapshot.cluster.resourcesVpcConfig;
  const authenticationMode = ctx.snapshot.cluster.accessConfig?.authenticationMode;
  const endpoint = {
    endpointPublicAccess: vpcConfig?.endpointPublicAccess ?? null,
    endpointPrivateAccess: vpcConfig?.endpointPrivateAccess ?? null,
    authenticationMode: authenticationMode ?? null,
  };
  if (!k8s) return skippedResult(ID, 'cluster API not consulted', endpoint);
  if (k8s.access && !k8s.access.reachable) {
    const why = k8s.access.reason ?? 'no reason given';
    const fix = fixFor(why, authenticationMode);
    return makeResult(ID, {
      status: 'ERROR',
      evidence: {
        reason: `cluster API not reachable: ${why}`,
        summary: `cluster API not reachable: ${why}`,
        fix,
        ...endpoint,
      },
      remediation: fix,
    });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: { summary: 'the cluster API was reached and read', reachable: true, ...endpoint },
  });
}
