import type { Cluster } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { NetworkSnapshot, SnapshotCollectionError } from '../../core/snapshot/index.js';
import {
  createKubeClient,
  describeAccessFailure,
  KubeAccessError,
  readKubernetesFacts,
} from '../../kube/index.js';
import type { KubeClientFactory } from '../../kube/index.js';
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
import type { KubernetesBlock } from '../snapshot/index.js';
import type { ScanCaches } from './scan-caches.js';

/** How (and whether) the cluster API is consulted for the snapshot's Kubernetes facts. */
export interface KubeCollectOptions {
  /** @default createKubeClient */
  readonly clientFactory?: KubeClientFactory;
  /** @default createEksToken */
  readonly tokenFactory?: (options: EksTokenOptions) => Promise<EksToken>;
  /**
   * Deadline per cluster API request.
   * @default 10_000
   */
  readonly timeoutMs?: number;
  /** the Kubernetes group the shipped RBAC binds (named in access-failure reasons); @default 'fleet-dns-scanner' */
  readonly kubernetesGroup?: string;
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

function unreachable(reason: string): KubernetesBlock {
  return { access: { reachable: false, reason } };
}

/**
 * The Kubernetes facts of one cluster, or `reachable: false` with a reason that names the fix.
 * Never throws for an access problem: the AWS-side checks run either way.
 */
async function collectKubernetes(
  ctx: ClusterCollectionContext,
  options: KubeCollectOptions,
  cluster: Cluster,
): Promise<{ block: KubernetesBlock; errors: SnapshotCollectionError[] }> {
  const name = cluster.name ?? '';
  if (cluster.status && cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') {
    return {
      block: unreachable(`cluster status is ${cluster.status}: its API is not available`),
      errors: [],
    };
  }
  const endpoint = cluster.endpoint;
  const caData = cluster.certificateAuthority?.data;
  if (!endpoint || !caData) {
    return {
      block: unreachable('DescribeCluster returned no API endpoint or certificate authority'),
      errors: [],
    };
  }
  const vpcConfig = cluster.resourcesVpcConfig;
  try {
    // The EKS client's own credential provider: the same identity (assumed role or default chain) signs the token.
    const credentials = (await ctx.clients.eks.config.credentials()) as AwsCredentialIdentity;
    const { token } = await (options.tokenFactory ?? createEksToken)({
      clusterName: name,
      region: ctx.region,
      credentials,
      ...(ctx.now ? { now: ctx.now } : {}),
    });
    const apis = (options.clientFactory ?? createKubeClient)({
      server: endpoint,
      caData,
      token,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    const ipFamily = cluster.kubernetesNetworkConfig?.ipFamily === 'ipv6' ? 'ipv6' : 'ipv4';
    const { facts, errors } = await readKubernetesFacts(apis, { ipFamily });
    return { block: facts, errors };
  } catch (err) {
    if (!(err instanceof KubeAccessError)) throw err;
    const reason = describeAccessFailure(err, {
      clusterName: name,
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
      ...(options.kubernetesGroup ? { kubernetesGroup: options.kubernetesGroup } : {}),
    });
    return { block: unreachable(reason), errors: [] };
  }
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
    ...(kube ? { kubernetes: kube.block, errors: kube.errors } : {}),
    collectedAt: now(),
  });
  return { record, snapshot };
}
