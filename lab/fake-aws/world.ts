/**
 * The fake AWS world: accounts × regions of VPCs (subnets, security groups, NACLs, ENIs, DHCP
 * options) and EKS clusters with add-ons, as plain values shaped like the SDK's outputs, and the
 * builders that make realistic ones. It lives in lab/ (not test/) because two servers answer from
 * it — the aws-sdk-client-mock installer the tests use and the 127.0.0.1 HTTP endpoint the demo
 * points the real SDK clients at — and product code never imports test/. How a request is answered
 * from a world is in answers.ts; the wire protocols are in server.ts and wire.ts.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import type {
  DhcpOptions,
  NetworkAcl,
  NetworkInterface,
  PrefixListEntry,
  SecurityGroup,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { ThrottlingException } from '@aws-sdk/client-eks';
import type { Addon, AddonInfo, AuthenticationMode, Cluster, ClusterStatus } from '@aws-sdk/client-eks';
import type { Account } from '@aws-sdk/client-organizations';
import { STSServiceException } from '@aws-sdk/client-sts';
import type { KubeObject } from '../fake-kube-api/index.js';

// ── environment ──────────────────────────────────────────────────────────────────────────────

/** The static fake key the default credential chain finds in the environment. */
export const FAKE_ACCESS_KEY_ID = 'AKIAFLEETDNSTESTKEY1';

/** The environment that makes the SDK use static fake keys and read nothing from ~/.aws. */
export function fakeAwsEnvironment(region = 'eu-west-1'): Record<string, string | undefined> {
  return {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key-for-tests-only',
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: region,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/fleet-dns-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/fleet-dns-test/credentials',
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_EC2: undefined,
    AWS_ENDPOINT_URL_EKS: undefined,
    AWS_ENDPOINT_URL_STS: undefined,
    AWS_ENDPOINT_URL_ORGANIZATIONS: undefined,
  };
}

/** The access key an assumed role in `accountId` gets (the fake reads the account back from it). */
export function assumedAccessKeyId(accountId: string): string {
  return `ASIA${accountId}TEST`;
}

/** The account an access key belongs to: the static key is `currentAccountId`'s, an assumed one names its account. */
export function accountOfAccessKey(accessKeyId: string, currentAccountId: string): string | undefined {
  return accessKeyId === FAKE_ACCESS_KEY_ID ? currentAccountId : /^ASIA([0-9]{12})/.exec(accessKeyId)?.[1];
}

// ── the world ────────────────────────────────────────────────────────────────────────────────

export interface FakeVpc {
  readonly vpc: Vpc;
  readonly attributes: { readonly enableDnsSupport: boolean; readonly enableDnsHostnames: boolean };
  readonly dhcpOptions?: DhcpOptions;
  readonly subnets: Subnet[];
  readonly securityGroups: SecurityGroup[];
  readonly networkAcls: NetworkAcl[];
  readonly networkInterfaces: NetworkInterface[];
}

export interface NodeInfo {
  readonly clusterName: string;
  readonly nodeName: string;
  readonly instanceId: string;
  readonly eniId: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly primaryIp: string;
  readonly secondaryIps: readonly string[];
}

export interface BuiltVpc extends FakeVpc {
  readonly nodes: NodeInfo[];
  /** the cluster security group of each cluster built into this VPC */
  readonly clusterSecurityGroups: Record<string, string>;
  readonly subnetIds: { readonly a: string; readonly b: string; readonly other: string };
}

export interface FakeCluster {
  readonly cluster: Cluster;
  readonly addons: Addon[];
}

export interface FakeRegionWorld {
  readonly accountId: string;
  readonly region: string;
  readonly vpcs: FakeVpc[];
  readonly clusters: FakeCluster[];
  /** managed prefix list id → entries */
  readonly prefixLists?: Record<string, PrefixListEntry[]>;
}

/** A call the fake fails: matched by account, region and operation name. */
export interface FakeFault {
  readonly operation: string;
  readonly accountId?: string;
  readonly region?: string;
  /** only when the input matches (e.g. a cluster name) */
  readonly when?: (input: Record<string, unknown>) => boolean;
  readonly error: () => Error;
  /** fail only the first N matching calls; @default every one */
  times?: number;
}

