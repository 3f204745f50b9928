/**
 * How the fake AWS answers one operation from its world — the single copy of the fake's
 * semantics (pagination honouring MaxResults and a page cap, `vpc-id` filters, not-found errors,
 * AssumeRole credentials that name their account, injected faults). Both servers call it: the
 * aws-sdk-client-mock installer of the tests and the 127.0.0.1 HTTP endpoint of the demo, so a
 * collector sees the same world through either. Inputs and outputs are SDK-shaped (the SDK's
 * member names and types); errors are the SDK's modeled exceptions.
 */
import type { Filter } from '@aws-sdk/client-ec2';
import { ResourceNotFoundException } from '@aws-sdk/client-eks';
import { ADDON_CATALOG, assumedAccessKeyId, ec2Error, stsAccessDenied } from './world.js';
import type { FakeAwsOptions, FakeRegionWorld } from './world.js';

/** The services the fake serves (the SigV4 signing names). */
export type FakeAwsService = 'ec2' | 'eks' | 'sts' | 'organizations';

/** Every operation the fake answers, per service: what the collectors, discovery and scan call. */
export const FAKE_AWS_OPERATIONS = {
  ec2: [
    'DescribeVpcs',
    'DescribeVpcAttribute',
    'DescribeDhcpOptions',
    'DescribeSubnets',
    'DescribeSecurityGroups',
    'DescribeNetworkAcls',
    'DescribeNetworkInterfaces',
    'GetManagedPrefixListEntries',
    'DescribeRegions',
  ],
  eks: ['ListClusters', 'DescribeCluster', 'DescribeAddon', 'DescribeAddonVersions'],
  sts: ['GetCallerIdentity', 'AssumeRole'],
  organizations: ['ListAccounts'],
} as const satisfies Record<FakeAwsService, readonly string[]>;

/** Who is asking: the account of the request's credentials and the region it was sent to. */
export interface FakeAwsCaller {
  readonly accountId: string;
  readonly region: string;
}

/** An operation the fake does not serve (each wire maps it to its protocol's "unknown operation"). */
export class UnknownFakeOperationError extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(`fake AWS: ${service} has no operation ${operation}`);
    this.name = 'UnknownFakeOperationError';
  }
}

/** Answers SDK-shaped inputs from the worlds; throws the SDK's modeled exceptions. */
export type FakeAwsAnswer = (
  service: FakeAwsService,
  operation: string,
  input: Record<string, unknown>,
  caller: FakeAwsCaller,
) => Record<string, unknown>;

function paginate<T>(items: readonly T[], token: unknown, maxResults: unknown, cap: number | undefined) {
  const start = typeof token === 'string' && token !== '' ? Number(token.replace(/^tok-/, '')) : 0;
  const asked = typeof maxResults === 'number' ? maxResults : 1000;
  const size = Math.max(1, Math.min(asked, cap ?? asked));
  const end = start + size;
  return { page: items.slice(start, end), next: end < items.length ? `tok-${end}` : undefined };
}

type Handler = (input: Record<string, unknown>, caller: FakeAwsCaller, world: FakeRegionWorld) => object;

/** A table with one entry per served operation of each service (the compiler checks none is missing). */
export type PerOperation<T> = {
  readonly [S in FakeAwsService]: Record<(typeof FAKE_AWS_OPERATIONS)[S][number], T>;
};

/**
 * The answering function of `worlds` (one per fake, because faults with `times` count down).
 * A caller whose account×region has no world sees an empty one.
 */
