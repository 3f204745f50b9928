import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forwardTargets,
  parseCorefile,
  parseForwardTarget,
  parseZoneKey,
  tokenizeCorefile,
  walkDirectives,
} from '../../../../lambdas/core/corefile/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/kube/${name}`, import.meta.url), 'utf8');

describe('parseCorefile', () => {
  it('reads the EKS default Corefile: one root block, plugins in order, nested blocks', () => {
    const parsed = parseCorefile(fixture('incluster-corefile-eks-default.txt'));

    expect(parsed.errors).toEqual([]);
    expect(parsed.serverBlocks).toHaveLength(1);
    const block = parsed.serverBlocks[0]!;
    expect(block.zones).toEqual([{ key: '.:53', scheme: 'dns', zone: '.', port: 53 }]);
    expect(block.plugins.map((p) => p.name)).toEqual([
      'errors',
      'health',
      'ready',
      'kubernetes',
      'prometheus',
      'forward',
      'cache',
      'loop',
      'reload',
      'loadbalance',
    ]);
    const health = block.plugins.find((p) => p.name === 'health')!;
    expect(health.block).toEqual([{ name: 'lameduck', args: ['5s'], line: 4 }]);
    const kubernetes = block.plugins.find((p) => p.name === 'kubernetes')!;
    expect(kubernetes.args).toEqual(['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
    expect(kubernetes.block?.map((d) => [d.name, ...d.args])).toEqual([
      ['pods', 'insecure'],
      ['fallthrough', 'in-addr.arpa', 'ip6.arpa'],
    ]);
  });

  it('reads seed 002 CoreDNS Corefile (indentation lost, comment after "{") with its stub domain', () => {
    const parsed = parseCorefile(fixture('incluster-corefile-seed002-coredns.txt'));

    expect(parsed.errors).toEqual([]);
    expect(parsed.serverBlocks.map((b) => b.zones.map((z) => z.zone))).toEqual([['.'], ['xxx.xxx.xxx.']]);
    const stub = parsed.serverBlocks[1]!;
    expect(stub.plugins.map((p) => [p.name, ...p.args])).toEqual([
      ['errors'],
      ['cache', '30'],
      ['forward', '.', 'xxx.xxx.xxx.xxx'],
    ]);
  });

  it('reads seed 002 NodeLocal Corefile: four blocks, each forwarding to the ClusterIP with force_tcp', () => {
    const parsed = parseCorefile(fixture('incluster-corefile-seed002-nodelocal.txt'));

    expect(parsed.errors).toEqual([]);
    expect(parsed.serverBlocks.map((b) => b.zones[0]?.zone)).toEqual([
      'alpha.pm.k8s.',
      'in-addr.arpa.',
      'ip6.arpa.',
      '.',
    ]);
    const entries = forwardTargets(parsed);
    expect(entries).toHaveLength(4);
    for (const e of entries) {
      expect(e.targets).toEqual([
        { kind: 'address', raw: '10.233.0.3', scheme: 'dns', address: '10.233.0.3', port: 53 },
      ]);
      expect(e.options.force_tcp).toBe(true);
    }
    const cache = parsed.serverBlocks[0]!.plugins.find((p) => p.name === 'cache')!;
    expect(cache.block?.map((d) => [d.name, ...d.args])).toEqual([
      ['success', '9984', '30'],
      ['denial', '9984', '5'],
    ]);
  });

  it('notes NodeLocal __PILLAR__ placeholders and keeps them as placeholder targets', () => {
    const parsed = parseCorefile(fixture('incluster-corefile-nodelocal-template.txt'));

    expect(parsed.errors).toEqual([]);
    expect(parsed.placeholders).toEqual(
      expect.arrayContaining([
        '__PILLAR__LOCAL__DNS__',
        '__PILLAR__CLUSTER__DNS__',
        '__PILLAR__UPSTREAM__SERVERS__',
      ]),
    );
    const root = forwardTargets(parsed).find((e) => e.zone === '.')!;
    expect(root.targets).toEqual([{ kind: 'placeholder', raw: '__PILLAR__UPSTREAM__SERVERS__' }]);
  });

  it('reads several zones per block, schemes and ports, comma-separated keys', () => {
    const parsed = parseCorefile(
      'cluster.local:53 in-addr.arpa:53 {\n  kubernetes cluster.local\n}\ntls://.:853, dns://example.org:1053 {\n  forward . 9.9.9.9\n}\n',
    );

    expect(parsed.errors).toEqual([]);
    expect(parsed.serverBlocks[0]!.zones.map((z) => [z.zone, z.port])).toEqual([
      ['cluster.local.', 53],
      ['in-addr.arpa.', 53],
    ]);
    expect(parsed.serverBlocks[1]!.zones.map((z) => [z.scheme, z.zone, z.port])).toEqual([
      ['tls', '.', 853],
      ['dns', 'example.org.', 1053],
    ]);
  });

  it('expands snippets in place and notes file imports it cannot see', () => {
    const parsed = parseCorefile(
      '(common) {\n  errors\n  cache 30\n}\n.:53 {\n  import common\n  import /etc/coredns/custom/*.server\n  forward . /etc/resolv.conf\n}\nimport /etc/coredns/extra/*.conf\n',
    );

    expect(parsed.errors).toEqual([]);
    expect(parsed.snippets).toEqual(['common']);
    expect(parsed.serverBlocks[0]!.plugins.map((p) => p.name)).toEqual([
      'errors',
      'cache',
      'import',
      'forward',
    ]);
    expect(parsed.imports).toEqual(['/etc/coredns/extra/*.conf', '/etc/coredns/custom/*.server']);
  });

  it('stops a snippet that imports itself instead of looping', () => {
    const parsed = parseCorefile('(a) {\n  import a\n}\n.:53 {\n  import a\n}\n');

    expect(parsed.errors.some((e) => /imports itself/.test(e.message))).toBe(true);
  });

  it('keeps quoted tokens whole (a quoted "{" is text) and notes env placeholders', () => {
    const parsed = parseCorefile('.:53 {\n  template IN A "with space" "{" \n  forward . {$UPSTREAM}\n}\n');

    expect(parsed.errors).toEqual([]);
    const template = parsed.serverBlocks[0]!.plugins[0]!;
    expect(template.args).toEqual(['IN', 'A', 'with space', '{']);
    expect(template.block).toBeUndefined();
    expect(parsed.placeholders).toEqual(['{$UPSTREAM}']);
  });

  it('accepts a lone server block without braces (Caddy allows it)', () => {
    const parsed = parseCorefile('.:53\nforward . 8.8.8.8\ncache\n');

    expect(parsed.errors).toEqual([]);
    expect(parsed.serverBlocks[0]!.plugins.map((p) => p.name)).toEqual(['forward', 'cache']);
  });

  it.each([
    ['.:53 {\n  cache\n', /never closed/],
    ['.:53 {\n  cache\n}\n}\n', /unexpected "}"/],
    ['.:53 {\n  template "unterminated\n}\n', /unterminated/],
    ['.:53 {\n}\nexample.org:53\n  forward . 1.1.1.1\n', /no "\{"/],
    ['.:99999 {\n}\n', /port out of range/],
    ['ftp://.:53 {\n}\n', /unknown scheme/],
    ['{\n  cache\n}\n', /no server block key/],
  ])('reports %j as an error with a line number', (text, message) => {
    const parsed = parseCorefile(text);

    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors.map((e) => e.message).join('\n')).toMatch(message);
    for (const e of parsed.errors) expect(e.line).toBeGreaterThanOrEqual(1);
  });

  it('still returns the blocks it understood when another part is broken', () => {
    const parsed = parseCorefile('.:53 {\n  forward . 1.1.1.1\n}\n}\ncorp:53 {\n  forward . 10.0.0.9\n}\n');

    expect(parsed.errors).toHaveLength(1);
    expect(forwardTargets(parsed).map((e) => e.zone)).toEqual(['.', 'corp.']);
  });

  it('maps an IPv4 CIDR key to its reverse zone', () => {
    expect(parseZoneKey('10.0.0.0/8')).toMatchObject({
      zone: '10.in-addr.arpa.',
      cidr: '10.0.0.0/8',
      port: 53,
    });
    expect(parseZoneKey('dns://172.16.0.0/12:53')).toMatchObject({
      zone: '172.in-addr.arpa.',
      cidr: '172.16.0.0/12',
    });
  });

  it('bounds nesting depth instead of recursing without limit', () => {
    const deep = `.:53 {\n${'a {\n'.repeat(200)}${'}\n'.repeat(200)}}\n`;
    const parsed = parseCorefile(deep);

    expect(parsed.errors.some((e) => /nested deeper/.test(e.message))).toBe(true);
  });

  it('never throws and returns well-formed data for any text (fuzz)', () => {
    const corefileish = fc.stringMatching(/^[a-z.:{}"#\\ \n\t0-9/$%,()_-]{0,300}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), corefileish), (text) => {
        const parsed = parseCorefile(text);
        expect(Array.isArray(parsed.serverBlocks)).toBe(true);
        expect(Array.isArray(parsed.errors)).toBe(true);
        for (const b of parsed.serverBlocks) {
          for (const z of b.zones) expect(z.port).toBeGreaterThan(0);
          for (const d of walkDirectives(b.plugins)) expect(typeof d.name).toBe('string');
        }
        expect(() => forwardTargets(parsed)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips tokens: every non-comment word of the input is a token (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9.:]{1,8}$/), { maxLength: 20 }), (words) => {
        const { tokens, errors } = tokenizeCorefile(words.join(' \n'));
        expect(errors).toEqual([]);
        expect(tokens.map((t) => t.text)).toEqual(words);
      }),
    );
  });
});

