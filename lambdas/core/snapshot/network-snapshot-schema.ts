/**
 * `fleet-dns/network-snapshot@2` (and @1, read as @2 without its Resolver parts): raw AWS API outputs (AWS SDK for JavaScript v3 field names — EKS
 * camelCase, EC2 PascalCase) plus the few Kubernetes facts the AWS-side audit needs. Unknown fields
 * are ignored (loose objects), missing optional arrays mean "none" (they default to `[]`).
 * Fields whose absence means something different from "empty" (`addons`, `addonVersions`,
 * `kubernetes`, `kubernetes.upstreams`, `vpcAttributes`, `dhcpOptions`) stay optional.
 *
 * @see ../../../../shared/network-snapshot.md (the format contract)
 * @see https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/client/ec2/
 */
import { z } from 'zod';
import { tryParseCidr, tryParseIpAddress } from '../network/cidr.js';
import { parseProtocol, TCP, UDP } from '../network/protocol.js';

/** The format collectors write: @1 plus the `resolver` block and `kubernetes.images`. */
export const NETWORK_SNAPSHOT_FORMAT = 'fleet-dns/network-snapshot@2';
/** The first format, still read: a snapshot without Resolver data (those checks are SKIPPED). */
export const NETWORK_SNAPSHOT_FORMAT_V1 = 'fleet-dns/network-snapshot@1';
/** Every format the parser reads, newest first. */
export const NETWORK_SNAPSHOT_FORMATS = [NETWORK_SNAPSHOT_FORMAT, NETWORK_SNAPSHOT_FORMAT_V1] as const;

const list = <T extends z.ZodType>(item: T) => z.array(item).optional().default([]);

const cidrV4 = z
  .string()
  .refine((s) => tryParseCidr(s)?.family === 'ipv4', 'expected an IPv4 CIDR block such as 10.0.0.0/16');
const cidrV6 = z
  .string()
  .refine((s) => tryParseCidr(s)?.family === 'ipv6', 'expected an IPv6 CIDR block such as 2600:1f18::/56');
const anyCidr = z.string().refine((s) => tryParseCidr(s) !== undefined, 'expected a CIDR block');
const ipV4 = z.string().refine((s) => tryParseIpAddress(s)?.family === 'ipv4', 'expected an IPv4 address');
const ipV6 = z.string().refine((s) => tryParseIpAddress(s)?.family === 'ipv6', 'expected an IPv6 address');
const anyIp = z
  .string()
  .refine((s) => tryParseIpAddress(s) !== undefined, 'expected an IPv4 or IPv6 address');
const protocol = z
  .string()
  .refine(
    (s) => parseProtocol(s) !== undefined,
    'expected a protocol name (tcp, udp, icmp, icmpv6), a number 0-255 or "-1"',
  );
const port = z.number().int().min(-1).max(65535);
const tag = z.looseObject({ Key: z.string(), Value: z.string().optional() });

// ── EKS ────────────────────────────────────────────────────────────────────────────────────
export const eksClusterSchema = z.looseObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected an EKS cluster name (letters, digits, - and _)'),
  arn: z.string().optional(),
  version: z.string().optional(),
  status: z.string().optional(),
  resourcesVpcConfig: z
    .looseObject({
      vpcId: z.string().optional(),
      subnetIds: list(z.string()),
      securityGroupIds: list(z.string()),
      clusterSecurityGroupId: z.string().optional(),
      endpointPublicAccess: z.boolean().optional(),
      endpointPrivateAccess: z.boolean().optional(),
      publicAccessCidrs: list(z.string()),
    })
    .optional(),
  kubernetesNetworkConfig: z
    .looseObject({
      serviceIpv4Cidr: z.string().optional(),
      serviceIpv6Cidr: z.string().optional(),
      ipFamily: z.enum(['ipv4', 'ipv6']).optional(),
    })
    .optional(),
  accessConfig: z.looseObject({ authenticationMode: z.string().optional() }).optional(),
  /** EKS Auto Mode: `enabled` (EKS-COMPUTE-MODE) */
  computeConfig: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

