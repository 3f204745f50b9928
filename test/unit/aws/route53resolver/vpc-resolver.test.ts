import {
  GetFirewallConfigCommand,
  GetResolverRuleCommand,
  ListFirewallDomainListsCommand,
  ListFirewallDomainsCommand,
  ListFirewallRuleGroupAssociationsCommand,
  ListFirewallRulesCommand,
  ListResolverEndpointIpAddressesCommand,
  ListResolverEndpointsCommand,
  ListResolverRuleAssociationsCommand,
  ListResolverRulesCommand,
  Route53ResolverClient,
  Route53ResolverServiceException,
} from '@aws-sdk/client-route53resolver';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectVpcResolver, RateLimiters } from '../../../../lambdas/aws/index.js';
import { checksFedBy, parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import { auditNetworkSnapshot } from '../../../../lambdas/core/checks/aws/index.js';
import { stubFakeAwsEnvironment } from '../support/fake-aws.js';
import { fixtureJson } from '../../core/checks/aws/fixtures.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const VPC = 'vpc-0f3c9a1b2d4e5f607';
const meta = {
  httpStatusCode: 200,
  requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  attempts: 1,
  totalRetryDelay: 0,
};

// Answers shaped like the Route 53 Resolver API's (field names and values as the SDK returns them).
const association = (ruleId: string, status = 'COMPLETE') => ({
  Id: `rslvr-rrassoc-${ruleId.slice(9, 20)}`,
  ResolverRuleId: ruleId,
  Name: '',
  VPCId: VPC,
  Status: status,
  StatusMessage: '',
});
const forwardRule = (id: string, domain: string, endpoint: string) => ({
  Id: id,
  CreatorRequestId: 'fleet',
  Arn: `arn:aws:route53resolver:${REGION}:${ACCOUNT}:resolver-rule/${id}`,
  DomainName: `${domain}.`,
  Status: 'COMPLETE',
  StatusMessage: '[Trace id: 1-5dc5c5f6-e2e8bca7ea5example] Successfully created Resolver Rule.',
  RuleType: 'FORWARD',
  Name: domain,
  TargetIps: [{ Ip: '192.0.2.10', Port: 53, Protocol: 'Do53' }],
  ResolverEndpointId: endpoint,
  OwnerId: ACCOUNT,
  ShareStatus: 'NOT_SHARED',
  CreationTime: '2025-02-11T09:31:07.114Z',
  ModificationTime: '2025-02-11T09:31:07.114Z',
});
const internetResolver = {
  Id: 'rslvr-autodefined-rr-internet-resolver',
  Arn: `arn:aws:route53resolver:${REGION}::autodefined-rule/rslvr-autodefined-rr-internet-resolver`,
  DomainName: '.',
  Status: 'COMPLETE',
  RuleType: 'RECURSIVE',
  Name: 'Internet Resolver',
  OwnerId: 'Route 53 Resolver',
  ShareStatus: 'NOT_SHARED',
};
const endpoint = (id: string) => ({
  Id: id,
  CreatorRequestId: 'fleet-outbound',
  Arn: `arn:aws:route53resolver:${REGION}:${ACCOUNT}:resolver-endpoint/${id}`,
  Name: 'corp-outbound',
  SecurityGroupIds: ['sg-0a1b2c3d4e5f60799'],
  Direction: 'OUTBOUND',
  IpAddressCount: 2,
  HostVPCId: VPC,
  Status: 'OPERATIONAL',
  StatusMessage: 'This Resolver Endpoint is operational.',
  ResolverEndpointType: 'IPV4',
  Protocols: ['Do53'],
});
const ip = (n: number, subnet: string) => ({
  IpId: `rni-0${n}b1c2d3e4f5a6071`,
  SubnetId: subnet,
  Ip: `10.0.${n}.10`,
  Status: 'ATTACHED',
  StatusMessage: 'This IP address is operational.',
  CreationTime: '2025-02-11T09:20:00.000Z',
  ModificationTime: '2025-02-11T09:25:00.000Z',
});
const denied = (operation: string) =>
  new Route53ResolverServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/fleet-dns-scanner/scan is not authorized to perform: route53resolver:${operation}`,
  });

/** The stub's surface used here, without the SDK's (mismatched) generic typings. */
interface LooseStub {
  on(
    command: unknown,
    input?: unknown,
  ): { resolves(output: unknown): LooseStub; rejects(error: unknown): LooseStub };
  reset(): void;
  restore(): void;
  commandCalls(command: unknown): { args: [{ input: Record<string, unknown> }] }[];
}

describe('collectVpcResolver', () => {
  // This client (3.654.0, the newest the registry here has) was built against older @smithy/types
  // than aws-sdk-client-mock's: the classes are the same at run time, only the typings differ.
  const r53 = mockClient(Route53ResolverClient as never) as unknown as LooseStub;
  afterAll(() => {
    r53.restore();
  });
  const limiter = () => new RateLimiters().forAccountRegion(ACCOUNT, REGION);
  beforeEach(() => {
    stubFakeAwsEnvironment(REGION);
    r53.reset();
  });
  afterEach(() => r53.reset());

  function serveHealthy() {
    // Two pages of rule associations: the collector must follow NextToken.
    r53
      .on(ListResolverRuleAssociationsCommand, { NextToken: undefined })
      .resolves({
        $metadata: meta,
        ResolverRuleAssociations: [association(internetResolver.Id)],
        NextToken: 'page-2',
      })
      .on(ListResolverRuleAssociationsCommand, { NextToken: 'page-2' })
      .resolves({
        $metadata: meta,
        ResolverRuleAssociations: [
          association('rslvr-rr-0corp000000000001'),
          association('rslvr-rr-0shared00000000002'),
        ],
      });
    r53.on(ListResolverRulesCommand).resolves({
      $metadata: meta,
      MaxResults: 100,
      ResolverRules: [
        internetResolver,
        forwardRule('rslvr-rr-0corp000000000001', 'corp.example.com', 'rslvr-out-0a1b2c3d4e5f6a7b8'),
        forwardRule('rslvr-rr-0unrelated00000003', 'other.example.com', 'rslvr-out-0a1b2c3d4e5f6a7b8'),
      ],
    });
    // A rule shared from another account that the listing did not hold: read by id.
    r53.on(GetResolverRuleCommand).resolves({
      $metadata: meta,
      ResolverRule: {
        ...forwardRule(
          'rslvr-rr-0shared00000000002',
          'legacy.corp.example.com',
          'rslvr-out-0network0account00',
        ),
        OwnerId: '444455556666',
        ShareStatus: 'SHARED_WITH_ME',
      },
    });
    r53.on(ListResolverEndpointsCommand).resolves({
      $metadata: meta,
      MaxResults: 100,
      ResolverEndpoints: [endpoint('rslvr-out-0a1b2c3d4e5f6a7b8'), endpoint('rslvr-out-0notinuse0000000')],
    });
    r53.on(ListResolverEndpointIpAddressesCommand).resolves({
      $metadata: meta,
      MaxResults: 100,
      IpAddresses: [ip(5, 'subnet-0a11c0ffee0000a01'), ip(37, 'subnet-0b22c0ffee0000b02')],
    });
    r53.on(ListFirewallRuleGroupAssociationsCommand).resolves({
      $metadata: meta,
      FirewallRuleGroupAssociations: [
        {
          Id: 'rslvr-frgassoc-57e8873d7example',
          Arn: `arn:aws:route53resolver:${REGION}:${ACCOUNT}:firewall-rule-group-association/rslvr-frgassoc-57e8873d7example`,
          FirewallRuleGroupId: 'rslvr-frg-47f93271fexample',
          VpcId: VPC,
          Name: 'baseline',
          Priority: 101,
          MutationProtection: 'DISABLED',
          Status: 'COMPLETE',
          StatusMessage: 'Finished rule group association update',
        },
      ],
    });
    r53.on(ListFirewallRulesCommand).resolves({
      $metadata: meta,
      FirewallRules: [
        {
          FirewallRuleGroupId: 'rslvr-frg-47f93271fexample',
          FirewallDomainListId: 'rslvr-fdl-0custom00000001',
          Name: 'block-sts',
          Priority: 10,
          Action: 'BLOCK',
          BlockResponse: 'NODATA',
        },
        {
          FirewallRuleGroupId: 'rslvr-frg-47f93271fexample',
          FirewallDomainListId: 'rslvr-fdl-0managed0000002',
          Name: 'aws-malware',
          Priority: 20,
          Action: 'BLOCK',
          BlockResponse: 'NODATA',
        },
      ],
    });
    r53.on(ListFirewallDomainListsCommand).resolves({
      $metadata: meta,
      FirewallDomainLists: [
        { Id: 'rslvr-fdl-0custom00000001', Name: 'blocked', Arn: 'arn:…', CreatorRequestId: 'x' },
        {
          Id: 'rslvr-fdl-0managed0000002',
          Name: 'AWSManagedDomainsMalwareDomainList',
          ManagedOwnerName: 'Route 53 Resolver DNS Firewall',
        },
      ],
    });
    r53
      .on(ListFirewallDomainsCommand)
      .resolves({ $metadata: meta, Domains: ['sts.eu-west-1.amazonaws.com.'] });
    r53.on(GetFirewallConfigCommand).resolves({
      $metadata: meta,
      FirewallConfig: {
        Id: 'rslvr-fc-86016850cexample',
        ResourceId: VPC,
        OwnerId: ACCOUNT,
        FirewallFailOpen: 'DISABLED',
      },
    });
  }

  it('reads rules (paginated), the endpoints in use with their IPs, and the firewall, under the limiter', async () => {
    serveHealthy();
    const l = limiter();
    const out = await collectVpcResolver({
      client: new Route53ResolverClient({ region: REGION }),
      limiter: l,
      vpcId: VPC,
    });
    expect(out.errors).toEqual([]);
    expect(out.ruleAssociations).toHaveLength(3);
    expect(out.rules?.map((r) => r.Id).sort()).toEqual([
      'rslvr-autodefined-rr-internet-resolver',
      'rslvr-rr-0corp000000000001',
      'rslvr-rr-0shared00000000002',
    ]);
    // Only the endpoint a FORWARD rule uses, with its IPs; not the unused one.
    expect(out.endpoints?.map((e) => e.Id)).toEqual(['rslvr-out-0a1b2c3d4e5f6a7b8']);
    expect(out.endpoints?.[0]?.IpAddresses).toHaveLength(2);
    expect(out.firewallDomainLists).toEqual([
      { Id: 'rslvr-fdl-0custom00000001', Name: 'blocked', Domains: ['sts.eu-west-1.amazonaws.com.'] },
      {
        Id: 'rslvr-fdl-0managed0000002',
        Name: 'AWSManagedDomainsMalwareDomainList',
        ManagedOwnerName: 'Route 53 Resolver DNS Firewall',
      },
    ]);
    expect(out.firewallConfig?.FirewallFailOpen).toBe('DISABLED');
    // The VPC filters the API takes, and no ListFirewallDomains for the managed list.
    expect(r53.commandCalls(ListResolverRuleAssociationsCommand)[0]!.args[0].input).toMatchObject({
      Filters: [{ Name: 'VPCId', Values: [VPC] }],
    });
    expect(r53.commandCalls(ListFirewallRuleGroupAssociationsCommand)[0]!.args[0].input).toMatchObject({
      VpcId: VPC,
    });
    expect(
      r53.commandCalls(ListFirewallDomainsCommand).map((c) => c.args[0].input.FirewallDomainListId),
    ).toEqual(['rslvr-fdl-0custom00000001']);
    expect(l.stats()).toEqual({
      total: 11,
      byCall: {
        'route53resolver:GetFirewallConfig': 1,
        'route53resolver:GetResolverRule': 1,
        'route53resolver:ListFirewallDomainLists': 1,
        'route53resolver:ListFirewallDomains': 1,
        'route53resolver:ListFirewallRuleGroupAssociations': 1,
        'route53resolver:ListFirewallRules': 1,
        'route53resolver:ListResolverEndpointIpAddresses': 1,
        'route53resolver:ListResolverEndpoints': 1,
        'route53resolver:ListResolverRuleAssociations': 2,
        'route53resolver:ListResolverRules': 1,
      },
    });
  });

  it('costs two requests for a VPC with nothing associated', async () => {
    r53.on(ListResolverRuleAssociationsCommand).resolves({ $metadata: meta, ResolverRuleAssociations: [] });
    r53
      .on(ListFirewallRuleGroupAssociationsCommand)
      .resolves({ $metadata: meta, FirewallRuleGroupAssociations: [] });
    const l = limiter();
    const out = await collectVpcResolver({
      client: new Route53ResolverClient({ region: REGION }),
      limiter: l,
      vpcId: VPC,
    });
    expect(out).toEqual({ ruleAssociations: [], rules: [], firewallRuleGroupAssociations: [], errors: [] });
    expect(l.stats().total).toBe(2);
  });

  it('turns each denied call into a collectionErrors entry naming the checks it feeds; the other calls still run', async () => {
    serveHealthy();
    r53.on(ListFirewallRulesCommand).rejects(denied('ListFirewallRules'));
    r53.on(ListResolverRuleAssociationsCommand).rejects(denied('ListResolverRuleAssociations'));
    const out = await collectVpcResolver({
      client: new Route53ResolverClient({ region: REGION }),
      limiter: limiter(),
      vpcId: VPC,
    });
    expect(out.errors.map((e) => [e.call, e.code, e.checks])).toEqual([
      ['route53resolver:ListFirewallRules', 'AccessDeniedException', ['NET-DNS-FIREWALL']],
      ['route53resolver:ListResolverRuleAssociations', 'AccessDeniedException', ['NET-RESOLVER-RULES']],
    ]);
    expect(out.ruleAssociations).toBeUndefined();
    expect(out.firewallRuleGroupAssociations).toHaveLength(1);
    expect(out.firewallConfig).toBeDefined();
    expect(checksFedBy('ListFirewallRules')).toEqual(['NET-DNS-FIREWALL']);
  });

  it('falls back to GetResolverRule per associated rule when ListResolverRules is denied, and then records no error', async () => {
    serveHealthy();
    r53.on(ListResolverRulesCommand).rejects(denied('ListResolverRules'));
    r53
      .on(GetResolverRuleCommand, { ResolverRuleId: internetResolver.Id })
      .resolves({ $metadata: meta, ResolverRule: internetResolver });
    r53.on(GetResolverRuleCommand, { ResolverRuleId: 'rslvr-rr-0corp000000000001' }).resolves({
      $metadata: meta,
      ResolverRule: forwardRule(
        'rslvr-rr-0corp000000000001',
        'corp.example.com',
        'rslvr-out-0a1b2c3d4e5f6a7b8',
      ),
    });
    const out = await collectVpcResolver({
      client: new Route53ResolverClient({ region: REGION }),
      limiter: limiter(),
      vpcId: VPC,
    });
    expect(out.errors).toEqual([]);
    expect(out.rules).toHaveLength(3);
  });

  it('yields a resolver block the snapshot parser and the audit accept (a denied call → ERROR naming it)', async () => {
    serveHealthy();
    r53.on(ListFirewallRulesCommand).rejects(denied('ListFirewallRules'));
    const { errors, ...resolver } = await collectVpcResolver({
      client: new Route53ResolverClient({ region: REGION }),
      limiter: limiter(),
      vpcId: VPC,
    });
    const doc = fixtureJson('01-healthy-baseline');
    doc.format = 'fleet-dns/network-snapshot@2';
    doc.resolver = JSON.parse(JSON.stringify(resolver));
    doc.collectionErrors = errors;
    const checks = auditNetworkSnapshot(parseNetworkSnapshot(doc));
    const firewall = checks.find((c) => c.id === 'NET-DNS-FIREWALL')!;
    expect(firewall.status).toBe('ERROR');
    expect(firewall.evidence.reason).toContain(
      'route53resolver:ListFirewallRules failed (AccessDeniedException',
    );
    // The rules side ran: the endpoint's security group is not in this snapshot, so its path is undecided.
    expect(checks.find((c) => c.id === 'NET-RESOLVER-RULES')!.status).toBe('ERROR');
  });
});
