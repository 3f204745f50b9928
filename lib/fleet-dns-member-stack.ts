/**
 * The member-account stack: the scanner role the central collectors assume (deployable to every
 * account of an Organization with CloudFormation StackSets, lib/README.md § Deploy). It may read
 * exactly what lambdas/aws collects — the EC2 describes of a cluster's network, the Route 53
 * Resolver rules and DNS Firewall of its VPC, and the EKS describes/lists of its clusters and
 * add-ons — and nothing else.
 *
 * With `fleet-dns:memberDispatcher` it also holds the member-side runner dispatcher (design.md §
 * Access to the cluster, "Private endpoints"): a function in this account's VPC that runs the
 * dispatch, status and collect steps for its private-only clusters, invocable only by the central
 * state machine's role (lib/README.md § Member-side dispatcher).
 */
import { ArnFormat, Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { COLLECTOR_ROLE_PATH } from './config.js';
import type { MemberConfig, MemberDispatcherConfig } from './config.js';
import { MEMBER_DISPATCHER_TIMEOUT } from './constructs/scan-pipeline.js';
import { ScanFunction } from './constructs/scan-function.js';

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

/** The member dispatcher's one AWS call: its clusters' endpoint and CA (member-dispatcher.ts). */
export const MEMBER_DISPATCHER_EKS_ACTIONS = ['eks:DescribeCluster'] as const;

export class FleetDnsMemberStack extends Stack {
  readonly scannerRole: iam.Role;
  /** the member-side runner dispatcher, when `fleet-dns:memberDispatcher` is on */
  readonly dispatcher?: ScanFunction;

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
    if (config.dispatcher) this.dispatcher = this.memberDispatcher(config.dispatcher, central);
  }

  /**
   * The dispatcher function: the central runner handlers' settings (memory and timeout of the
   * largest of the three, collect), in the given VPC, its role allowed DescribeCluster on this
   * account's clusters; the Kubernetes side is the cluster's access entry for that role.
   */
  private memberDispatcher(config: MemberDispatcherConfig, central: string): ScanFunction {
    const dispatcher = new ScanFunction(this, 'MemberDispatcher', {
      handlerModule: 'member-dispatcher',
      serviceName: 'fleet-dns-member-dispatcher',
      description: "fleet-dns: dispatch, poll and collect the runner of this account's private-only clusters",
      functionName: config.functionName,
      memorySize: 1024,
      timeout: MEMBER_DISPATCHER_TIMEOUT,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      vpc: config.vpc,
      environment: { RUNNER_IMAGE: config.runnerImageUri },
    });
    dispatcher.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...MEMBER_DISPATCHER_EKS_ACTIONS],
        resources: [this.formatArn({ service: 'eks', resource: 'cluster', resourceName: '*' })],
      }),
    );
    // Only the central state machine's role (a fixed name): not the central account as a whole.
    dispatcher.function.addPermission('CentralStateMachine', {
      principal: new iam.ArnPrincipal(
        this.formatArn({
          service: 'iam',
          region: '',
          account: central,
          resource: 'role',
          resourceName: config.stateMachineRoleName,
        }),
      ),
      action: 'lambda:InvokeFunction',
    });
    NagSuppressions.addResourceSuppressions(
      dispatcher.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "eks:DescribeCluster on this account's clusters in this region: which private-only clusters the central state machine routes here is only known at run time.",
          appliesTo: [
            {
              regex:
                '/^Resource::arn:<AWS::Partition>:eks:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12}):cluster/\\*$/g',
            },
          ],
        },
      ],
      true,
    );
    new CfnOutput(this, 'MemberDispatcherRoleArn', {
      value: dispatcher.role.roleArn,
      description: 'give this role an EKS access entry in each private-only cluster (lib/README.md)',
    });
    new CfnOutput(this, 'MemberDispatcherFunctionArn', { value: dispatcher.function.functionArn });
    return dispatcher;
  }
}
