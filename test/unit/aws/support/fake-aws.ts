/**
 * The fake AWS for the collector tests, served through aws-sdk-client-mock: every EC2, EKS, STS
 * and Organizations client instance is answered from a "world" of accounts × regions — the world
 * of the account its credentials belong to and the region it is configured for — so a
 * multi-account fleet scan runs against it unchanged. The world, its builders and how an operation
 * is answered live in lab/fake-aws (the demo serves the same world over HTTP on 127.0.0.1); this
 * file only installs the mocks and re-exports the rest, so tests import one module.
 */
import {
  DescribeDhcpOptionsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  ListFirewallRuleGroupAssociationsCommand,
  ListResolverRuleAssociationsCommand,
  Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { MetadataBearer } from '@smithy/types';
import { answerResolver, createFakeAwsAnswers } from '../../../../lab/fake-aws/answers.js';
import type { FakeAwsService } from '../../../../lab/fake-aws/answers.js';
import { accountOfAccessKey, fakeAwsEnvironment } from '../../../../lab/fake-aws/world.js';
import type { FakeAwsOptions, FakeRegionWorld } from '../../../../lab/fake-aws/world.js';

export * from '../../../../lab/fake-aws/world.js';

/** Any client's stub (the fake serves four client classes through one helper). */
export type AnyStub = AwsStub<object, MetadataBearer, object>;

/**
 * No real credentials, no IMDS, no shared config files: the default chain resolves to static
 * fake keys from the environment, and nothing is read from the developer's ~/.aws. (Plain
 * process.env writes, so the benchmark can use it too; after each unit test file the environment
 * is put back by test/support/unit-file-isolation.ts.)
 */
export function stubFakeAwsEnvironment(region = 'eu-west-1'): void {
  for (const [key, value] of Object.entries(fakeAwsEnvironment(region))) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

export interface FakeAws {
  readonly ec2: AnyStub;
  readonly eks: AnyStub;
  readonly sts: AnyStub;
  readonly organizations: AnyStub;
  readonly route53resolver: AnyStub;
  restore(): void;
}

interface ClientLike {
  config: { credentials: () => Promise<{ accessKeyId: string }>; region: () => Promise<string> };
}

/**
 * Serves `worlds` through mocks of the EC2, EKS, STS and Organizations client classes (every
 * instance), answering each command with lab/fake-aws/answers.ts. Call `restore()` after the test.
 */
export function installFakeAws(worlds: readonly FakeRegionWorld[], options: FakeAwsOptions): FakeAws {
  const ec2 = mockClient(EC2Client) as unknown as AnyStub;
  const eks = mockClient(EKSClient) as unknown as AnyStub;
  const sts = mockClient(STSClient) as unknown as AnyStub;
  const organizations = mockClient(OrganizationsClient) as unknown as AnyStub;
  // (typed loosely: this client was built against older @smithy/types than aws-sdk-client-mock's)
  const route53resolver = mockClient(Route53ResolverClient as never) as unknown as AnyStub;
  const answer = createFakeAwsAnswers(worlds, options);

  const serve = (service: FakeAwsService, stub: AnyStub, commands: (new (input: never) => object)[]) => {
    for (const command of commands) {
      const operation = command.name.replace(/Command$/, '');
      stub
        .on(command as never)
        .callsFake(async (input: Record<string, unknown>, getClient: () => unknown) => {
          const client = getClient() as ClientLike;
          const [credentials, region] = await Promise.all([
            client.config.credentials(),
            client.config.region(),
          ]);
          const accountId = accountOfAccessKey(credentials.accessKeyId, options.currentAccountId);
          if (!accountId) throw new Error(`fake AWS: unknown access key ${credentials.accessKeyId}`);
          return answer(service, operation, input, { accountId, region });
        });
    }
  };
  serve('ec2', ec2, [
    DescribeVpcsCommand,
    DescribeVpcAttributeCommand,
    DescribeDhcpOptionsCommand,
    DescribeSubnetsCommand,
    DescribeSecurityGroupsCommand,
    DescribeNetworkAclsCommand,
    DescribeNetworkInterfacesCommand,
    GetManagedPrefixListEntriesCommand,
    DescribeRegionsCommand,
  ]);
  serve('eks', eks, [
    ListClustersCommand,
    DescribeClusterCommand,
    DescribeAddonCommand,
    DescribeAddonVersionsCommand,
  ]);
  serve('sts', sts, [GetCallerIdentityCommand, AssumeRoleCommand]);
  serve('organizations', organizations, [ListAccountsCommand]);
  // The fake's VPCs have nothing associated (lab/fake-aws/answers.ts answerResolver).
  for (const command of [ListResolverRuleAssociationsCommand, ListFirewallRuleGroupAssociationsCommand])
    route53resolver
      .on(command as never)
      .callsFake(() => Promise.resolve(answerResolver(command.name.replace(/Command$/, ''))));

  return {
    ec2,
    eks,
    sts,
    organizations,
    route53resolver,
    restore() {
      ec2.restore();
      eks.restore();
      sts.restore();
      organizations.restore();
      route53resolver.restore();
    },
  };
}

/** Requests per operation a stub received, e.g. `{ DescribeSubnets: 2, DescribeVpcs: 1 }`. */
export function callsByOperation(...stubs: AnyStub[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const stub of stubs) {
    for (const call of stub.calls()) {
      const command = call.args[0] as { constructor: { name: string } };
      const op = command.constructor.name.replace(/Command$/, '');
      counts[op] = (counts[op] ?? 0) + 1;
    }
  }
  return counts;
}

/** Sum of {@link callsByOperation}. */
export function totalCalls(...stubs: AnyStub[]): number {
  return stubs.reduce((sum, s) => sum + s.calls().length, 0);
}
