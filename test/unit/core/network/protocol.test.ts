import { describe, expect, it } from 'vitest';
import { parseProtocol, protocolMatches, TCP, UDP } from '../../../../lambdas/core/network/index.js';

describe('protocols', () => {
  it.each([
    ['tcp', 6],
    ['TCP', 6],
    ['6', 6],
    ['udp', 17],
    ['17', 17],
    ['icmp', 1],
    ['icmpv6', 58],
    ['-1', 'all'],
    ['all', 'all'],
    ['50', 50],
  ])('parses %j as %j', (text, expected) => {
    expect(parseProtocol(text)).toBe(expected);
  });

  it.each(['sctp-ish', '256', '', '6.0'])('rejects %j', (text) => {
    expect(parseProtocol(text)).toBeUndefined();
  });

  it('matches "all" to every protocol and numbers only to themselves', () => {
    expect(protocolMatches('all', UDP)).toBe(true);
    expect(protocolMatches(TCP, UDP)).toBe(false);
    expect(protocolMatches(UDP, UDP)).toBe(true);
  });
});