const addonSchema = z.looseObject({
  addonName: z.string(),
  addonVersion: z.string().optional(),
  status: z.string().optional(),
  clusterName: z.string().optional(),
});

const compatibilitySchema = z.looseObject({
  clusterVersion: z.string().optional(),
  platformVersions: list(z.string()),
  defaultVersion: z.boolean().optional(),
});

const addonInfoSchema = z.looseObject({
  addonName: z.string(),
  type: z.string().optional(),
  addonVersions: list(
    z.looseObject({
      addonVersion: z.string(),
      architecture: list(z.string()),
      compatibilities: list(compatibilitySchema),
    }),
  ),
});

// ── EC2 ────────────────────────────────────────────────────────────────────────────────────
const vpcSchema = z.looseObject({
  VpcId: z.string().min(1),
  CidrBlock: cidrV4.optional(),
  CidrBlockAssociationSet: list(
    z.looseObject({
      CidrBlock: cidrV4.optional(),
      CidrBlockState: z.looseObject({ State: z.string().optional() }).optional(),
    }),
  ),
  Ipv6CidrBlockAssociationSet: list(
    z.looseObject({
      Ipv6CidrBlock: cidrV6.optional(),
      Ipv6CidrBlockState: z.looseObject({ State: z.string().optional() }).optional(),
    }),
  ),
  DhcpOptionsId: z.string().optional(),
});

const dhcpOptionsSchema = z.looseObject({
  DhcpOptionsId: z.string().optional(),
  DhcpConfigurations: list(
    z.looseObject({
      Key: z.string(),
      Values: list(z.looseObject({ Value: z.string().optional() })),
    }),
  ),
});

const subnetSchema = z.looseObject({
  SubnetId: z.string().min(1),
  VpcId: z.string().optional(),
  CidrBlock: cidrV4.optional(),
  Ipv6CidrBlockAssociationSet: list(z.looseObject({ Ipv6CidrBlock: cidrV6.optional() })),
  AvailabilityZone: z.string().optional(),
});

/**
 * A TCP/UDP port range must run upwards. AWS never returns an inverted one, and reading it as "every
 * port" (what an absent range means) would allow what no rule allows: such a snapshot is refused,
 * naming the field. (ICMP rules carry type/code in these fields, so any order is fine there.)
 */
function refinePortOrder(
  protocolText: string,
  from: number | undefined,
  to: number | undefined,
  toPath: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const protocol = parseProtocol(protocolText);
  if (protocol !== TCP && protocol !== UDP) return;
  if (from === undefined || to === undefined || from < 0 || to >= from) return;
  ctx.addIssue({
    code: 'custom',
    path: toPath,
    message: `expected a port ≥ the range start ${from} (protocol ${protocolText}), received ${to}`,
  });
}

export const ipPermissionSchema = z
  .looseObject({
    IpProtocol: protocol,
    FromPort: port.optional(),
    ToPort: port.optional(),
    IpRanges: list(z.looseObject({ CidrIp: cidrV4, Description: z.string().optional() })),
    Ipv6Ranges: list(z.looseObject({ CidrIpv6: cidrV6, Description: z.string().optional() })),
    PrefixListIds: list(
      z.looseObject({ PrefixListId: z.string().min(1), Description: z.string().optional() }),
    ),
    UserIdGroupPairs: list(
      z.looseObject({
        GroupId: z.string().min(1),
        UserId: z.string().optional(),
        VpcId: z.string().optional(),
        Description: z.string().optional(),
      }),
    ),
  })
  .superRefine((p, ctx) => refinePortOrder(p.IpProtocol, p.FromPort, p.ToPort, ['ToPort'], ctx));

const securityGroupSchema = z.looseObject({
  GroupId: z.string().min(1),
  GroupName: z.string().optional(),
  VpcId: z.string().optional(),
  IpPermissions: list(ipPermissionSchema),
  IpPermissionsEgress: list(ipPermissionSchema),
});

