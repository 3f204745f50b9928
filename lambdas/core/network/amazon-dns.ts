/**
 * The Amazon-provided DNS server (Route 53 Resolver's VPC endpoint): the VPC's IPv4 base + 2,
 * 169.254.169.253 and fd00:ec2::253. Security groups and network ACLs do not filter traffic to
 * it, so no SG/NACL finding is ever raised for it. Its limit is a quota instead: 1024 packets/s
 * per ENI.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html (traffic not filtered)
 */
import { addressKey, parseIpAddress } from './cidr.js';
import type { Cidr, IpAddress } from './cidr.js';

const LINK_LOCAL_RESOLVERS = [parseIpAddress('169.254.169.253'), parseIpAddress('fd00:ec2::253')];

/** The Amazon DNS server's addresses for a VPC with `vpcCidrs` (base + 2 of each IPv4 block, and the link-local ones). */
export function amazonDnsAddresses(vpcCidrs: readonly Cidr[]): IpAddress[] {
  return [
    ...vpcCidrs.filter((c) => c.family === 'ipv4').map((c) => ({ family: c.family, value: c.first + 2n })),
    ...LINK_LOCAL_RESOLVERS,
  ];
}

/** True when `address` is the Amazon-provided DNS server of this VPC. */
export function isAmazonProvidedDns(address: IpAddress, vpcCidrs: readonly Cidr[]): boolean {
  const key = addressKey(address);
  return amazonDnsAddresses(vpcCidrs).some((a) => addressKey(a) === key);
}
