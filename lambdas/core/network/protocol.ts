/**
 * IP protocols as security groups (`IpProtocol`: names or numbers, `-1` = all) and network ACLs
 * (`Protocol`: numbers as strings, `-1` = all) spell them.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkAclEntry.html
 */

/** `'all'` or an IANA protocol number (0–255). */
export type ProtocolSpec = 'all' | number;

export const TCP = 6;
export const UDP = 17;
/** The two transports DNS uses. */
export type DnsTransportProtocol = typeof TCP | typeof UDP;

const NAMES: Record<string, number> = { tcp: TCP, udp: UDP, icmp: 1, icmpv6: 58 };

/** Parses `tcp`, `6`, `udp`, `17`, `icmp`, `icmpv6`, `-1`, `all` or any number 0–255; `undefined` otherwise. */
export function parseProtocol(value: string): ProtocolSpec | undefined {
  const text = value.trim().toLowerCase();
  if (text === '-1' || text === 'all') return 'all';
  const named = NAMES[text];
  if (named !== undefined) return named;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 255 ? n : undefined;
}

/** True for the protocols whose rules carry a meaningful destination port range (TCP, UDP). */
export function hasPorts(protocol: ProtocolSpec): boolean {
  return protocol === TCP || protocol === UDP;
}

/** Does a rule for `rule` apply to traffic of protocol `traffic`? */
export function protocolMatches(rule: ProtocolSpec, traffic: number): boolean {
  return rule === 'all' || rule === traffic;
}

/** `udp`/`tcp` for DNS evidence. */
export function protocolName(protocol: DnsTransportProtocol): 'udp' | 'tcp' {
  return protocol === UDP ? 'udp' : 'tcp';
}
