/**
 * The member-account stack: the scanner role the central collectors assume (deployable to every
 * account of an Organization with CloudFormation StackSets, lib/README.md § Deploy). It may read
 * exactly what lambdas/aws collects — the EC2 describes of a cluster's network, the Route 53
 * Resolver rules and DNS Firewall of its VPC, and the EKS describes/lists of its clusters and
 * add-ons — and nothing else.
 */
import { ArnFormat, Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { COLLECTOR_ROLE_PATH } from './config.js';
import type { MemberConfig } from './config.js';

/**
 * The EC2 describes of lambdas/aws (regions/, ec2/). EC2's Describe* actions have no
 * resource-level permissions, so their resource is "*".
 */
export const SCANNER_EC2_DESCRIBE_ACTIONS = [
  'ec2:DescribeRegions',
  'ec2:DescribeVpcs',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeNetworkAcls',
  'ec2:DescribeNetworkInterfaces',
] as const;

/** The entries of the prefix lists a security group references (ec2/prefix-lists.ts): by prefix-list ARN. */
export const SCANNER_EC2_PREFIX_LIST_ACTIONS = ['ec2:GetManagedPrefixListEntries'] as const;

/** The EKS calls on clusters and their add-ons (discovery/, eks/addons.ts). */
export const SCANNER_EKS_CLUSTER_ACTIONS = ['eks:DescribeCluster', 'eks:DescribeAddon'] as const;

/** EKS calls with no resource: ListClusters (per region) and DescribeAddonVersions (a catalogue). */
export const SCANNER_EKS_GLOBAL_ACTIONS = ['eks:ListClusters', 'eks:DescribeAddonVersions'] as const;

/**
 * Route 53 Resolver lists with no resource types in the Service Authorization Reference (they
 * list a region, filtered by VPC where the API allows): route53resolver/vpc-resolver.ts.
 */
export const SCANNER_RESOLVER_LIST_ACTIONS = [
  'route53resolver:ListResolverRuleAssociations',
  'route53resolver:ListResolverRules',
  'route53resolver:ListResolverEndpoints',
  'route53resolver:ListFirewallRuleGroupAssociations',
  'route53resolver:ListFirewallDomainLists',
] as const;

/**
 * Route 53 Resolver reads of one resource, by ARN. Any account: rules, rule groups and domain
 * lists reach a VPC shared through RAM or Firewall Manager from another account.
 */
export const SCANNER_RESOLVER_RESOURCE_ACTIONS = {
  'resolver-rule': ['route53resolver:GetResolverRule'],
  'resolver-endpoint': ['route53resolver:ListResolverEndpointIpAddresses'],
  'firewall-rule-group': ['route53resolver:ListFirewallRules'],
  'firewall-domain-list': ['route53resolver:ListFirewallDomains'],
  'firewall-config': ['route53resolver:GetFirewallConfig'],
} as const;

export interface FleetDnsMemberStackProps extends StackProps {
  readonly config: MemberConfig;
}

export class FleetDnsMemberStack extends Stack {
  readonly scannerRole: iam.Role;

  constructor(scope: Construct, id: string, props: FleetDnsMemberStackProps) {
    super(scope, id, props);
    const { config } = props;
    const central = config.centralAccountId ?? Aws.ACCOUNT_ID;

    // The central account's principals under the collector path, with the ExternalId. A role ARN
    // as Principal must exist when this policy is created; the account root with aws:PrincipalArn
    // does not, so member accounts can be enrolled before (or without redeploying after) the
    // central stack.
    const trust = new iam.PrincipalWithConditions(new iam.AccountPrincipal(central), {
      StringEquals: { 'sts:ExternalId': config.externalId },
      ArnLike: {
        'aws:PrincipalArn': Stack.of(this).formatArn({
          service: 'iam',
          region: '',
          account: central,
          resource: 'role',
          resourceName: `${COLLECTOR_ROLE_PATH.slice(1)}*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      },
    });

    this.scannerRole = new iam.Role(this, 'ScannerRole', {
      roleName: config.scannerRoleName,
      assumedBy: trust,
      description: 'fleet-dns scanner: read-only EC2/EKS/Route 53 Resolver reads for the DNS health audit',
      inlinePolicies: {
        FleetDnsScanner: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: [...SCANNER_EC2_DESCRIBE_ACTIONS], resources: ['*'] }),
            new iam.PolicyStatement({
              actions: [...SCANNER_EC2_PREFIX_LIST_ACTIONS],
              // AWS-managed prefix lists (com.amazonaws.<region>.s3…) are owned by AWS, not this account.
              resources: [
                this.formatArn({
                  service: 'ec2',
                  region: '*',
                  account: '*',
                  resource: 'prefix-list',
                  resourceName: '*',
                }),
              ],
            }),
            new iam.PolicyStatement({ actions: [...SCANNER_EKS_GLOBAL_ACTIONS], resources: ['*'] }),
            new iam.PolicyStatement({ actions: [...SCANNER_RESOLVER_LIST_ACTIONS], resources: ['*'] }),
            ...Object.entries(SCANNER_RESOLVER_RESOURCE_ACTIONS).map(
              ([resource, actions]) =>
                new iam.PolicyStatement({
                  actions: [...actions],
                  resources: [
                    this.formatArn({
                      service: 'route53resolver',
                      region: '*',
                      account: '*',
                      resource,
                      resourceName: '*',
                    }),
                  ],
                }),
            ),
            new iam.PolicyStatement({
              actions: [...SCANNER_EKS_CLUSTER_ACTIONS],
              resources: [
                this.formatArn({ service: 'eks', region: '*', resource: 'cluster', resourceName: '*' }),
                this.formatArn({ service: 'eks', region: '*', resource: 'addon', resourceName: '*/*/*' }),
              ],
            }),
          ],
        }),
      },
    });
    NagSuppressions.addResourceSuppressions(this.scannerRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'EC2 Describe*, eks:ListClusters, eks:DescribeAddonVersions and the Route 53 Resolver List calls have no resource-level permissions; the EKS cluster and add-on ' +
          "describes are limited to this account's clusters and add-ons in any region (the regions scanned are configuration); " +
          'prefix-list entries are read for whichever lists the security groups reference, AWS-managed ones included (owned by AWS, not this account); ' +
          'Resolver rules, endpoints, firewall rule groups, domain lists and firewall configs are read by type in any account (RAM and Firewall Manager share them into the VPC).',
        appliesTo: [
          'Resource::*',
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:eks:\\*:(<AWS::AccountId>|[0-9]{12}):(cluster|addon)/.*$/g',
          },
          'Resource::arn:<AWS::Partition>:ec2:*:*:prefix-list/*',
          ...Object.keys(SCANNER_RESOLVER_RESOURCE_ACTIONS).map(
            (resource) => `Resource::arn:<AWS::Partition>:route53resolver:*:*:${resource}/*`,
          ),
        ],
      },
    ]);

    new CfnOutput(this, 'ScannerRoleArn', { value: this.scannerRole.roleArn });
  }
}