describe('parseForwardTarget', () => {
  it.each([
    ['10.0.0.2', { kind: 'address', scheme: 'dns', address: '10.0.0.2', port: 53 }],
    ['10.0.0.2:5353', { kind: 'address', address: '10.0.0.2', port: 5353 }],
    ['dns://10.0.0.2', { kind: 'address', scheme: 'dns', address: '10.0.0.2', port: 53 }],
    ['tls://9.9.9.9', { kind: 'address', scheme: 'tls', address: '9.9.9.9', port: 853 }],
    ['[fd00:ec2::253]:53', { kind: 'address', address: 'fd00:ec2::253', port: 53 }],
    ['fd00:ec2::253', { kind: 'address', address: 'fd00:ec2::253', port: 53 }],
    ['/etc/resolv.conf', { kind: 'resolv.conf', path: '/etc/resolv.conf' }],
    ['__PILLAR__CLUSTER__DNS__', { kind: 'placeholder' }],
    ['xxx.xxx.xxx.xxx', { kind: 'hostname', host: 'xxx.xxx.xxx.xxx', port: 53 }],
    ['dns.example.com:5353', { kind: 'hostname', host: 'dns.example.com', port: 5353 }],
    ['https://1.1.1.1/dns-query', { kind: 'address', scheme: 'https', address: '1.1.1.1', port: 443 }],
    ['999.1.1.1', { kind: 'invalid' }],
    ['grpc://1.1.1.1', { kind: 'invalid' }],
    ['a b', { kind: 'invalid' }],
    ['10.0.0.2:70000', { kind: 'invalid' }],
  ])('%s', (raw, expected) => {
    expect(parseForwardTarget(raw)).toMatchObject({ raw, ...expected });
  });
});