export interface FakeAwsOptions {
  /** the account of the static environment keys */
  readonly currentAccountId: string;
  /** Organizations accounts (ListAccounts) */
  readonly organizationAccounts?: Account[];
  /** accounts whose role cannot be assumed (AccessDenied) */
  readonly denyAssumeRole?: readonly string[];
  /** enabled regions DescribeRegions lists; @default every region of the worlds */
  readonly enabledRegions?: readonly string[];
  /** the most items the fake returns per page, whatever MaxResults asks (forces pages) */
  readonly pageCap?: number;
  readonly faults?: FakeFault[];
}

// ── builders ─────────────────────────────────────────────────────────────────────────────────

/**
 * A node whose addressing is given — e.g. a lab cluster's Node objects (providerID, InternalIP)
 * and pod IPs — rather than made up by {@link buildVpc}.
 */
export interface VpcNodeSpec {
  readonly nodeName: string;
  readonly instanceId: string;
  /** its zone; nodes in the region's `a` zone go in subnet a, the others in subnet b */
  readonly availabilityZone: string;
  readonly primaryIp: string;
  /** the ENI's secondary IPs (the VPC CNI's pod IPs) */
  readonly secondaryIps: readonly string[];
}

export interface BuildVpcOptions {
  readonly vpcId: string;
  /** second octet of the VPC CIDR 10.<octet>.0.0/16 (and of made-up ids) */
  readonly octet: number;
  /** the VPC CIDR's first two octets, `<cidrBase>.0.0/16` @default `10.<octet>` */
  readonly cidrBase?: string;
  readonly accountId: string;
  readonly region: string;
  /** clusters whose nodes live in this VPC: how many (addressing made up) or which */
  readonly clusters: readonly { readonly name: string; readonly nodes: number | readonly VpcNodeSpec[] }[];
  /** ENIs of other workloads (not any cluster's) in the VPC */
  readonly otherEnis?: number;
  /** DHCP domain-name-servers; @default AmazonProvidedDNS */
  readonly dhcpServers?: readonly string[];
  /** a NACL on subnet B that denies inbound UDP/53 (the CoreDNS pods' subnet, see buildKubeObjects) */
  readonly denyDnsUdpIntoSubnetB?: boolean;
  /** prefix lists the cluster security groups reference (tcp/443 ingress) */
  readonly prefixListIds?: readonly string[];
  readonly enableDnsHostnames?: boolean;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A VPC with two node subnets (a, b), an "other workloads" subnet, cluster SGs, NACLs and ENIs. */
export function buildVpc(o: BuildVpcOptions): BuiltVpc {
  const net = o.cidrBase ?? `10.${o.octet}`;
  const tag = o.vpcId.replace(/^vpc-/, '');
  const az = (s: 'a' | 'b') => `${o.region}${s}`;
  const subnetIds = { a: `subnet-${tag}a`, b: `subnet-${tag}b`, other: `subnet-${tag}c` };
  const subnet = (id: string, cidr: string, zone: string, name: string): Subnet => ({
    SubnetId: id,
    SubnetArn: `arn:aws:ec2:${o.region}:${o.accountId}:subnet/${id}`,
    VpcId: o.vpcId,
    CidrBlock: cidr,
    AvailabilityZone: zone,
    AvailabilityZoneId: `euw1-az${zone.endsWith('a') ? 1 : 2}`,
    AvailableIpAddressCount: 200,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    State: 'available',
    OwnerId: o.accountId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: [{ Key: 'Name', Value: name }],
  });
  const subnets = [
    subnet(subnetIds.a, `${net}.1.0/24`, az('a'), 'nodes-a'),
    subnet(subnetIds.b, `${net}.2.0/24`, az('b'), 'nodes-b'),
    subnet(subnetIds.other, `${net}.128.0/17`, az('a'), 'other-workloads'),
  ];

  const defaultSg = `sg-${tag}default`;
  const clusterSecurityGroups: Record<string, string> = {};
  const securityGroups: SecurityGroup[] = [
    {
      GroupId: defaultSg,
      GroupName: 'default',
      Description: 'default VPC security group',
      VpcId: o.vpcId,
      OwnerId: o.accountId,
      IpPermissions: [
        {
          IpProtocol: '-1',
          UserIdGroupPairs: [{ GroupId: defaultSg, UserId: o.accountId }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
      ],
      IpPermissionsEgress: [
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ],
      Tags: [],
    },
  ];
  o.clusters.forEach((c, i) => {
    const id = `sg-${tag}cluster${i}`;
    clusterSecurityGroups[c.name] = id;
    securityGroups.push({
      GroupId: id,
      GroupName: `eks-cluster-sg-${c.name}-1234567890`,
      Description:
        'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
      VpcId: o.vpcId,
      OwnerId: o.accountId,
      IpPermissions: [
        {
          IpProtocol: '-1',
          UserIdGroupPairs: [{ GroupId: id, UserId: o.accountId }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
        ...(o.prefixListIds ?? []).map((pl) => ({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          PrefixListIds: [{ PrefixListId: pl, Description: 'corporate ranges' }],
          IpRanges: [],
          Ipv6Ranges: [],
          UserIdGroupPairs: [],
        })),
      ],
      IpPermissionsEgress: [
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ],
      Tags: [
        { Key: 'aws:eks:cluster-name', Value: c.name },
        { Key: `kubernetes.io/cluster/${c.name}`, Value: 'owned' },
      ],
    });
  });

  const entry = (
    RuleNumber: number,
    Egress: boolean,
    RuleAction: 'allow' | 'deny',
    Protocol = '-1',
    port?: number,
  ) => ({
    RuleNumber,
    Egress,
    RuleAction,
    Protocol,
    CidrBlock: '0.0.0.0/0',
    ...(port !== undefined ? { PortRange: { From: port, To: port } } : {}),
  });
  const allowAll = [
    entry(100, false, 'allow'),
    entry(32767, false, 'deny'),
    entry(100, true, 'allow'),
    entry(32767, true, 'deny'),
  ];
  const association = (aclId: string, subnetId: string) => ({
    NetworkAclAssociationId: `aclassoc-${aclId.slice(4)}${subnetId.slice(-1)}`,
    NetworkAclId: aclId,
    SubnetId: subnetId,
  });
  const defaultAcl = `acl-${tag}default`;
  const customAcl = `acl-${tag}b`;
  const networkAcls: NetworkAcl[] = [
    {
      NetworkAclId: defaultAcl,
      VpcId: o.vpcId,
      OwnerId: o.accountId,
      IsDefault: true,
      Entries: allowAll,
      Associations: [subnetIds.a, subnetIds.other, ...(o.denyDnsUdpIntoSubnetB ? [] : [subnetIds.b])].map(
        (s) => association(defaultAcl, s),
      ),
      Tags: [],
    },
  ];
  if (o.denyDnsUdpIntoSubnetB) {
    networkAcls.push({
      NetworkAclId: customAcl,
      VpcId: o.vpcId,
      OwnerId: o.accountId,
      IsDefault: false,
      Entries: [entry(90, false, 'deny', '17', 53), ...allowAll],
      Associations: [association(customAcl, subnetIds.b)],
      Tags: [{ Key: 'Name', Value: 'nodes-b-locked-down' }],
    });
  }

  const nodes: NodeInfo[] = [];
  const networkInterfaces: NetworkInterface[] = [];
  let n = 0;
  for (const c of o.clusters) {
    const count = typeof c.nodes === 'number' ? c.nodes : c.nodes.length;
    for (let k = 0; k < count; k += 1, n += 1) {
      const given = typeof c.nodes === 'number' ? undefined : c.nodes[k];
      const side = given ? (given.availabilityZone === az('a') ? 'a' : 'b') : n % 2 === 0 ? 'a' : 'b';
      const third = side === 'a' ? 1 : 2;
      const primaryIp = given?.primaryIp ?? `${net}.${third}.${10 + n}`;
      const secondaryIps =
        given?.secondaryIps ?? [0, 1, 2, 3].map((j) => `${net}.${third}.${100 + n * 4 + j}`);
      const instanceId = given?.instanceId ?? `i-0${pad(o.octet, 3)}${pad(n, 13)}`;
      const eniId = `eni-0${pad(o.octet, 3)}${pad(n, 13)}`;
      const nodeName = given?.nodeName ?? `ip-${primaryIp.replaceAll('.', '-')}.${o.region}.compute.internal`;
      nodes.push({
        clusterName: c.name,
        nodeName,
        instanceId,
        eniId,
        availabilityZone: az(side),
        subnetId: subnetIds[side],
        primaryIp,
        secondaryIps: [...secondaryIps],
      });
      networkInterfaces.push({
        NetworkInterfaceId: eniId,
        SubnetId: subnetIds[side],
        VpcId: o.vpcId,
        AvailabilityZone: az(side),
        Description: '',
        InterfaceType: 'interface',
        MacAddress: `02:00:00:${pad(o.octet, 2)}:00:${pad(n % 100, 2)}`,
        OwnerId: o.accountId,
        RequesterManaged: false,
        SourceDestCheck: true,
        Status: 'in-use',
        PrivateDnsName: nodeName,
        PrivateIpAddress: primaryIp,
        PrivateIpAddresses: [
          { Primary: true, PrivateIpAddress: primaryIp, PrivateDnsName: nodeName },
          ...secondaryIps.map((ip) => ({ Primary: false, PrivateIpAddress: ip })),
        ],
        Groups: [
          {
            GroupId: clusterSecurityGroups[c.name] ?? defaultSg,
            GroupName: `eks-cluster-sg-${c.name}-1234567890`,
          },
        ],
        Attachment: {
          AttachmentId: `eni-attach-${pad(n, 8)}`,
          AttachTime: new Date('2025-01-15T10:00:00Z'),
          DeleteOnTermination: true,
          DeviceIndex: 0,
          NetworkCardIndex: 0,
          InstanceId: instanceId,
          InstanceOwnerId: o.accountId,
          Status: 'attached',
        },
        Ipv6Addresses: [],
        Ipv4Prefixes: [],
        TagSet: [{ Key: 'node.k8s.amazonaws.com/instance_id', Value: instanceId }],
      });
    }
  }
  for (let k = 0; k < (o.otherEnis ?? 0); k += 1) {
    const ip = `${net}.${128 + Math.floor(k / 250)}.${1 + (k % 250)}`;
    networkInterfaces.push({
      NetworkInterfaceId: `eni-1${pad(o.octet, 3)}${pad(k, 13)}`,
      SubnetId: subnetIds.other,
      VpcId: o.vpcId,
      AvailabilityZone: az('a'),
      Description: 'Interface for NAT Gateway / Lambda / other workload',
      InterfaceType: k % 3 === 0 ? 'lambda' : 'interface',
      OwnerId: o.accountId,
      RequesterManaged: k % 3 === 0,
      SourceDestCheck: true,
      Status: 'in-use',
      PrivateIpAddress: ip,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
      Groups: [{ GroupId: defaultSg, GroupName: 'default' }],
      Ipv6Addresses: [],
      TagSet: [],
    });
  }

  const dhcpId = `dopt-${tag}`;
  return {
    vpc: {
      VpcId: o.vpcId,
      OwnerId: o.accountId,
      State: 'available',
      CidrBlock: `${net}.0.0/16`,
      CidrBlockAssociationSet: [
        {
          AssociationId: `vpc-cidr-assoc-${tag}`,
          CidrBlock: `${net}.0.0/16`,
          CidrBlockState: { State: 'associated' },
        },
      ],
      Ipv6CidrBlockAssociationSet: [],
      DhcpOptionsId: dhcpId,
      InstanceTenancy: 'default',
      IsDefault: false,
      Tags: [{ Key: 'Name', Value: `fleet-${tag}` }],
    },
    attributes: { enableDnsSupport: true, enableDnsHostnames: o.enableDnsHostnames ?? true },
    dhcpOptions: {
      DhcpOptionsId: dhcpId,
      OwnerId: o.accountId,
      DhcpConfigurations: [
        { Key: 'domain-name', Values: [{ Value: `${o.region}.compute.internal` }] },
        {
          Key: 'domain-name-servers',
          Values: (o.dhcpServers ?? ['AmazonProvidedDNS']).map((Value) => ({ Value })),
        },
      ],
      Tags: [],
    },
    subnets,
    securityGroups,
    networkAcls,
    networkInterfaces,
    nodes,
    clusterSecurityGroups,
    subnetIds,
  };
}

export interface BuildClusterOptions {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpc: BuiltVpc;
  /** @default '1.31' */
  readonly version?: string;
  /** @default a fake public endpoint (never contacted unless the test serves it) */
  readonly endpoint?: string;
  /** base64 of the CA PEM; @default a placeholder */
  readonly caData?: string;
  readonly endpointPublicAccess?: boolean;
  readonly endpointPrivateAccess?: boolean;
  readonly authenticationMode?: AuthenticationMode;
  readonly status?: ClusterStatus;
  /** installed EKS add-ons; @default ['coredns', 'kube-proxy'] */
  readonly addons?: readonly ('coredns' | 'kube-proxy')[];
}

export const COREDNS_VERSION = 'v1.11.3-eksbuild.2';
export const KUBE_PROXY_VERSION = 'v1.31.2-eksbuild.3';

/** A DescribeCluster `.cluster` and its DescribeAddon `.addon`s. */
export function buildCluster(o: BuildClusterOptions): FakeCluster {
  const arn = `arn:aws:eks:${o.region}:${o.accountId}:cluster/${o.name}`;
  const created = new Date('2025-01-10T08:00:00Z');
  return {
    cluster: {
      name: o.name,
      arn,
      createdAt: created,
      version: o.version ?? '1.31',
      // A closed loopback port by default: a test that forgets to serve the API never resolves or reaches a real host.
      endpoint: o.endpoint ?? 'https://127.0.0.1:1',
      roleArn: `arn:aws:iam::${o.accountId}:role/eks-cluster-role`,
      resourcesVpcConfig: {
        subnetIds: [o.vpc.subnetIds.a, o.vpc.subnetIds.b],
        securityGroupIds: [],
        clusterSecurityGroupId: o.vpc.clusterSecurityGroups[o.name],
        vpcId: o.vpc.vpc.VpcId,
        endpointPublicAccess: o.endpointPublicAccess ?? true,
        endpointPrivateAccess: o.endpointPrivateAccess ?? true,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: '172.20.0.0/16',
        ipFamily: 'ipv4',
        elasticLoadBalancing: { enabled: false },
      },
      logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: false }] },
      identity: { oidc: { issuer: `https://oidc.eks.${o.region}.amazonaws.com/id/0123456789ABCDEF` } },
      status: o.status ?? 'ACTIVE',
      certificateAuthority: {
        data:
          o.caData ??
          Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n').toString('base64'),
      },
      platformVersion: 'eks.12',
      tags: {},
      accessConfig: { authenticationMode: o.authenticationMode ?? 'API_AND_CONFIG_MAP' },
      upgradePolicy: { supportType: 'STANDARD' },
    },
    addons: (o.addons ?? ['coredns', 'kube-proxy']).map((addonName) => ({
      addonName,
      clusterName: o.name,
      status: 'ACTIVE',
      addonVersion: addonName === 'coredns' ? COREDNS_VERSION : KUBE_PROXY_VERSION,
      health: { issues: [] },
      addonArn: `arn:aws:eks:${o.region}:${o.accountId}:addon/${o.name}/${addonName}/00000000-0000-0000-0000-000000000000`,
      createdAt: created,
      modifiedAt: created,
      tags: {},
    })),
  };
}

/** What DescribeAddonVersions knows: coredns and kube-proxy versions with their cluster versions. */
export const ADDON_CATALOG: AddonInfo[] = [
  {
    addonName: 'coredns',
    type: 'networking',
    owner: 'aws',
    addonVersions: [
      {
        addonVersion: COREDNS_VERSION,
        architecture: ['amd64', 'arm64'],
        compatibilities: ['1.29', '1.30', '1.31', '1.32'].map((v) => ({
          clusterVersion: v,
          platformVersions: ['*'],
          defaultVersion: v !== '1.32',
        })),
        requiresConfiguration: false,
      },
      {
        addonVersion: 'v1.11.4-eksbuild.1',
        architecture: ['amd64', 'arm64'],
        compatibilities: ['1.31', '1.32', '1.33'].map((v) => ({
          clusterVersion: v,
          platformVersions: ['*'],
          defaultVersion: v === '1.32' || v === '1.33',
        })),
        requiresConfiguration: false,
      },
    ],
  },
  {
    addonName: 'kube-proxy',
    type: 'networking',
    owner: 'aws',
    addonVersions: [
      {
        addonVersion: KUBE_PROXY_VERSION,
        architecture: ['amd64', 'arm64'],
        compatibilities: [{ clusterVersion: '1.31', platformVersions: ['*'], defaultVersion: true }],
        requiresConfiguration: false,
      },
    ],
  },
];

/** The Corefile of the EKS CoreDNS add-on's `coredns` ConfigMap (as the add-on installs it). */
export const EKS_DEFAULT_COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

/**
 * The Kubernetes objects of one cluster for the fake API: its nodes (providerID → instance), two
 * CoreDNS pods on the first secondary IP of its first two nodes (so on different subnets), the
 * kube-dns EndpointSlice pointing at them, and the `coredns` ConfigMap.
 */
export function buildKubeObjects(
  vpc: BuiltVpc,
  clusterName: string,
  corefile = EKS_DEFAULT_COREFILE,
): KubeObject[] {
  const nodes = vpc.nodes.filter((n) => n.clusterName === clusterName);
  const dnsNodes = nodes.slice(0, 2);
  const podName = (i: number) => `coredns-6b9575c64c-${['x2x5q', 'p8kdn'][i] ?? `pod${i}`}`;
  return [
    ...nodes.map((n): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.nodeName,
        labels: {
          'kubernetes.io/hostname': n.nodeName,
          'topology.kubernetes.io/zone': n.availabilityZone,
          'node.kubernetes.io/instance-type': 'm6i.large',
        },
      },
      spec: { providerID: `aws:///${n.availabilityZone}/${n.instanceId}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: n.primaryIp },
          { type: 'InternalDNS', address: n.nodeName },
          { type: 'Hostname', address: n.nodeName },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    })),
    ...dnsNodes.map((n, i): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName(i),
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
      },
      spec: { nodeName: n.nodeName, containers: [{ name: 'coredns', image: 'coredns:v1.11.3' }] },
      status: {
        phase: 'Running',
        podIP: n.secondaryIps[0],
        podIPs: [{ ip: n.secondaryIps[0] }],
        hostIP: n.primaryIp,
      },
    })),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kube-dns-7hrc5',
        namespace: 'kube-system',
        labels: {
          'kubernetes.io/service-name': 'kube-dns',
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        },
      },
      addressType: 'IPv4',
      endpoints: dnsNodes.map((n, i) => ({
        addresses: [n.secondaryIps[0]],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: n.nodeName,
        zone: n.availabilityZone,
        targetRef: {
          kind: 'Pod',
          name: podName(i),
          namespace: 'kube-system',
          uid: `00000000-0000-0000-0000-00000000000${i}`,
        },
      })),
      ports: [
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'coredns',
        namespace: 'kube-system',
        labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' },
      },
      data: { Corefile: corefile },
    },
  ];
}

// ── errors shaped like the SDK's ─────────────────────────────────────────────────────────────

export function ec2Error(name: string, message: string, httpStatusCode = 400): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: {
      httpStatusCode,
      requestId: '6f5a2c3e-0000-4000-8000-000000000000',
      attempts: 3,
      totalRetryDelay: 1200,
    },
    message,
  });
}

export const ec2Throttled = () => ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);
export const ec2Unauthorized = () =>
  ec2Error(
    'UnauthorizedOperation',
    'You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/fleet-dns-scanner/scan is not authorized to perform: ec2:DescribeNetworkAcls',
    403,
  );

export function eksThrottled(): ThrottlingException {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
}

export function stsAccessDenied(roleArn: string): STSServiceException {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:sts::111122223333:assumed-role/fleet-dns-central/scan is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  });
}
