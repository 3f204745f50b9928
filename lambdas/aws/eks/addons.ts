import { DescribeAddonCommand, paginateDescribeAddonVersions } from '@aws-sdk/client-eks';
import type { Addon, AddonInfo, EKSClient } from '@aws-sdk/client-eks';
import { DNS_ADDONS } from '../../core/checks/aws/index.js';
import { collectionError } from '../../core/snapshot/index.js';
import type { SnapshotCollectionError } from '../../core/snapshot/index.js';
import { allPages, callAws } from '../calls.js';
import { AwsCallError } from '../errors.js';
import type { PromiseCache } from '../promise-cache.js';
import type { ApiLimiter } from '../rate-limit/index.js';

/** DescribeAddonVersions returns at most 100 add-ons per page. */
const ADDON_VERSIONS_PAGE_SIZE = 100;

/** The add-on data of one cluster: installed add-ons, the versions EKS lists, failures. */
export interface ClusterAddons {
  /** DescribeAddon → `.addon` for each installed add-on of {@link DNS_ADDONS} (self-managed → absent) */
  readonly addons: Addon[];
  /** DescribeAddonVersions → `.addons`, filtered by add-on name and the cluster's Kubernetes version */
  readonly addonVersions: AddonInfo[];
  readonly errors: readonly SnapshotCollectionError[];
}

export type AddonVersionsResult =
  { readonly ok: true; readonly addons: AddonInfo[] } | { readonly ok: false; readonly error: AwsCallError };

/**
 * The versions EKS offers for one add-on on one Kubernetes version. The answer depends only
 * on (add-on, Kubernetes version), not on the cluster, so it is read once per account×region
 * and shared by every cluster on that version.
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
 */
export function loadAddonVersions(
  eks: EKSClient,
  limiter: ApiLimiter,
  cache: PromiseCache<AddonVersionsResult>,
  addonName: string,
  kubernetesVersion: string,
): Promise<AddonVersionsResult> {
  const key = `${limiter.accountId}/${limiter.region}/${addonName}/${kubernetesVersion}`;
  return cache.getOrLoad(key, async () => {
    try {
      const pages = await allPages(
        limiter,
        'eks:DescribeAddonVersions',
        paginateDescribeAddonVersions(
          { client: eks, pageSize: ADDON_VERSIONS_PAGE_SIZE },
          { addonName, kubernetesVersion },
        ),
        (p) => p.nextToken,
      );
      return { ok: true, addons: pages.flatMap((p) => p.addons ?? []) };
    } catch (err) {
      if (err instanceof AwsCallError) return { ok: false, error: err };
      throw err;
    }
  });
}

/**
 * The CoreDNS and kube-proxy add-ons of one cluster (eks:DescribeAddon each; an add-on that is
 * not installed as an EKS add-on answers ResourceNotFoundException, which means self-managed,
 * not a failure) and the versions EKS lists for them on the cluster's Kubernetes version.
 *
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddon.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 */
export async function collectClusterAddons(input: {
  readonly eks: EKSClient;
  readonly limiter: ApiLimiter;
  readonly clusterName: string;
  readonly kubernetesVersion?: string;
  readonly versionsCache: PromiseCache<AddonVersionsResult>;
}): Promise<ClusterAddons> {
  const { eks, limiter, clusterName, kubernetesVersion } = input;
  const errors: SnapshotCollectionError[] = [];

  const installed = await Promise.all(
    DNS_ADDONS.map(async (addonName) => {
      try {
        const out = await callAws(limiter, 'eks:DescribeAddon', () =>
          eks.send(new DescribeAddonCommand({ clusterName, addonName })),
        );
        return out.addon;
      } catch (err) {
        if (!(err instanceof AwsCallError)) throw err;
        if (err.kind === 'not-found') return undefined;
        errors.push(collectionError('eks:DescribeAddon', err.code, err.awsMessage, addonName));
        return undefined;
      }
    }),
  );

  const versions = kubernetesVersion
    ? await Promise.all(
        DNS_ADDONS.map((name) =>
          loadAddonVersions(eks, limiter, input.versionsCache, name, kubernetesVersion),
        ),
      )
    : [];
  const addonVersions: AddonInfo[] = [];
  versions.forEach((r, i) => {
    if (r.ok) addonVersions.push(...r.addons);
    else
      errors.push(
        collectionError('eks:DescribeAddonVersions', r.error.code, r.error.awsMessage, DNS_ADDONS[i]),
      );
  });

  return {
    addons: installed.filter((a): a is Addon => a !== undefined),
    addonVersions,
    errors,
  };
}