describe('forwardTargets', () => {
  it('gives a stub domain its own zone and reads forward options', () => {
    const parsed = parseCorefile(
      '.:53 {\n  forward . /etc/resolv.conf {\n    max_concurrent 1000\n    except corp.example\n  }\n}\ncorp.example:53 {\n  forward . 10.1.2.3 10.1.2.4:5353 {\n    force_tcp\n    policy sequential\n    health_check 5s no_rec\n  }\n}\n',
    );
    const entries = forwardTargets(parsed);

    expect(entries.map((e) => e.zone)).toEqual(['.', 'corp.example.']);
    expect(entries[0]!.targets).toEqual([
      { kind: 'resolv.conf', raw: '/etc/resolv.conf', path: '/etc/resolv.conf' },
    ]);
    expect(entries[0]!.options).toMatchObject({
      max_concurrent: 1000,
      except: ['corp.example.'],
      force_tcp: false,
    });
    expect(entries[1]!.targets.map((t) => (t.kind === 'address' ? `${t.address}:${t.port}` : t.raw))).toEqual(
      ['10.1.2.3:53', '10.1.2.4:5353'],
    );
    expect(entries[1]!.options).toMatchObject({
      force_tcp: true,
      policy: 'sequential',
      health_check: '5s no_rec',
    });
  });

  it('narrows the zone to the FROM argument and accepts the legacy proxy plugin', () => {
    const parsed = parseCorefile('.:53 {\n  forward sub.example.com 10.9.9.9\n  proxy . 8.8.8.8\n}\n');

    expect(forwardTargets(parsed).map((e) => [e.plugin, e.zone])).toEqual([
      ['forward', 'sub.example.com.'],
      ['proxy', '.'],
    ]);
  });

  it('yields one entry per zone of a multi-zone block', () => {
    const parsed = parseCorefile('a.example:53 b.example:53 {\n  forward . 10.0.0.7\n}\n');

    expect(forwardTargets(parsed).map((e) => e.zone)).toEqual(['a.example.', 'b.example.']);
  });
});
