import type { Cluster } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity } from '@smithy/types';
import type {
  ClusterApiAccess,
  KubernetesCollection,
  KubernetesReader,
  NetworkSnapshot,
} from '../../core/snapshot/index.js';
import type { FleetAccount } from '../accounts/index.js';
import type { AwsClients } from '../clients/index.js';
import { toClusterRecord } from '../discovery/index.js';
import type { ClusterRecord } from '../discovery/index.js';
import { sharedVpcNetwork } from '../ec2/index.js';
import type { VpcNetwork } from '../ec2/index.js';
import { collectClusterAddons, createEksToken } from '../eks/index.js';
import type { EksToken, EksTokenOptions } from '../eks/index.js';
import type { ApiLimiter } from '../rate-limit/index.js';
import { assembleSnapshot } from '../snapshot/index.js';
import type { ScanCaches } from './scan-caches.js';

/**
 * How the cluster API is consulted for the snapshot's Kubernetes facts. The AWS side only hands
 * over values (endpoint, CA, a signed EKS token — {@link ClusterApiAccess}); reading the API is
 * the caller's `read`, built from lambdas/kube (`kubernetesReader()`), so the adapters never
 * import each other.
 */
export interface KubeCollectOptions {
  /** reads the Kubernetes facts with the values handed over */
  readonly read: KubernetesReader;
  /** @default createEksToken */
  readonly tokenFactory?: (options: EksTokenOptions) => Promise<EksToken>;
}

/** One collected cluster: its record (fleet identity) and its network snapshot. */
export interface CollectedCluster {
  readonly record: ClusterRecord;
  readonly snapshot: NetworkSnapshot;
}

/** What collecting one cluster needs from its account×region. */
export interface ClusterCollectionContext {
  readonly account: FleetAccount;
  readonly region: string;
  readonly clients: AwsClients;
  readonly limiter: ApiLimiter;
  readonly caches: ScanCaches;
  /** `false`: AWS side only (the snapshot has no `kubernetes` block) */
  readonly kubernetes: KubeCollectOptions | false;
  /** the IAM principal the scanner acts as (named in access-failure reasons) */
  readonly principalArn?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const unreachable = (reason: string): KubernetesCollection => ({
  block: { access: { reachable: false, reason } },
  errors: [],
});

/**
 * The values reading the cluster API needs, from DescribeCluster and an EKS token signed by the
 * EKS client's own credentials (the assumed role or the default chain) — or why there are none.
 */
async function clusterApiAccess(
  ctx: ClusterCollectionContext,
  options: KubeCollectOptions,
  cluster: Cluster,
): Promise<ClusterApiAccess | { readonly unavailable: string }> {
  const name = cluster.name ?? '';
  if (cluster.status && cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING')
    return { unavailable: `cluster status is ${cluster.status}: its API is not available` };
  const endpoint = cluster.endpoint;
  const caData = cluster.certificateAuthority?.data;
  if (!endpoint || !caData)
    return { unavailable: 'DescribeCluster returned no API endpoint or certificate authority' };
  const credentials = (await ctx.clients.eks.config.credentials()) as AwsCredentialIdentity;
  const { token } = await (options.tokenFactory ?? createEksToken)({
    clusterName: name,
    region: ctx.region,
    credentials,
    ...(ctx.now ? { now: ctx.now } : {}),
  });
  const vpcConfig = cluster.resourcesVpcConfig;
  return {
    clusterName: name,
    endpoint,
    caData,
    token,
    ipFamily: cluster.kubernetesNetworkConfig?.ipFamily === 'ipv6' ? 'ipv6' : 'ipv4',
    ...(vpcConfig?.endpointPublicAccess !== undefined
      ? { endpointPublicAccess: vpcConfig.endpointPublicAccess }
      : {}),
    ...(vpcConfig?.endpointPrivateAccess !== undefined
      ? { endpointPrivateAccess: vpcConfig.endpointPrivateAccess }
      : {}),
    ...(vpcConfig?.publicAccessCidrs ? { publicAccessCidrs: vpcConfig.publicAccessCidrs } : {}),
    ...(cluster.accessConfig?.authenticationMode
      ? { authenticationMode: cluster.accessConfig.authenticationMode }
      : {}),
    ...(ctx.principalArn ? { principalArn: ctx.principalArn } : {}),
  };
}

/** The Kubernetes facts of one cluster, or `reachable: false` with the reason. */
async function collectKubernetes(
  ctx: ClusterCollectionContext,
  options: KubeCollectOptions,
  cluster: Cluster,
): Promise<KubernetesCollection> {
  const access = await clusterApiAccess(ctx, options, cluster);
  if ('unavailable' in access) return unreachable(access.unavailable);
  return options.read(access);
}

/**
 * Collects one described cluster into a network snapshot: the VPC's network (shared through
 * the scan caches with every other cluster of the VPC), the CoreDNS and kube-proxy add-ons, and
 * — unless disabled — the Kubernetes facts from the cluster API. The three run concurrently;
 * AWS calls wait for the account×region limiter. Failed AWS calls become `collectionErrors`.
 *
 * @throws SnapshotError when AWS returned data the snapshot schema rejects
 */
export async function collectClusterSnapshot(
  ctx: ClusterCollectionContext,
  cluster: Cluster,
): Promise<CollectedCluster> {
  const record = toClusterRecord(ctx.account, ctx.region, cluster);
  const now = ctx.now ?? (() => new Date());
  const vpcId = record.vpcId;
  const networkRead: Promise<VpcNetwork> = vpcId
    ? sharedVpcNetwork(ctx.caches.vpcNetworks, {
        ec2: ctx.clients.ec2,
        limiter: ctx.limiter,
        vpcId,
        prefixListCache: ctx.caches.prefixLists,
        route53resolver: ctx.clients.route53resolver,
      })
    : Promise.resolve({
        vpcId: 'unknown',
        prefixLists: [],
        errors: [
          {
            call: 'eks:DescribeCluster',
            code: 'NoVpc',
            message: 'DescribeCluster returned no resourcesVpcConfig.vpcId',
            checks: [],
          },
        ],
      });
  const [network, addons, kube] = await Promise.all([
    networkRead,
    collectClusterAddons({
      eks: ctx.clients.eks,
      limiter: ctx.limiter,
      clusterName: record.name,
      ...(cluster.version ? { kubernetesVersion: cluster.version } : {}),
      versionsCache: ctx.caches.addonVersions,
    }),
    ctx.kubernetes === false ? undefined : collectKubernetes(ctx, ctx.kubernetes, cluster),
  ]);
  const snapshot = assembleSnapshot({
    accountId: ctx.account.id,
    region: ctx.region,
    cluster,
    network,
    addons,
    ...(kube ? { kubernetes: kube.block, errors: [...kube.errors] } : {}),
    collectedAt: now(),
  });
  return { record, snapshot };
}
