import type { CheckId } from '../../core/catalog/index.js';
import type { SnapshotCollectionError } from '../../core/snapshot/index.js';
import { AwsCallError } from '../errors.js';

const SG: CheckId[] = ['NET-SG-DNS-UDP', 'NET-SG-DNS-TCP'];
const NACL: CheckId[] = ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP'];

/**
 * Which checks each collection call feeds: when the call fails, the snapshot's
 * `collectionErrors` entry names these, and the audit turns them ERROR (never PASS or FAIL on
 * missing data). Derived from the inputs checks.md § A lists per check.
 */
export const CHECKS_FED_BY = {
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
  'ec2:GetManagedPrefixListEntries': [...SG, 'NET-UPSTREAM-REACH'],
  'eks:DescribeAddon': ['EKS-COREDNS-ADDON'],
  'eks:DescribeAddonVersions': ['EKS-COREDNS-ADDON'],
} as const satisfies Record<string, readonly CheckId[]>;

export type CollectionCall = keyof typeof CHECKS_FED_BY;

/** The `collectionErrors` entry for a failed call: call, AWS error code, message, checks it feeds. */
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

/**
 * Runs one collection step; an {@link AwsCallError} becomes a `collectionErrors` entry (pushed
 * onto `errors`) and the step yields `undefined`. Anything else (a bug) propagates.
 */
export async function orCollectionError<T>(
  call: CollectionCall,
  errors: SnapshotCollectionError[],
  step: () => Promise<T>,
  detail?: string,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (err) {
    if (!(err instanceof AwsCallError)) throw err;
    errors.push(collectionError(call, err.code, err.awsMessage, detail));
    return undefined;
  }
}
