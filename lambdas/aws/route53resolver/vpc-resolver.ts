import {
  GetFirewallConfigCommand,
  GetResolverRuleCommand,
  paginateListFirewallDomainLists,
  paginateListFirewallDomains,
  paginateListFirewallRuleGroupAssociations,
  paginateListFirewallRules,
  paginateListResolverEndpointIpAddresses,
  paginateListResolverEndpoints,
  paginateListResolverRuleAssociations,
  paginateListResolverRules,
} from '@aws-sdk/client-route53resolver';
import type {
  FirewallConfig,
  FirewallDomainListMetadata,
  FirewallRule,
  FirewallRuleGroupAssociation,
  ResolverEndpoint,
  ResolverRule,
  ResolverRuleAssociation,
  Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import type { SnapshotCollectionError } from '../../core/snapshot/index.js';
import { allPages, callAws } from '../calls.js';
import type { ApiLimiter } from '../rate-limit/index.js';
import { orCollectionError } from '../snapshot/or-collection-error.js';

/** Largest page the Resolver List calls accept (MaxResults ≤ 100): fewer pages, fewer requests. */
export const RESOLVER_PAGE_SIZE = 100;

/**
 * The `resolver` block of a @2 snapshot (network-snapshot.md § Format @2): raw Route 53 Resolver
 * outputs. A list is absent when its call failed (`errors` says which, naming the checks it feeds).
 */
export interface VpcResolver {
  readonly ruleAssociations?: ResolverRuleAssociation[];
  readonly rules?: ResolverRule[];
  readonly endpoints?: (ResolverEndpoint & { IpAddresses?: object[] })[];
  readonly firewallConfig?: FirewallConfig;
  readonly firewallRuleGroupAssociations?: FirewallRuleGroupAssociation[];
  readonly firewallRules?: FirewallRule[];
  readonly firewallDomainLists?: {
    Id: string;
    Name?: string;
    ManagedOwnerName?: string;
    Domains?: string[];
  }[];
  readonly errors: readonly SnapshotCollectionError[];
}

export interface CollectVpcResolverInput {
  readonly client: Route53ResolverClient;
  readonly limiter: ApiLimiter;
  readonly vpcId: string;
}

/**
 * Reads the Resolver rules and DNS Firewall of one VPC with the fewest requests, under the
 * account×region limiter; every failed call becomes a `collectionErrors` entry and never stops
 * the others.
 *
 * Rules: ListResolverRuleAssociations (filter `VPCId`) → ListResolverRules (one listing holds the
 * account's and the shared rules) → GetResolverRule only for an associated rule the listing did not
 * hold; for the FORWARD rules' endpoints ListResolverEndpoints → ListResolverEndpointIpAddresses
 * per endpoint in use. Firewall: ListFirewallRuleGroupAssociations (`VpcId`) → ListFirewallRules
 * per associated group → ListFirewallDomainLists (which lists are AWS-managed: they cannot be
 * listed) → ListFirewallDomains per customer list → GetFirewallConfig (only with a group
 * associated: fail-open matters only then).
 *
 * Cost: 2 requests for a VPC with nothing associated (+1 ListResolverRules when any rule is
 * associated, e.g. the autodefined internet resolver); + 1 + one per endpoint in use with FORWARD
 * rules; + 3 + one per group + one per customer list with firewall groups; + 1 per extra page.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ListResolverRuleAssociations.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ListFirewallRuleGroupAssociations.html
 */
export async function collectVpcResolver(input: CollectVpcResolverInput): Promise<VpcResolver> {
  const { client, limiter, vpcId } = input;
  const errors: SnapshotCollectionError[] = [];
  const [rules, firewall] = await Promise.all([
    collectRules(client, limiter, vpcId, errors),
    collectFirewall(client, limiter, vpcId, errors),
  ]);
  return {
    ...rules,
    ...firewall,
    errors: [...errors].sort(
      (a, b) => a.call.localeCompare(b.call) || (a.message ?? '').localeCompare(b.message ?? ''),
    ),
  };
}

async function collectRules(
  client: Route53ResolverClient,
  limiter: ApiLimiter,
  vpcId: string,
  errors: SnapshotCollectionError[],
): Promise<Pick<VpcResolver, 'ruleAssociations' | 'rules' | 'endpoints'>> {
  const call = 'route53resolver:ListResolverRuleAssociations' as const;
  const associations = await orCollectionError(
    call,
    errors,
    async () =>
      (
        await allPages(
          limiter,
          call,
          paginateListResolverRuleAssociations(
            { client, pageSize: RESOLVER_PAGE_SIZE },
            { Filters: [{ Name: 'VPCId', Values: [vpcId] }] },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.ResolverRuleAssociations ?? []),
    vpcId,
  );
  if (!associations) return {};
  const ruleIds = [...new Set(associations.flatMap((a) => (a.ResolverRuleId ? [a.ResolverRuleId] : [])))];
  if (ruleIds.length === 0) return { ruleAssociations: associations, rules: [] };

  // The listing's failure is kept aside: when reading each rule by id succeeds, nothing is missing.
  const listErrors: SnapshotCollectionError[] = [];
  const listed = await orCollectionError(
    'route53resolver:ListResolverRules',
    listErrors,
    async () =>
      (
        await allPages(
          limiter,
          'route53resolver:ListResolverRules',
          paginateListResolverRules({ client, pageSize: RESOLVER_PAGE_SIZE }, {}),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.ResolverRules ?? []),
    vpcId,
  );
  const byId = new Map((listed ?? []).map((r) => [r.Id, r]));
  // A rule the listing did not hold (or every rule, when the listing failed) is read by id.
  const fetched = await Promise.all(
    ruleIds
      .filter((id) => !byId.has(id))
      .map((id) =>
        orCollectionError(
          'route53resolver:GetResolverRule',
          errors,
          async () =>
            (
              await callAws(limiter, 'route53resolver:GetResolverRule', () =>
                client.send(new GetResolverRuleCommand({ ResolverRuleId: id })),
              )
            ).ResolverRule,
          id,
        ),
      ),
  );
  const rules = [...ruleIds.flatMap((id) => byId.get(id) ?? []), ...fetched.flatMap((r) => (r ? [r] : []))];
  const endpointIds = [
    ...new Set(
      rules.flatMap((r) => (r.RuleType === 'FORWARD' && r.ResolverEndpointId ? [r.ResolverEndpointId] : [])),
    ),
  ];
  if (endpointIds.length === 0) return { ruleAssociations: associations, rules };

  const endpoints = await orCollectionError(
    'route53resolver:ListResolverEndpoints',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'route53resolver:ListResolverEndpoints',
          paginateListResolverEndpoints({ client, pageSize: RESOLVER_PAGE_SIZE }, {}),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.ResolverEndpoints ?? []),
    vpcId,
  );
  if (!endpoints) return { ruleAssociations: associations, rules };
  // Endpoints of other accounts (shared rules) are not listed here: the audit notes them.
  const inUse = endpoints.filter((e) => e.Id !== undefined && endpointIds.includes(e.Id));
  const withIps = await Promise.all(
    inUse.map(async (endpoint) => {
      const ips = await orCollectionError(
        'route53resolver:ListResolverEndpointIpAddresses',
        errors,
        async () =>
          (
            await allPages(
              limiter,
              'route53resolver:ListResolverEndpointIpAddresses',
              paginateListResolverEndpointIpAddresses(
                { client, pageSize: RESOLVER_PAGE_SIZE },
                { ResolverEndpointId: endpoint.Id },
              ),
              (p) => p.NextToken,
            )
          ).flatMap((p) => p.IpAddresses ?? []),
        endpoint.Id,
      );
      return ips ? { ...endpoint, IpAddresses: ips } : endpoint;
    }),
  );
  return { ruleAssociations: associations, rules, endpoints: withIps };
}

async function collectFirewall(
  client: Route53ResolverClient,
  limiter: ApiLimiter,
  vpcId: string,
  errors: SnapshotCollectionError[],
): Promise<
  Pick<
    VpcResolver,
    'firewallConfig' | 'firewallRuleGroupAssociations' | 'firewallRules' | 'firewallDomainLists'
  >
> {
  const associations = await orCollectionError(
    'route53resolver:ListFirewallRuleGroupAssociations',
    errors,
    async () =>
      (
        await allPages(
          limiter,
          'route53resolver:ListFirewallRuleGroupAssociations',
          paginateListFirewallRuleGroupAssociations(
            { client, pageSize: RESOLVER_PAGE_SIZE },
            { VpcId: vpcId },
          ),
          (p) => p.NextToken,
        )
      ).flatMap((p) => p.FirewallRuleGroupAssociations ?? []),
    vpcId,
  );
  if (!associations || associations.length === 0)
    return associations ? { firewallRuleGroupAssociations: associations } : {};

  const groupIds = [
    ...new Set(associations.flatMap((a) => (a.FirewallRuleGroupId ? [a.FirewallRuleGroupId] : []))),
  ];
  const configRead = orCollectionError(
    'route53resolver:GetFirewallConfig',
    errors,
    async () =>
      (
        await callAws(limiter, 'route53resolver:GetFirewallConfig', () =>
          client.send(new GetFirewallConfigCommand({ ResourceId: vpcId })),
        )
      ).FirewallConfig,
    vpcId,
  );
  const perGroup = await Promise.all(
    groupIds.map((groupId) =>
      orCollectionError(
        'route53resolver:ListFirewallRules',
        errors,
        async () =>
          (
            await allPages(
              limiter,
              'route53resolver:ListFirewallRules',
              paginateListFirewallRules(
                { client, pageSize: RESOLVER_PAGE_SIZE },
                { FirewallRuleGroupId: groupId },
              ),
              (p) => p.NextToken,
            )
          ).flatMap((p) => p.FirewallRules ?? []),
        groupId,
      ),
    ),
  );
  // One group's rules missing is that group's failure; the others' rules still count.
  const rulesFailed = perGroup.some((r) => r === undefined);
  const rules = perGroup.flatMap((r) => r ?? []);
  const listIds = [
    ...new Set(rules.flatMap((r) => (r.FirewallDomainListId ? [r.FirewallDomainListId] : []))),
  ];

  let domainLists: VpcResolver['firewallDomainLists'];
  if (listIds.length > 0) {
    const metadata = await orCollectionError(
      'route53resolver:ListFirewallDomainLists',
      errors,
      async () =>
        (
          await allPages(
            limiter,
            'route53resolver:ListFirewallDomainLists',
            paginateListFirewallDomainLists({ client, pageSize: RESOLVER_PAGE_SIZE }, {}),
            (p) => p.NextToken,
          )
        ).flatMap((p) => p.FirewallDomainLists ?? []),
      vpcId,
    );
    if (metadata) {
      const byId = new Map<string | undefined, FirewallDomainListMetadata>(metadata.map((m) => [m.Id, m]));
      domainLists = (
        await Promise.all(
          listIds.map(async (id) => {
            const meta = byId.get(id);
            // AWS-managed lists cannot be listed: recorded without Domains (the audit notes it).
            if (meta?.ManagedOwnerName)
              return {
                Id: id,
                ...(meta.Name ? { Name: meta.Name } : {}),
                ManagedOwnerName: meta.ManagedOwnerName,
              };
            const domains = await orCollectionError(
              'route53resolver:ListFirewallDomains',
              errors,
              async () =>
                (
                  await allPages(
                    limiter,
                    'route53resolver:ListFirewallDomains',
                    paginateListFirewallDomains({ client, pageSize: 1000 }, { FirewallDomainListId: id }),
                    (p) => p.NextToken,
                  )
                ).flatMap((p) => p.Domains ?? []),
              id,
            );
            return domains
              ? { Id: id, ...(meta?.Name ? { Name: meta.Name } : {}), Domains: domains }
              : undefined;
          }),
        )
      ).flatMap((l) => (l ? [l] : []));
    }
  }
  const firewallConfig = await configRead;
  return {
    firewallRuleGroupAssociations: associations,
    ...(rulesFailed && rules.length === 0 ? {} : { firewallRules: rules }),
    ...(domainLists ? { firewallDomainLists: domainLists } : {}),
    ...(firewallConfig ? { firewallConfig } : {}),
  };
}