export const networkAclEntrySchema = z
  .looseObject({
    // 1–32766 are user rules; the final `*` entries are listed as 32767 (IPv4) and 32768 (IPv6).
    RuleNumber: z.number().int().min(1).max(32768),
    Protocol: protocol,
    RuleAction: z.enum(['allow', 'deny']),
    Egress: z.boolean(),
    CidrBlock: cidrV4.optional(),
    Ipv6CidrBlock: cidrV6.optional(),
    PortRange: z.looseObject({ From: port.optional(), To: port.optional() }).optional(),
  })
  .superRefine((e, ctx) =>
    refinePortOrder(e.Protocol, e.PortRange?.From, e.PortRange?.To, ['PortRange', 'To'], ctx),
  );

const networkAclSchema = z.looseObject({
  NetworkAclId: z.string().min(1),
  VpcId: z.string().optional(),
  IsDefault: z.boolean().optional(),
  Entries: list(networkAclEntrySchema),
  Associations: list(
    z.looseObject({
      NetworkAclAssociationId: z.string().optional(),
      NetworkAclId: z.string().optional(),
      SubnetId: z.string().optional(),
    }),
  ),
});

const networkInterfaceSchema = z.looseObject({
  NetworkInterfaceId: z.string().min(1),
  SubnetId: z.string().min(1),
  VpcId: z.string().optional(),
  InterfaceType: z.string().optional(),
  Description: z.string().optional(),
  Status: z.string().optional(),
  Groups: list(z.looseObject({ GroupId: z.string().min(1), GroupName: z.string().optional() })),
  PrivateIpAddress: ipV4.optional(),
  PrivateIpAddresses: list(z.looseObject({ PrivateIpAddress: ipV4, Primary: z.boolean().optional() })),
  Ipv6Address: ipV6.optional(),
  Ipv6Addresses: list(z.looseObject({ Ipv6Address: ipV6, IsPrimaryIpv6: z.boolean().optional() })),
  Ipv4Prefixes: list(z.looseObject({ Ipv4Prefix: cidrV4 })),
  Ipv6Prefixes: list(z.looseObject({ Ipv6Prefix: cidrV6 })),
  Attachment: z
    .looseObject({
      InstanceId: z.string().optional(),
      DeviceIndex: z.number().optional(),
      NetworkCardIndex: z.number().optional(),
      Status: z.string().optional(),
    })
    .optional(),
  TagSet: list(tag),
});

const prefixListSchema = z.looseObject({
  PrefixListId: z.string().min(1),
  PrefixListName: z.string().optional(),
  AddressFamily: z.string().optional(),
  Entries: list(z.looseObject({ Cidr: anyCidr, Description: z.string().optional() })),
});

// ── Kubernetes facts ───────────────────────────────────────────────────────────────────────
const kubernetesSchema = z.looseObject({
  access: z.looseObject({ reachable: z.boolean(), reason: z.string().optional() }).optional(),
  dnsPods: list(
    z.looseObject({
      name: z.string().min(1),
      namespace: z.string().optional(),
      podIP: anyIp,
      nodeName: z.string().optional(),
    }),
  ),
  nodes: list(
    z.looseObject({
      name: z.string().min(1),
      internalIP: z.string().optional(),
      providerID: z.string().optional(),
      /** only the compute labels (`eks.amazonaws.com/compute-type`, `eks.amazonaws.com/nodegroup`): EKS-COMPUTE-MODE */
      labels: z.record(z.string(), z.string()).optional(),
    }),
  ),
  upstreams: z.array(z.string().min(1)).optional(),
  /** names of the kube-system DaemonSets (kube-proxy, a replacing CNI); absent: not read */
  daemonSets: z.array(z.string()).optional(),
  /** Cilium's `kube-proxy-replacement` (ConfigMap kube-system/cilium-config), when Cilium runs */
  ciliumKubeProxyReplacement: z.string().optional(),
  /** @2: image references of the kube-system pods (their registry hosts are names the cluster needs) */
  images: list(z.string().min(1)),
});

