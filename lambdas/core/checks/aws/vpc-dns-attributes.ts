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
  const support = ctx.snapshot.vpcAttributes?.enableDnsSupport;
  const hostnames = ctx.snapshot.vpcAttributes?.enableDnsHostnames;
  const vpcConfig = ctx.snapshot.cluster.resourcesVpcConfig;
  const privateOnly = vpcConfig?.endpointPrivateAccess === true && vpcConfig.endpointPublicAccess === false;
  const missing = [
    ...(support === undefined ? ['enableDnsSupport'] : []),
    ...(hostnames === undefined ? ['enableDnsHostnames'] : []),
  ];
  // A missing attribute leaves the verdict open only when the known one does not already decide a
  // FAIL: enableDnsSupport false fails whatever enableDnsHostnames is, and enableDnsHostnames false
  // with a private-only endpoint fails whatever enableDnsSupport is.
  const decidedFail = support === false || (hostnames === false && privateOnly);
  if (missing.length > 0 && !decidedFail) {
    return errorResult(
      ID,
      `vpcAttributes.${missing.join(' and vpcAttributes.')} of ${vpcId} not in the snapshot`,
      {
        vpc: vpcId,
        enableDnsSupport: support ?? null,
        enableDnsHostnames: hostnames ?? null,
      },
    );
  }
  const evidence = {
    vpc: vpcId,
    enableDnsSupport: support ?? null,
    enableDnsHostnames: hostnames ?? null,
    endpointPrivateAccess: vpcConfig?.endpointPrivateAccess ?? null,
    endpointPublicAccess: vpcConfig?.endpointPublicAccess ?? null,
    ...(missing.length > 0 ? { notes: [`${missing.join(' and ')} not in the snapshot`] } : {}),
  };
  if (support === false) {
    return makeResult(ID, {
      status: 'FAIL',
      evidence: {
        summary: `${vpcId}: enableDnsSupport is false — the Amazon DNS server does not answer, CoreDNS has no upstream`,
        ...evidence,
        resources: [vpcId],
      },
    });
  }
  if (hostnames === false) {
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
