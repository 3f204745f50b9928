/**
 * IPv4/IPv6 addresses and CIDR blocks as integer ranges: every containment test in the evaluators is
 * prefix arithmetic on these, never string matching. Parsing is ipaddr.js's (strict dotted-quad for
 * IPv4, no zone ids for IPv6); the range math is ours.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 */
import ipaddr from 'ipaddr.js';
import { AddressParseError } from './errors.js';

export type IpFamily = 'ipv4' | 'ipv6';

/** One address: its family and its value as an unsigned integer. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A contiguous block of addresses of one family, both ends included. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

/** A parsed CIDR block: the range it covers plus its canonical text (host bits cleared). */
export interface Cidr extends AddressRange {
  readonly prefixLength: number;
  readonly text: string;
}

const BITS: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 };

function toBigInt(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/**
 * Strict dotted-quad IPv4 (what AWS APIs return), as an integer. A fast path: snapshots hold
 * hundreds of thousands of IPv4 addresses, and this is an order of magnitude quicker than the
 * general parser; it accepts exactly what `ipaddr.IPv4.isValidFourPartDecimal` accepts.
 */
function parseDottedQuad(text: string): number | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

function parseStrict(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  // IPv6 zone ids (fe80::1%eth0) never appear in VPC data; refuse them instead of dropping the zone.
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

/** Parses an IPv4 (dotted quad) or IPv6 address; `undefined` when it is not one. */
export function tryParseIpAddress(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  const v4 = parseDottedQuad(trimmed);
  if (v4 !== undefined) return { family: 'ipv4', value: BigInt(v4) };
  if (!trimmed.includes(':')) return undefined;
  const parsed = parseStrict(trimmed);
  if (!parsed) return undefined;
  return { family: parsed.kind(), value: toBigInt(parsed.toByteArray()) };
}

/** Parses an address or throws {@link AddressParseError}. */
export function parseIpAddress(text: string): IpAddress {
  const address = tryParseIpAddress(text);
  if (!address) throw new AddressParseError(text, 'address');
  return address;
}

/** Parses `10.0.0.0/16` or `2600:1f18::/56`; host bits are cleared as AWS does. `undefined` when invalid. */
export function tryParseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const base = tryParseIpAddress(trimmed.slice(0, slash));
  const lengthText = trimmed.slice(slash + 1);
  if (!base || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const family = base.family;
  const prefixLength = Number(lengthText);
  const bits = BITS[family];
  if (prefixLength > bits) return undefined;
  const hostBits = BigInt(bits - prefixLength);
  const hostMask = (1n << hostBits) - 1n;
  const first = base.value & ~hostMask;
  const last = first | hostMask;
  return {
    family,
    first,
    last,
    prefixLength,
    text: `${formatIpAddress({ family, value: first })}/${prefixLength}`,
  };
}

/** Parses a CIDR block or throws {@link AddressParseError}. */
export function parseCidr(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (!cidr) throw new AddressParseError(text, 'cidr');
  return cidr;
}

/** Formats an address in its canonical text form (IPv6 compressed, RFC 5952). */
export function formatIpAddress(address: IpAddress): string {
  const bytes: number[] = [];
  const count = BITS[address.family] / 8;
  for (let i = count - 1; i >= 0; i--) bytes.push(Number((address.value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Formats a range as a CIDR when it is one, else as `first-last`. */
export function formatAddressRange(range: AddressRange): string {
  const size = range.last - range.first + 1n;
  const isPowerOfTwo = (size & (size - 1n)) === 0n;
  if (isPowerOfTwo && range.first % size === 0n) {
    const hostBits = size.toString(2).length - 1;
    const first = formatIpAddress({ family: range.family, value: range.first });
    if (hostBits === 0) return first;
    return `${first}/${BITS[range.family] - hostBits}`;
  }
  return `${formatIpAddress({ family: range.family, value: range.first })}-${formatIpAddress({ family: range.family, value: range.last })}`;
}

/** The one-address range of `address`. */
export function addressAsRange(address: IpAddress): AddressRange {
  return { family: address.family, first: address.value, last: address.value };
}

/** True when `range` holds `address` (same family, inside both ends). */
export function rangeHoldsAddress(range: AddressRange, address: IpAddress): boolean {
  return range.family === address.family && address.value >= range.first && address.value <= range.last;
}

/** True when every address of `inner` lies in `outer`. */
export function rangeContains(outer: AddressRange, inner: AddressRange): boolean {
  return outer.family === inner.family && inner.first >= outer.first && inner.last <= outer.last;
}

/** True when the two ranges share at least one address. */
export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/**
 * A map key for an address, family-qualified so `::a00:1` and `10.0.0.1` never collide: IPv4 as
 * a number (cheap), IPv6 as a string.
 */
export function addressKey(address: IpAddress): number | string {
  return address.family === 'ipv4' ? Number(address.value) : `6:${address.value.toString(16)}`;
}