// ── Route 53 Resolver (@2) ─────────────────────────────────────────────────────────────────
// Shapes of @aws-sdk/client-route53resolver outputs. Enumerations stay strings: AWS adds values
// (a new Status, Action or Protocol) and an unknown one must reach the evaluator, which treats it
// as "not OPERATIONAL" / "not a match", rather than make the whole snapshot unusable.
const resolverRuleAssociationSchema = z.looseObject({
  Id: z.string().optional(),
  ResolverRuleId: z.string().min(1),
  Name: z.string().optional(),
  VPCId: z.string().optional(),
  Status: z.string().optional(),
  StatusMessage: z.string().optional(),
});

const targetAddressSchema = z.looseObject({
  Ip: ipV4.optional(),
  Ipv6: ipV6.optional(),
  Port: z.number().int().min(0).max(65535).optional(),
  Protocol: z.string().optional(),
  ServerNameIndication: z.string().optional(),
});

const resolverRuleSchema = z.looseObject({
  Id: z.string().min(1),
  Arn: z.string().optional(),
  DomainName: z.string().min(1),
  RuleType: z.string().min(1),
  Status: z.string().optional(),
  Name: z.string().optional(),
  TargetIps: list(targetAddressSchema),
  ResolverEndpointId: z.string().optional(),
  OwnerId: z.string().optional(),
  ShareStatus: z.string().optional(),
});

const resolverEndpointSchema = z.looseObject({
  Id: z.string().min(1),
  Arn: z.string().optional(),
  Name: z.string().optional(),
  Direction: z.string().optional(),
  Status: z.string().optional(),
  StatusMessage: z.string().optional(),
  HostVPCId: z.string().optional(),
  SecurityGroupIds: list(z.string().min(1)),
  IpAddressCount: z.number().int().min(0).optional(),
  ResolverEndpointType: z.string().optional(),
  Protocols: list(z.string()),
  /** ListResolverEndpointIpAddresses → .IpAddresses */
  IpAddresses: list(
    z.looseObject({
      IpId: z.string().optional(),
      SubnetId: z.string().min(1),
      Ip: ipV4.optional(),
      Ipv6: ipV6.optional(),
      Status: z.string().optional(),
      StatusMessage: z.string().optional(),
    }),
  ),
});

const firewallRuleGroupAssociationSchema = z.looseObject({
  Id: z.string().optional(),
  FirewallRuleGroupId: z.string().min(1),
  VpcId: z.string().optional(),
  Name: z.string().optional(),
  Priority: z.number().int(),
  MutationProtection: z.string().optional(),
  Status: z.string().optional(),
  StatusMessage: z.string().optional(),
});

const firewallRuleSchema = z.looseObject({
  FirewallRuleGroupId: z.string().min(1),
  FirewallDomainListId: z.string().optional(),
  FirewallThreatProtectionId: z.string().optional(),
  Name: z.string().optional(),
  Priority: z.number().int(),
  Action: z.string().min(1),
  BlockResponse: z.string().optional(),
  Qtype: z.string().optional(),
  FirewallDomainRedirectionAction: z.string().optional(),
});

const firewallDomainListSchema = z.looseObject({
  Id: z.string().min(1),
  Name: z.string().optional(),
  ManagedOwnerName: z.string().optional(),
  /** ListFirewallDomains → .Domains; absent for AWS-managed lists (they cannot be listed) */
  Domains: z.array(z.string().min(1)).optional(),
});

const resolverSchema = z.looseObject({
  ruleAssociations: list(resolverRuleAssociationSchema),
  rules: list(resolverRuleSchema),
  endpoints: list(resolverEndpointSchema),
  firewallConfig: z
    .looseObject({
      Id: z.string().optional(),
      ResourceId: z.string().optional(),
      OwnerId: z.string().optional(),
      FirewallFailOpen: z.string().optional(),
    })
    .optional(),
  firewallRuleGroupAssociations: list(firewallRuleGroupAssociationSchema),
  firewallRules: list(firewallRuleSchema),
  firewallDomainLists: list(firewallDomainListSchema),
});

