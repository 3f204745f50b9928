import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressParseError,
  formatAddressRange,
  formatIpAddress,
  parseCidr,
  parseIpAddress,
  rangeContains,
  rangeHoldsAddress,
  rangesOverlap,
  tryParseCidr,
  tryParseIpAddress,
} from '../../../../lambdas/core/network/index.js';

describe('CIDR and address parsing', () => {
  it.each([
    ['10.0.0.0/16', 'ipv4', '10.0.0.0/16', 0x0a000000n, 0x0a00ffffn],
    ['10.0.1.23/16', 'ipv4', '10.0.0.0/16', 0x0a000000n, 0x0a00ffffn], // host bits cleared, as AWS does
    ['0.0.0.0/0', 'ipv4', '0.0.0.0/0', 0n, 0xffffffffn],
    ['10.0.1.23/32', 'ipv4', '10.0.1.23/32', 0x0a000117n, 0x0a000117n],
    [
      '2600:1f18:4a3:6e00::/56',
      'ipv6',
      '2600:1f18:4a3:6e00::/56',
      0x26001f1804a36e00n << 64n,
      ((0x26001f1804a36effn + 1n) << 64n) - 1n,
    ],
    ['::/0', 'ipv6', '::/0', 0n, (1n << 128n) - 1n],
  ])('parses %s as %s %s', (text, family, canonical, first, last) => {
    const cidr = parseCidr(text);
    expect(cidr).toMatchObject({ family, text: canonical, first, last });
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0/8',
    '10.1/16',
    '0x0a.0.0.0/8',
    '::/129',
    'fe80::1%eth0/64',
    '10.0.0.0',
    'not-a-cidr',
    '10.0.0.0/-1',
    '',
  ])('rejects %j as a CIDR', (text) => {
    expect(tryParseCidr(text)).toBeUndefined();
    expect(() => parseCidr(text)).toThrow(AddressParseError);
  });

  it.each(['10.0.0.256', '10.1', '1.2.3.4.5', 'fe80::1%eth0', 'abc', ''])(
    'rejects %j as an address',
    (text) => {
      expect(tryParseIpAddress(text)).toBeUndefined();
      expect(() => parseIpAddress(text)).toThrow(/not an IPv4\/IPv6 address/);
    },
  );

  it('tells the families apart: ::a00:1 is not 10.0.0.1', () => {
    const v4 = parseIpAddress('10.0.0.1');
    const v6 = parseIpAddress('::a00:1');
    expect(v4.value).toBe(v6.value);
    expect(rangeHoldsAddress(parseCidr('10.0.0.0/8'), v6)).toBe(false);
    expect(rangeHoldsAddress(parseCidr('::/0'), v4)).toBe(false);
  });

  it('compares ranges by prefix math, not by text', () => {
    const vpc = parseCidr('10.0.0.0/16');
    expect(rangeContains(vpc, parseCidr('10.0.32.0/19'))).toBe(true);
    expect(rangeContains(parseCidr('10.0.32.0/19'), vpc)).toBe(false);
    expect(rangesOverlap(parseCidr('10.0.32.0/19'), parseCidr('10.0.0.0/16'))).toBe(true);
    expect(rangesOverlap(parseCidr('10.1.0.0/16'), vpc)).toBe(false);
    // "10.0.1.0/24" contains the string "10.0.1.2" but not the address 10.0.12.1
    expect(rangeHoldsAddress(parseCidr('10.0.1.0/24'), parseIpAddress('10.0.12.1'))).toBe(false);
  });

  it('formats ranges as CIDRs when aligned, else as first-last', () => {
    expect(formatAddressRange(parseCidr('10.0.5.16/28'))).toBe('10.0.5.16/28');
    expect(formatAddressRange({ family: 'ipv4', first: 0x0a000114n, last: 0x0a000114n })).toBe('10.0.1.20');
    expect(formatAddressRange({ family: 'ipv4', first: 0x0a000114n, last: 0x0a000118n })).toBe(
      '10.0.1.20-10.0.1.24',
    );
    expect(formatIpAddress(parseIpAddress('2600:1f18:04a3:6e00:0000::0003'))).toBe('2600:1f18:4a3:6e00::3');
  });

  it('round-trips every IPv4 and IPv6 address through parse and format', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const address = parseIpAddress(text);
        expect(parseIpAddress(formatIpAddress(address))).toEqual(address);
      }),
    );
  });

  it('a CIDR holds exactly the addresses whose top prefix bits match (fuzzed)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, length, probe) => {
        const cidr = parseCidr(`${base}/${length}`);
        const a = parseIpAddress(probe);
        const shift = BigInt(32 - length);
        const expected = a.value >> shift === parseIpAddress(base).value >> shift;
        expect(rangeHoldsAddress(cidr, a)).toBe(expected);
      }),
    );
  });

  it('never throws anything but AddressParseError on arbitrary strings (fuzzed)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseCidr(text);
        } catch (err) {
          expect(err).toBeInstanceOf(AddressParseError);
        }
      }),
    );
  });
});