export function createFakeAwsAnswers(
  worlds: readonly FakeRegionWorld[],
  options: FakeAwsOptions,
): FakeAwsAnswer {
  const cap = options.pageCap;
  const vpcsOf = (world: FakeRegionWorld, filters: unknown) => {
    const ids = (filters as Filter[] | undefined)?.find((f) => f.Name === 'vpc-id')?.Values;
    return world.vpcs.filter((v) => !ids || ids.includes(v.vpc.VpcId ?? ''));
  };
  const listed =
    <T>(key: string, items: (world: FakeRegionWorld, input: Record<string, unknown>) => T[]): Handler =>
    (input, _caller, world) => {
      const { page, next } = paginate(items(world, input), input.NextToken, input.MaxResults, cap);
      return { [key]: page, ...(next ? { NextToken: next } : {}) };
    };
  const strings = (v: unknown) => v as string[] | undefined;

  const handlers: PerOperation<Handler> = {
    ec2: {
      DescribeVpcs: (input, _c, world) => {
        const ids = strings(input.VpcIds);
        const found = world.vpcs.filter((v) => !ids || ids.includes(v.vpc.VpcId ?? ''));
        if (ids && found.length < ids.length) {
          throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${ids.join(',')}' does not exist`);
        }
        return { Vpcs: found.map((v) => v.vpc) };
      },
      DescribeVpcAttribute: (input, _c, world) => {
        const vpcId = String(input.VpcId);
        const v = world.vpcs.find((x) => x.vpc.VpcId === vpcId);
        if (!v) throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
        return input.Attribute === 'enableDnsSupport'
          ? { VpcId: vpcId, EnableDnsSupport: { Value: v.attributes.enableDnsSupport } }
          : { VpcId: vpcId, EnableDnsHostnames: { Value: v.attributes.enableDnsHostnames } };
      },
      DescribeDhcpOptions: (input, _c, world) => {
        const ids = strings(input.DhcpOptionsIds);
        return {
          DhcpOptions: world.vpcs
            .flatMap((v) => (v.dhcpOptions ? [v.dhcpOptions] : []))
            .filter((d) => !ids || ids.includes(d.DhcpOptionsId ?? '')),
        };
      },
      DescribeSubnets: listed('Subnets', (w, i) => vpcsOf(w, i.Filters).flatMap((v) => v.subnets)),
      DescribeSecurityGroups: listed('SecurityGroups', (w, i) =>
        vpcsOf(w, i.Filters).flatMap((v) => v.securityGroups),
      ),
      DescribeNetworkAcls: listed('NetworkAcls', (w, i) =>
        vpcsOf(w, i.Filters).flatMap((v) => v.networkAcls),
      ),
      DescribeNetworkInterfaces: listed('NetworkInterfaces', (w, i) =>
        vpcsOf(w, i.Filters).flatMap((v) => v.networkInterfaces),
      ),
      GetManagedPrefixListEntries: listed('Entries', (world, input) => {
        const entries = world.prefixLists?.[String(input.PrefixListId)];
        if (!entries) {
          throw ec2Error(
            'InvalidPrefixListID.NotFound',
            `The prefix list ID '${String(input.PrefixListId)}' does not exist.`,
          );
        }
        return entries;
      }),
      DescribeRegions: () => {
        const regions = options.enabledRegions ?? [...new Set(worlds.map((w) => w.region))];
        return {
          Regions: regions.map((r) => ({
            RegionName: r,
            Endpoint: `ec2.${r}.amazonaws.com`,
            OptInStatus: 'opt-in-not-required',
          })),
        };
      },
    },
    eks: {
      ListClusters: (input, _c, world) => {
        const names = world.clusters.map((c) => c.cluster.name ?? '');
        const { page, next } = paginate(names, input.nextToken, input.maxResults, cap);
        return { clusters: page, ...(next ? { nextToken: next } : {}) };
      },
      DescribeCluster: (input, _c, world) => {
        const c = world.clusters.find((x) => x.cluster.name === input.name);
        if (!c) {
          throw new ResourceNotFoundException({
            message: `No cluster found for name: ${String(input.name)}.`,
            $metadata: { httpStatusCode: 404 },
          });
        }
        return { cluster: c.cluster };
      },
      DescribeAddon: (input, _c, world) => {
        const clusterName = String(input.clusterName);
        const addonName = String(input.addonName);
        const c = world.clusters.find((x) => x.cluster.name === clusterName);
        const addon = c?.addons.find((a) => a.addonName === addonName);
        if (!addon) {
          throw new ResourceNotFoundException({
            message: `No addon: ${addonName} found in cluster: ${clusterName}`,
            $metadata: { httpStatusCode: 404 },
            addonName,
            clusterName,
          });
        }
        return { addon };
      },
      DescribeAddonVersions: (input) => {
        const addons = ADDON_CATALOG.filter((a) => !input.addonName || a.addonName === input.addonName)
          .map((a) => ({
            ...a,
            addonVersions: (a.addonVersions ?? []).filter(
              (v) =>
                !input.kubernetesVersion ||
                (v.compatibilities ?? []).some((c) => c.clusterVersion === input.kubernetesVersion),
            ),
          }))
          .filter((a) => a.addonVersions.length > 0);
        const { page, next } = paginate(addons, input.nextToken, input.maxResults, cap);
        return { addons: page, ...(next ? { nextToken: next } : {}) };
      },
    },
    sts: {
      GetCallerIdentity: (_input, { accountId }) => ({
        Account: accountId,
        Arn:
          accountId === options.currentAccountId
            ? `arn:aws:sts::${accountId}:assumed-role/fleet-dns-central/scanner`
            : `arn:aws:sts::${accountId}:assumed-role/fleet-dns-scanner/fleet-dns-scan`,
        UserId: 'AROAFAKEFLEETDNS:scanner',
      }),
      AssumeRole: (input) => {
        const roleArn = String(input.RoleArn);
        const sessionName = String(input.RoleSessionName);
        const accountId = /^arn:aws:iam::([0-9]{12}):role\//.exec(roleArn)?.[1];
        if (!accountId || (options.denyAssumeRole ?? []).includes(accountId)) throw stsAccessDenied(roleArn);
        return {
          Credentials: {
            AccessKeyId: assumedAccessKeyId(accountId),
            SecretAccessKey: 'fake-assumed-secret',
            SessionToken: 'fake-assumed-session-token',
            Expiration: new Date(Date.now() + 3600_000),
          },
          AssumedRoleUser: {
            Arn: `arn:aws:sts::${accountId}:assumed-role/${roleArn.split('/').pop()}/${sessionName}`,
            AssumedRoleId: `AROAFAKE:${sessionName}`,
          },
        };
      },
    },
    organizations: {
      ListAccounts: (input) => {
        const { page, next } = paginate(
          options.organizationAccounts ?? [],
          input.NextToken,
          input.MaxResults,
          cap ?? 2,
        );
        return { Accounts: page, ...(next ? { NextToken: next } : {}) };
      },
    },
  };

  return (service, operation, input, caller) => {
    const table: Record<string, Handler> = handlers[service];
    const handler = Object.hasOwn(table, operation) ? table[operation] : undefined;
    if (!handler) throw new UnknownFakeOperationError(service, operation);
    for (const fault of options.faults ?? []) {
      if (fault.operation !== operation) continue;
      if (fault.accountId && fault.accountId !== caller.accountId) continue;
      if (fault.region && fault.region !== caller.region) continue;
      if (fault.when && !fault.when(input)) continue;
      if (fault.times !== undefined) {
        if (fault.times <= 0) continue;
        fault.times -= 1;
      }
      throw fault.error();
    }
    const world = worlds.find((w) => w.accountId === caller.accountId && w.region === caller.region) ?? {
      accountId: caller.accountId,
      region: caller.region,
      vpcs: [],
      clusters: [],
    };
    return handler(input, caller, world) as Record<string, unknown>;
  };
}

/** The Route 53 Resolver operations the fake answers (awsJson1_1, by hand: see server.ts). */
export const FAKE_RESOLVER_OPERATIONS = [
  'ListResolverRuleAssociations',
  'ListFirewallRuleGroupAssociations',
] as const;

/**
 * Route 53 Resolver as the fake's VPCs see it: nothing associated — no Resolver rule, no DNS
 * Firewall rule group — which is what a new VPC has, so a scan of the fake world collects a @2
 * snapshot whose NET-RESOLVER-RULES and NET-DNS-FIREWALL pass. The collector asks nothing else
 * when both lists are empty; any other operation is unknown here.
 */
export function answerResolver(operation: string): Record<string, unknown> {
  if (operation === 'ListResolverRuleAssociations') return { ResolverRuleAssociations: [] };
  if (operation === 'ListFirewallRuleGroupAssociations') return { FirewallRuleGroupAssociations: [] };
  throw new UnknownFakeOperationError('route53resolver', operation);
}
