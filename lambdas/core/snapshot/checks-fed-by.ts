/**
 * Which checks each collection call feeds — the one table the collectors (naming the checks of a
 * `collectionErrors` entry) and the audit (turning them ERROR) share. Derived from the inputs
 * checks.md § A lists per check: when the call fails, the checks it feeds have no input and are
 * ERROR, never PASS or FAIL on missing data.
 *
 * @see ../../../../shared/network-snapshot.md ("Missing and empty data")
 */
import type { CheckId } from '../catalog/check-catalog.js';
import type { SnapshotCollectionError } from './network-snapshot-schema.js';

const SG: readonly CheckId[] = ['NET-SG-DNS-UDP', 'NET-SG-DNS-TCP'];
const NACL: readonly CheckId[] = ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP'];
/** Every check that reads the VPC's network (everything but the add-on and endpoint-access checks). */
const VPC_NETWORK: readonly CheckId[] = [
  'NET-VPC-DNS-ATTRIBUTES',
  'NET-DHCP-OPTIONS',
  ...SG,
  ...NACL,
  'NET-COREDNS-ENI-SPREAD',
  'NET-UPSTREAM-REACH',
];

export const CHECKS_FED_BY = {
  // A cluster description without resourcesVpcConfig.vpcId (the only way it appears here: a
  // DescribeCluster that failed outright leaves no snapshot): no VPC, so no network was read.
  'eks:DescribeCluster': VPC_NETWORK,
  // VPC CIDRs decide whether an upstream is inside the VPC, and where base+2 is.
  'ec2:DescribeVpcs': ['NET-DHCP-OPTIONS', 'NET-UPSTREAM-REACH'],
  'ec2:DescribeVpcAttribute': ['NET-VPC-DNS-ATTRIBUTES'],
  // DHCP name servers are CoreDNS's upstream when the Corefile forwards to /etc/resolv.conf.
  'ec2:DescribeDhcpOptions': ['NET-DHCP-OPTIONS', 'NET-UPSTREAM-REACH'],
  // Subnets: which NACL applies (implicit default association) and subnet boundaries.
  'ec2:DescribeSubnets': [...NACL, 'NET-UPSTREAM-REACH'],
  'ec2:DescribeSecurityGroups': [...SG, 'NET-UPSTREAM-REACH'],
  'ec2:DescribeNetworkAcls': [...NACL, 'NET-UPSTREAM-REACH'],
  'ec2:DescribeNetworkInterfaces': [...SG, ...NACL, 'NET-COREDNS-ENI-SPREAD', 'NET-UPSTREAM-REACH'],
  // Prefix lists are SG rule peers; their entries are what the rule allows.
  'ec2:DescribeManagedPrefixLists': [...SG, 'NET-UPSTREAM-REACH'],
  'ec2:GetManagedPrefixListEntries': [...SG, 'NET-UPSTREAM-REACH'],
  'eks:ListAddons': ['EKS-COREDNS-ADDON'],
  'eks:DescribeAddon': ['EKS-COREDNS-ADDON'],
  'eks:DescribeAddonVersions': ['EKS-COREDNS-ADDON'],
  // The Corefile's root-zone forwarders are the upstreams NET-UPSTREAM-REACH judges.
  'k8s:ReadConfigMap/coredns': ['NET-UPSTREAM-REACH'],
  // The kube-system DaemonSets and Cilium's config say whether a CNI replaces kube-proxy.
  'k8s:ListDaemonSets/kube-system': ['EKS-COMPUTE-MODE'],
  'k8s:ReadConfigMap/cilium-config': ['EKS-COMPUTE-MODE'],
  // @2 (network-snapshot.md § Format @2): the Resolver rules and their outbound endpoints…
  'route53resolver:ListResolverRuleAssociations': ['NET-RESOLVER-RULES'],
  'route53resolver:GetResolverRule': ['NET-RESOLVER-RULES'],
  'route53resolver:ListResolverRules': ['NET-RESOLVER-RULES'],
  'route53resolver:ListResolverEndpoints': ['NET-RESOLVER-RULES'],
  'route53resolver:ListResolverEndpointIpAddresses': ['NET-RESOLVER-RULES'],
  // …and DNS Firewall (it filters every query the VPC resolver receives, forwarded or not).
  'route53resolver:ListFirewallRuleGroupAssociations': ['NET-DNS-FIREWALL'],
  'route53resolver:ListFirewallRules': ['NET-DNS-FIREWALL'],
  'route53resolver:ListFirewallDomains': ['NET-DNS-FIREWALL'],
  'route53resolver:ListFirewallDomainLists': ['NET-DNS-FIREWALL'],
  'route53resolver:GetFirewallConfig': ['NET-DNS-FIREWALL'],
  // kube-system image references: their registry hosts are names both checks need resolvable.
  'k8s:ListPods/kube-system': ['NET-RESOLVER-RULES', 'NET-DNS-FIREWALL'],
} as const satisfies Record<string, readonly CheckId[]>;

/** A call the collectors make, spelled `service:Operation`. */
export type CollectionCall = keyof typeof CHECKS_FED_BY;

/**
 * A call name as compared: lower case, without its service prefix — `DescribeNetworkAcls`,
 * `ec2:describenetworkacls` and `EC2:DescribeNetworkAcls` are one call (network-snapshot.md).
 */
export function normalizeCallName(call: string): string {
  return call
    .trim()
    .replace(/^[A-Za-z0-9-]+:/, '')
    .toLowerCase();
}

const FED_BY_NORMALIZED: ReadonlyMap<string, readonly CheckId[]> = new Map(
  Object.entries(CHECKS_FED_BY).map(([call, checks]) => [normalizeCallName(call), checks]),
);

/** The checks a call feeds, whatever its case and with or without its prefix; `[]` for a call not in the table. */
export function checksFedBy(call: string): readonly CheckId[] {
  return FED_BY_NORMALIZED.get(normalizeCallName(call)) ?? [];
}

/**
 * The checks a `collectionErrors` entry names: its `checks` list, or — when it lists none — the
 * checks its call feeds (matched by {@link checksFedBy}). A check that needs data the entry does
 * not name still sees that data missing from the snapshot (e.g. a subnet without a NACL is
 * undecided), so listing fewer checks never turns missing data into a PASS.
 */
export function checksNamedBy(entry: SnapshotCollectionError): readonly string[] {
  return entry.checks.length > 0 ? entry.checks : checksFedBy(entry.call);
}

/** The `collectionErrors` entry for a failed call: call, error code, message, the checks it feeds. */
export function collectionError(
  call: CollectionCall,
  code: string,
  message: string,
  detail?: string,
): SnapshotCollectionError {
  return {
    call,
    code,
    message: detail ? `${message} (${detail})` : message,
    checks: [...CHECKS_FED_BY[call]],
  };
}