const collectionErrorSchema = z.looseObject({
  call: z.string().min(1),
  code: z.string().optional(),
  message: z.string().optional(),
  checks: list(z.string()),
});

export const networkSnapshotSchema = z.looseObject({
  format: z.enum(NETWORK_SNAPSHOT_FORMATS),
  accountId: z.string().regex(/^[0-9]{12}$/, 'expected a 12-digit AWS account id'),
  region: z.string().regex(/^[a-z0-9-]+$/, 'expected an AWS region such as eu-west-1'),
  collectedAt: z.string().optional(),
  cluster: eksClusterSchema,
  vpc: vpcSchema,
  vpcAttributes: z
    .looseObject({ enableDnsSupport: z.boolean().optional(), enableDnsHostnames: z.boolean().optional() })
    .optional(),
  dhcpOptions: dhcpOptionsSchema.optional(),
  subnets: list(subnetSchema),
  securityGroups: list(securityGroupSchema),
  networkAcls: list(networkAclSchema),
  networkInterfaces: list(networkInterfaceSchema),
  prefixLists: list(prefixListSchema),
  addons: z.array(addonSchema).optional(),
  addonVersions: z.array(addonInfoSchema).optional(),
  kubernetes: kubernetesSchema.optional(),
  /** @2: Route 53 Resolver rules and DNS Firewall of the VPC (absent in @2 = nothing associated) */
  resolver: resolverSchema.optional(),
  collectionErrors: list(collectionErrorSchema),
});

/** A parsed, validated network snapshot: what collectors produce and the audit consumes. */
export type NetworkSnapshot = z.infer<typeof networkSnapshotSchema>;
/** What a collector writes (optional arrays may be left out). */
export type NetworkSnapshotInput = z.input<typeof networkSnapshotSchema>;
export type EksCluster = NetworkSnapshot['cluster'];
export type SnapshotVpc = NetworkSnapshot['vpc'];
export type SnapshotSubnet = NetworkSnapshot['subnets'][number];
export type SnapshotSecurityGroup = NetworkSnapshot['securityGroups'][number];
export type SnapshotIpPermission = SnapshotSecurityGroup['IpPermissions'][number];
export type SnapshotNetworkAcl = NetworkSnapshot['networkAcls'][number];
export type SnapshotNetworkAclEntry = SnapshotNetworkAcl['Entries'][number];
export type SnapshotNetworkInterface = NetworkSnapshot['networkInterfaces'][number];
export type SnapshotPrefixList = NetworkSnapshot['prefixLists'][number];
export type SnapshotAddon = NonNullable<NetworkSnapshot['addons']>[number];
export type SnapshotAddonInfo = NonNullable<NetworkSnapshot['addonVersions']>[number];
export type SnapshotKubernetes = NonNullable<NetworkSnapshot['kubernetes']>;
export type SnapshotDnsPod = SnapshotKubernetes['dnsPods'][number];
export type SnapshotNode = SnapshotKubernetes['nodes'][number];
export type SnapshotCollectionError = NetworkSnapshot['collectionErrors'][number];
export type SnapshotResolver = NonNullable<NetworkSnapshot['resolver']>;
export type SnapshotResolverRule = SnapshotResolver['rules'][number];
export type SnapshotResolverRuleAssociation = SnapshotResolver['ruleAssociations'][number];
export type SnapshotResolverEndpoint = SnapshotResolver['endpoints'][number];
export type SnapshotFirewallRule = SnapshotResolver['firewallRules'][number];
export type SnapshotFirewallRuleGroupAssociation = SnapshotResolver['firewallRuleGroupAssociations'][number];
export type SnapshotFirewallDomainList = SnapshotResolver['firewallDomainLists'][number];
