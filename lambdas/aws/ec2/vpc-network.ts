import {
  DescribeDhcpOptionsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
} from '@aws-sdk/client-ec2';
import type {
  DhcpOptions,
  EC2Client,
  NetworkAcl,
  NetworkInterface,
  SecurityGroup,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { SnapshotCollectionError, SnapshotPrefixList } from '../../core/snapshot/index.js';
import { allPages, callAws } from '../calls.js';
import { AwsCallError } from '../errors.js';
import type { PromiseCache } from '../promise-cache.js';
import type { ApiLimiter } from '../rate-limit/index.js';
import { collectionError } from '../../core/snapshot/index.js';
import { collectVpcResolver } from '../route53resolver/vpc-resolver.js';
import type { VpcResolver } from '../route53resolver/vpc-resolver.js';
import { orCollectionError } from '../snapshot/or-collection-error.js';
import { loadPrefixList, referencedPrefixListIds } from './prefix-lists.js';
import type { PrefixListResult } from './prefix-lists.js';

/**
 * Largest page each Describe call accepts: the fewer pages, the fewer requests. (NACLs cap at
 * 100; the others at 1000.)
 */
export const EC2_PAGE_SIZES = {
  subnets: 1000,
  securityGroups: 1000,
  networkAcls: 100,
  networkInterfaces: 1000,
} as const;

/**
 * What one VPC looks like to the audit: raw EC2 outputs (SDK field names), shared by every
 * cluster in the VPC. A field is absent when its call failed; `errors` then says which call,
 * with which AWS code, and which checks it feeds.
 */
export interface VpcNetwork {
  readonly vpcId: string;
  readonly vpc?: Vpc;
  readonly vpcAttributes?: { enableDnsSupport?: boolean; enableDnsHostnames?: boolean };
  readonly dhcpOptions?: DhcpOptions;
  readonly subnets?: Subnet[];
  readonly securityGroups?: SecurityGroup[];
  readonly networkAcls?: NetworkAcl[];
  readonly networkInterfaces?: NetworkInterface[];
  readonly prefixLists: SnapshotPrefixList[];
  /**
   * The VPC's Resolver rules and DNS Firewall (a @2 snapshot's `resolver` block); absent when no
   * Resolver client was given (the snapshot is then @1: those checks SKIPPED, never PASS).
   */
  readonly resolver?: Omit<VpcResolver, 'errors'>;
  readonly errors: readonly SnapshotCollectionError[];
}

export interface CollectVpcNetworkInput {
  readonly ec2: EC2Client;
  readonly limiter: ApiLimiter;
  readonly vpcId: string;
  /** prefix lists of this account×region, shared across VPCs */
  readonly prefixListCache: PromiseCache<PrefixListResult>;
  /**
   * Reads the VPC's Resolver rules and DNS Firewall too, under the same limiter.
   * @default none: no `resolver` block (an @1 snapshot)
   */
  readonly route53resolver?: Route53ResolverClient;
}

const byVpc = (vpcId: string) => [{ Name: 'vpc-id', Values: [vpcId] }];

/**
 * Describes one VPC for the audit with the fewest requests that stay correct at any size:
 * DescribeVpcs, DescribeVpcAttribute (enableDnsSupport, enableDnsHostnames), DescribeDhcpOptions,
 * then subnets, security groups, network ACLs and network interfaces each filtered by
 * `vpc-id` and read page by page at the largest page size, and finally the entries of only
 * those managed prefix lists the security group rules reference. The independent calls run
 * concurrently (the limiter paces them). A failing call never stops the others.
 *
 * Cost: 7 requests + 1 per extra page + (1 + pages) per referenced prefix list (+1 when the
 * VPC has a DHCP options set).
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcAttribute.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html
 */
export async function collectVpcNetwork(input: CollectVpcNetworkInput): Promise<VpcNetwork> {
  const { ec2, limiter, vpcId } = input;
  const errors: SnapshotCollectionError[] = [];
  const detail = vpcId;

  const vpcAndDhcp = (async () => {
    const vpc = await orCollectionError(
      'ec2:DescribeVpcs',
      errors,
      async () => {
        const out = await callAws(limiter, 'ec2:DescribeVpcs', () =>
          ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
        );
        const found = out.Vpcs?.find((v) => v.VpcId === vpcId);
        if (!found)
          throw new AwsCallError(
            'ec2:DescribeVpcs',
            'InvalidVpcID.NotFound',
            `VPC ${vpcId} not found`,
            'not-found',
          );
        return found;
      },
      detail,
    );
    // "default" means no DHCP options set is associated: instances use AmazonProvidedDNS.
    const dhcpId = vpc?.DhcpOptionsId;
    const dhcpOptions =
      dhcpId && dhcpId !== 'default'
        ? await orCollectionError(
            'ec2:DescribeDhcpOptions',
            errors,
            async () => {
              const out = await callAws(limiter, 'ec2:DescribeDhcpOptions', () =>
                ec2.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [dhcpId] })),
              );
              return out.DhcpOptions?.[0];
            },
            dhcpId,
          )
        : undefined;
    return { vpc, dhcpOptions };
  })();

  const attribute = (name: 'enableDnsSupport' | 'enableDnsHostnames') =>
    orCollectionError(
      'ec2:DescribeVpcAttribute',
      errors,
      async () => {
        const out = await callAws(limiter, 'ec2:DescribeVpcAttribute', () =>
          ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: name })),
        );
        return name === 'enableDnsSupport' ? out.EnableDnsSupport?.Value : out.EnableDnsHostnames?.Value;
      },
      `${vpcId} ${name}`,
    );

  const subnets = orCollectionError(
    'ec2:DescribeSubnets',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'ec2:DescribeSubnets',
          paginateDescribeSubnets(
            { client: ec2, pageSize: EC2_PAGE_SIZES.subnets },
            { Filters: byVpc(vpcId) },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.Subnets ?? []),
    detail,
  );
  const securityGroups = orCollectionError(
    'ec2:DescribeSecurityGroups',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'ec2:DescribeSecurityGroups',
          paginateDescribeSecurityGroups(
            { client: ec2, pageSize: EC2_PAGE_SIZES.securityGroups },
            { Filters: byVpc(vpcId) },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.SecurityGroups ?? []),
    detail,
  );
  const networkAcls = orCollectionError(
    'ec2:DescribeNetworkAcls',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'ec2:DescribeNetworkAcls',
          paginateDescribeNetworkAcls(
            { client: ec2, pageSize: EC2_PAGE_SIZES.networkAcls },
            { Filters: byVpc(vpcId) },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.NetworkAcls ?? []),
    detail,
  );
  const networkInterfaces = orCollectionError(
    'ec2:DescribeNetworkInterfaces',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'ec2:DescribeNetworkInterfaces',
          paginateDescribeNetworkInterfaces(
            { client: ec2, pageSize: EC2_PAGE_SIZES.networkInterfaces },
            { Filters: byVpc(vpcId) },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.NetworkInterfaces ?? []),
    detail,
  );

  // Prefix lists only once the groups are known: only referenced lists are read.
  const prefixLists = (async () => {
    const groups = await securityGroups;
    if (!groups) return [];
    const ids = referencedPrefixListIds(groups);
    const results = await Promise.all(
      ids.map((id) => loadPrefixList(ec2, limiter, input.prefixListCache, id)),
    );
    return results.flatMap((r, i) => {
      if (r.ok) return [r.prefixList];
      errors.push(
        collectionError('ec2:GetManagedPrefixListEntries', r.error.code, r.error.awsMessage, ids[i]),
      );
      return [];
    });
  })();

  const resolverRead = input.route53resolver
    ? collectVpcResolver({ client: input.route53resolver, limiter, vpcId })
    : Promise.resolve(undefined);

  const [{ vpc, dhcpOptions }, dnsSupport, dnsHostnames, sn, sg, acl, eni, pl, resolverOut] =
    await Promise.all([
      vpcAndDhcp,
      attribute('enableDnsSupport'),
      attribute('enableDnsHostnames'),
      subnets,
      securityGroups,
      networkAcls,
      networkInterfaces,
      prefixLists,
      resolverRead,
    ]);
  if (resolverOut) errors.push(...resolverOut.errors);
  const resolver = resolverOut ? (({ errors: _errors, ...rest }) => rest)(resolverOut) : undefined;

  const vpcAttributes =
    dnsSupport === undefined && dnsHostnames === undefined
      ? undefined
      : {
          ...(dnsSupport !== undefined ? { enableDnsSupport: dnsSupport } : {}),
          ...(dnsHostnames !== undefined ? { enableDnsHostnames: dnsHostnames } : {}),
        };
  return {
    vpcId,
    ...(vpc ? { vpc } : {}),
    ...(vpcAttributes ? { vpcAttributes } : {}),
    ...(dhcpOptions ? { dhcpOptions } : {}),
    ...(sn ? { subnets: sn } : {}),
    ...(sg ? { securityGroups: sg } : {}),
    ...(acl ? { networkAcls: acl } : {}),
    ...(eni ? { networkInterfaces: eni } : {}),
    prefixLists: pl,
    ...(resolver ? { resolver } : {}),
    errors: sortErrors(errors),
  };
}

/** Errors in a stable order (calls finish in any order). */
function sortErrors(errors: SnapshotCollectionError[]): SnapshotCollectionError[] {
  return [...errors].sort(
    (a, b) => a.call.localeCompare(b.call) || (a.message ?? '').localeCompare(b.message ?? ''),
  );
}

/** The cache key of one VPC: `accountId/region/vpcId`. */
export function vpcCacheKey(accountId: string, region: string, vpcId: string): string {
  return `${accountId}/${region}/${vpcId}`;
}

/**
 * The VPC's network, described once per scan however many clusters share the VPC (the cache
 * holds the promise, so clusters collected concurrently wait for the one request set).
 */
export function sharedVpcNetwork(
  cache: PromiseCache<VpcNetwork>,
  input: CollectVpcNetworkInput,
): Promise<VpcNetwork> {
  return cache.getOrLoad(vpcCacheKey(input.limiter.accountId, input.limiter.region, input.vpcId), () =>
    collectVpcNetwork(input),
  );
}
