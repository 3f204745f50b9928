import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintCorefile, parseCorefile } from '../../../../lambdas/core/corefile/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/kube/${name}`, import.meta.url), 'utf8');
const lint = (text: string, options = {}) => lintCorefile(parseCorefile(text), options);
const warnRules = (text: string, options = {}) =>
  lint(text, options)
    .filter((f) => f.level === 'warn')
    .map((f) => f.rule);

const GOOD = `.:53 {
  errors
  health {
    lameduck 5s
  }
  ready
  kubernetes cluster.local in-addr.arpa ip6.arpa
  forward . /etc/resolv.conf
  cache 30
  loop
}
`;

describe('lintCorefile', () => {
  it('finds nothing to warn about in the EKS default Corefile', () => {
    expect(warnRules(fixture('incluster-corefile-eks-default.txt'))).toEqual([]);
  });

  it("seed 002: the stub domain's forwarder has no max_concurrent; the root block's has", () => {
    const findings = lint(
      fixture('incluster-corefile-seed002-coredns.txt').replace(
        'forward . xxx.xxx.xxx.xxx',
        'forward . 10.20.0.53',
      ),
    );

    expect(findings.filter((f) => f.level === 'warn')).toEqual([
      expect.objectContaining({ rule: 'forward-without-max-concurrent', zones: ['xxx.xxx.xxx.'] }),
    ]);
  });

  it.each([
    ['no-cache', GOOD.replace('  cache 30\n', '')],
    ['no-loop', GOOD.replace('  loop\n', '')],
    ['no-ready', GOOD.replace('  ready\n', '')],
    ['health-without-lameduck', GOOD.replace('health {\n    lameduck 5s\n  }', 'health')],
    ['forward-without-max-concurrent', GOOD.replace('/etc/resolv.conf', '10.0.0.53')],
  ])('warns %s', (rule, text) => {
    expect(warnRules(text)).toEqual([rule]);
  });

  it('counts the VPC resolver (link-local and the given VPC +2 address) as needing no max_concurrent', () => {
    expect(warnRules(GOOD.replace('/etc/resolv.conf', '169.254.169.253'))).toEqual([]);
    expect(
      warnRules(GOOD.replace('/etc/resolv.conf', '10.0.0.2'), { vpcResolverAddresses: ['10.0.0.2'] }),
    ).toEqual([]);
    expect(warnRules(GOOD, { resolvConfIsVpcResolver: false })).toEqual(['forward-without-max-concurrent']);
  });

  it('notes (does not warn) log enabled, unresolved imports and placeholder forwarders', () => {
    const findings = lint(
      GOOD.replace('  errors\n', '  errors\n  log\n  import /etc/coredns/custom/*.override\n').replace(
        '/etc/resolv.conf',
        '{$UPSTREAM}',
      ),
    );

    expect(findings.map((f) => [f.rule, f.level])).toEqual([
      ['unknown-forwarder', 'note'],
      ['log-enabled', 'note'],
      ['unresolved-import', 'note'],
    ]);
  });

  it('does not ask a stub block for loop/ready/health (those live in the root block)', () => {
    const text = `${GOOD}corp.example:53 {\n  errors\n  cache 30\n  forward . 10.1.1.1 {\n    max_concurrent 100\n  }\n}\n`;
    expect(warnRules(text)).toEqual([]);
  });

  it('returns no findings for a Corefile with no server blocks (the caller reports the parse errors)', () => {
    expect(lint('}')).toEqual([]);
  });
});
