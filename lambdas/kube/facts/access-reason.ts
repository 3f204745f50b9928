import type { KubeAccessError } from '../errors.js';

/** What the collector knows about the cluster when its API could not be used. */
export interface ClusterAccessContext {
  readonly clusterName: string;
  /** EKS `resourcesVpcConfig.endpointPublicAccess` (default true) */
  readonly endpointPublicAccess?: boolean;
  /** EKS `resourcesVpcConfig.endpointPrivateAccess` (default false) */
  readonly endpointPrivateAccess?: boolean;
  readonly publicAccessCidrs?: readonly string[];
  /** EKS `accessConfig.authenticationMode`: API, API_AND_CONFIG_MAP or CONFIG_MAP */
  readonly authenticationMode?: string;
  /** the IAM principal the scanner signs as (role ARN), when known */
  readonly principalArn?: string;
  /** the group the shipped RBAC binds; @default 'fleet-dns-scanner' */
  readonly kubernetesGroup?: string;
}

const ACCESS_ENTRIES_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html';
const AWS_AUTH_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html';
const ENDPOINT_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html';

/**
 * One sentence for `kubernetes.access.reason` (and so EKS-ENDPOINT-ACCESS's evidence): what
 * failed and the fix — an access entry (or the aws-auth mapping under CONFIG_MAP) for a 401,
 * the shipped RBAC for a 403, routing or `publicAccessCidrs` for an endpoint that did not
 * answer.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
 */
export function describeAccessFailure(error: KubeAccessError, ctx: ClusterAccessContext): string {
  const principal = ctx.principalArn ?? "the scanner's IAM role";
  const group = ctx.kubernetesGroup ?? 'fleet-dns-scanner';
  switch (error.failure) {
    case 'unauthorized':
      if (ctx.authenticationMode === 'CONFIG_MAP') {
        return `the cluster API rejected the scanner's token (HTTP 401) and authenticationMode is CONFIG_MAP: add a mapRoles entry for ${principal} with groups [${group}] to kube-system/aws-auth (${AWS_AUTH_DOC})`;
      }
      return `the cluster API rejected the scanner's token (HTTP 401): create an EKS access entry for ${principal} with kubernetesGroups [${group}] (aws eks create-access-entry --cluster-name ${ctx.clusterName} --principal-arn ROLE_ARN --kubernetes-groups ${group}; ${ACCESS_ENTRIES_DOC})`;
    case 'forbidden':
      return `the scanner is authenticated but RBAC forbids "${error.what}" (HTTP 403): apply the fleet-dns RBAC for group ${group} (\`fleet-dns onboard\`)`;
    case 'unreachable':
    case 'timeout': {
      const seen =
        error.failure === 'timeout' ? 'did not answer in time' : `could not be reached (${error.detail})`;
      const publicAccess = ctx.endpointPublicAccess ?? true;
      if (!publicAccess) {
        return `the cluster API endpoint is private-only (endpointPublicAccess false) and ${seen} from the scanner: run the scanner in a VPC that routes to the cluster VPC and resolves the endpoint (peering/Transit Gateway), or use the member-side dispatcher (${ENDPOINT_DOC})`;
      }
      const cidrs = ctx.publicAccessCidrs ?? [];
      if (cidrs.length > 0 && !cidrs.includes('0.0.0.0/0')) {
        return `the cluster API endpoint ${seen}: its public endpoint admits only ${cidrs.join(', ')}; add the scanner's egress address to publicAccessCidrs (${ENDPOINT_DOC})`;
      }
      return `the cluster API endpoint ${seen}: check the scanner's network path to the endpoint (proxy, firewall, DNS) (${ENDPOINT_DOC})`;
    }
    case 'tls':
      return `TLS verification of the cluster API endpoint failed (${error.detail}): check that the endpoint serves a certificate of the cluster CA from DescribeCluster (no TLS-intercepting proxy in between) and that the scanner's clock is right`;
    case 'not-found':
      return `the cluster API answered 404 to "${error.what}": the endpoint does not look like this cluster's API server`;
    case 'server-error':
      return `the cluster API failed "${error.what}" (${error.detail}); retry the scan, and check the API server's health if it persists`;
  }
}
