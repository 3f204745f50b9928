import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The prefix aws-iam-authenticator expects in front of the base64url-encoded presigned URL. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds the presigned request to one cluster (signed, so it cannot be replayed elsewhere). */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** The presigned URL's X-Amz-Expires, as `aws eks get-token` sends it. */
const PRESIGN_EXPIRES_SECONDS = 60;
/** EKS accepts a token for 15 minutes after its signing time; we stop using it a minute earlier. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export interface EksTokenOptions {
  /** the EKS cluster name (the `x-k8s-aws-id` header) */
  readonly clusterName: string;
  /** the cluster's region: the token is signed for that region's STS endpoint */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface EksToken {
  /** the bearer token for the cluster API: `k8s-aws-v1.` + base64url(presigned URL), unpadded */
  readonly token: string;
  /** when to stop using it (signing time + 14 minutes) */
  readonly expiresAt: Date;
}

/** The regional STS host the token is presigned for (China regions use amazonaws.com.cn). */
export function stsHost(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `sts.${region}.${suffix}`;
}

/**
 * An EKS bearer token made in process, as `aws eks get-token` and aws-iam-authenticator make
 * it: a SigV4-presigned `sts:GetCallerIdentity` GET whose signed headers include
 * `x-k8s-aws-id: <cluster name>`, encoded as `k8s-aws-v1.` + base64url without padding. The
 * cluster's authenticator replays the URL against STS to learn who is calling, so no kubectl,
 * no aws CLI and no secret leave the process.
 *
 * @example
 * const { token } = await createEksToken({ clusterName: 'prod-a', region: 'eu-west-1', credentials });
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html
 * @see https://github.com/kubernetes-sigs/aws-iam-authenticator#api-authorization-from-outside-a-cluster
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export async function createEksToken(options: EksTokenOptions): Promise<EksToken> {
  const signingDate = (options.now ?? (() => new Date()))();
  const hostname = stsHost(options.region);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterName },
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
  });
  const presigned = await signer.presign(request, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) =>
      Array.isArray(value) ? value.map((v) => [key, v] as const) : [[key, value] as const],
    )
    .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS),
  };
}
