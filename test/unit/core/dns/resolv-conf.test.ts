import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { amplification, parseResolvConf, searchExpansion } from '../../../../lambdas/core/dns/index.js';

const POD = `# written by the kubelet
search default.svc.cluster.local svc.cluster.local cluster.local ec2.internal
nameserver 198.19.0.10
options ndots:5
`;

describe('parseResolvConf', () => {
  it('reads a pod resolv.conf written by the kubelet', () => {
    const conf = parseResolvConf(POD);
    expect(conf).toMatchObject({
      nameservers: ['198.19.0.10'],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'ec2.internal'],
      ndots: 5,
      timeout: 5,
      attempts: 2,
      problems: [],
    });
  });

  it('applies glibc caps and reports options past them', () => {
    const conf = parseResolvConf('nameserver 1.1.1.1\noptions timeout:60 attempts:9 ndots:20 rotate');
    expect(conf).toMatchObject({ timeout: 30, attempts: 5, ndots: 15, options: { rotate: true } });
    expect(conf.problems).toEqual([
      "options ndots:20 is above glibc's cap of 15; the resolver uses 15",
      "options timeout:60 is above glibc's cap of 30; the resolver uses 30",
      "options attempts:9 is above glibc's cap of 5; the resolver uses 5",
    ]);
  });

  it('lets the last search or domain line win and reports Kubernetes search limits', () => {
    expect(parseResolvConf('search a b\ndomain c.example').search).toEqual(['c.example']);
    const many = parseResolvConf(`search ${Array.from({ length: 33 }, (_, i) => `d${i}.example`).join(' ')}`);
    expect(many.problems).toContain('33 search domains: Kubernetes allows at most 32');
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (text) => {
        const conf = parseResolvConf(text);
        expect(conf.ndots).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('searchExpansion and amplification', () => {
  const conf = parseResolvConf(POD);

  it('walks the search list before the name itself when it has fewer than ndots dots (checks.md example)', () => {
    const amp = amplification('amazon.com', conf);
    expect(amp.names).toEqual([
      'amazon.com.default.svc.cluster.local',
      'amazon.com.svc.cluster.local',
      'amazon.com.cluster.local',
      'amazon.com.ec2.internal',
      'amazon.com',
    ]);
    expect(amp.queries).toBe(10);
  });

  it('tries a name with ndots or more dots as is first, so it costs one name', () => {
    expect(amplification('a.b.c.d.e.example', conf).queries).toBe(2);
    expect(searchExpansion('a.b.c.d.e.example', conf)[0]).toBe('a.b.c.d.e.example');
  });

  it('tries a fully qualified name only as is', () => {
    expect(searchExpansion('amazon.com.', conf)).toEqual(['amazon.com']);
    expect(amplification('amazon.com.', conf).queries).toBe(2);
  });
});
