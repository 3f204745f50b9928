import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult } from '../../schema/results.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult, errorResult } from './evidence.js';

const ID = 'NET-VPC-DNS-ATTRIBUTES';

/**
 * NET-VPC-DNS-ATTRIBUTES: `enableDnsSupport` (the Amazon DNS server answers) and
 * `enableDnsHostnames` (needed to resolve a private-only cluster endpoint from the VPC).
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
 */
export function checkVpcDnsAttributes(ctx: AuditContext): CheckResult {
  const errors = ctx.collectionErrorsFor(ID);
  if (errors.length > 0) return collectionErrorResult(ID, errors);
  const vpcId = ctx.snapshot.vpc.VpcId;
  const attributes = ctx.snapshot.vpcAttributes;
  if (
    !attributes ||
    attributes.enableDnsSupport === undefined ||
    attributes.enableDnsHostnames === undefined
  ) {
    return errorResult(
      ID,
      `vpcAttributes (enableDnsSupport and enableDnsHostnames of ${vpcId}) not in the snapshot`,
    );
  }
  const vpcConfig = ctx.snapshot.cluster.resourcesVpcConfig;
  const privateOnly = vpcConfig?.endpointPrivateAccess === true && vpcConfig.endpointPublicAccess === false;
  const evidence = {
    vpc: vpcId,
    enableDnsSupport: attributes.enableDnsSupport,
    enableDnsHostnames: attributes.enableDnsHostnames,
    endpointPrivateAccess: vpcConfig?.endpointPrivateAccess ?? null,
    endpointPublicAccess: vpcConfig?.endpointPublicAccess ?? null,
  };
  if (!attributes.enableDnsSupport) {
    return makeResult(ID, {
      status: 'FAIL',
      evidence: {
        summary: `${vpcId}: enableDnsSupport is false — the Amazon DNS server does not answer, CoreDNS has no upstream`,
        ...evidence,
        resources: [vpcId],
      },
    });
  }
  if (!attributes.enableDnsHostnames) {
    return makeResult(ID, {
      status: privateOnly ? 'FAIL' : 'WARN',
      evidence: {
        summary: privateOnly
          ? `${vpcId}: enableDnsHostnames is false and the cluster endpoint is private-only — nodes cannot resolve it`
          : `${vpcId}: enableDnsHostnames is false (instances get no DNS hostnames; a private endpoint would not resolve)`,
        ...evidence,
        resources: [vpcId],
      },
    });
  }
  return makeResult(ID, {
    status: 'PASS',
    evidence: { summary: `${vpcId}: enableDnsSupport and enableDnsHostnames are true`, ...evidence },
  });
}
