/**
 * The only actions the app may grant on Resource "*": each has no resource-level permissions in
 * the Service Authorization Reference, so no narrower resource exists. A new "*" fails the IAM
 * tests until it is added here with its reason.
 */
export const WILDCARD_RESOURCE_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray trace upload (active tracing) has no resource types',
  'xray:PutTelemetryRecords': 'X-Ray telemetry has no resource types',
  'xray:GetSamplingRules': 'X-Ray sampling rules (state machine tracing) have no resource types',
  'xray:GetSamplingTargets': 'X-Ray sampling targets have no resource types',
  'logs:CreateLogDelivery': 'vended log delivery (Step Functions logging) supports only "*"',
  'logs:GetLogDelivery': 'vended log delivery supports only "*"',
  'logs:UpdateLogDelivery': 'vended log delivery supports only "*"',
  'logs:DeleteLogDelivery': 'vended log delivery supports only "*"',
  'logs:ListLogDeliveries': 'vended log delivery supports only "*"',
  'logs:PutResourcePolicy': 'log resource policies (Step Functions log delivery) have no resource types',
  'logs:DescribeResourcePolicies': 'log resource policies have no resource types',
  'logs:DescribeLogGroups': 'DescribeLogGroups is authorized on "*" only (it lists)',
  'organizations:ListAccounts': 'Organizations ListAccounts has no resource types (organization mode only)',
  'organizations:ListAccountsForParent':
    'granted beside ListAccounts for OU scoping; the OU ids are run-time input',
  'organizations:ListOrganizationalUnitsForParent':
    'the OU tree is walked from run-time input (organization mode only)',
  'ec2:DescribeRegions': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeVpcs': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeVpcAttribute': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeDhcpOptions': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeSubnets': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeNetworkAcls': 'EC2 Describe* actions have no resource-level permissions',
  'ec2:DescribeNetworkInterfaces': 'EC2 Describe* actions have no resource-level permissions',
  'eks:ListClusters': 'ListClusters has no resource types (it lists a region)',
  'eks:DescribeAddonVersions': 'DescribeAddonVersions reads the add-on catalogue, not a resource',
  'route53resolver:ListResolverRuleAssociations':
    'Resolver List* calls have no resource types (they list a region)',
  'route53resolver:ListResolverRules': 'Resolver List* calls have no resource types (they list a region)',
  'route53resolver:ListResolverEndpoints': 'Resolver List* calls have no resource types (they list a region)',
  'route53resolver:ListFirewallRuleGroupAssociations':
    'Resolver List* calls have no resource types (they list a region)',
  'route53resolver:ListFirewallDomainLists':
    'Resolver List* calls have no resource types (they list a region)',
};
