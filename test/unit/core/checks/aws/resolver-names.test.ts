import { describe, expect, it } from 'vitest';
import { domainEntryMatches } from '../../../../../lambdas/core/checks/aws/dns-firewall.js';
import {
  nameUnderDomain,
  registryHost,
  routeOf,
} from '../../../../../lambdas/core/checks/aws/resolver-names.js';
import type { SnapshotResolverRule } from '../../../../../lambdas/core/snapshot/index.js';

const rule = (Id: string, DomainName: string, RuleType: string): SnapshotResolverRule => ({
  Id,
  DomainName,
  RuleType,
  TargetIps: [],
});

describe('registryHost (Docker rule, network-snapshot.md "Settled details")', () => {
  it.each([
    ['busybox:1.36', 'registry-1.docker.io'],
    ['library/busybox', 'registry-1.docker.io'],
    ['bitnami/redis:7', 'registry-1.docker.io'],
    ['reg.corp.example:5000/x', 'reg.corp.example'],
    ['localhost/x:1', 'localhost'],
    ['localhost:5000/x', 'localhost'],
    [
      '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.1',
      '602401143452.dkr.ecr.eu-west-1.amazonaws.com',
    ],
    ['Quay.IO/cilium/cilium@sha256:abc', 'quay.io'],
  ])('%s → %s', (image, host) => expect(registryHost(image)).toBe(host));
});

describe('Resolver rule selection', () => {
  it('matches on label boundaries, case and trailing dot ignored', () => {
    expect(nameUnderDomain('sts.eu-west-1.amazonaws.com', 'AMAZONAWS.com.')).toBe(true);
    expect(nameUnderDomain('notamazonaws.com', 'amazonaws.com')).toBe(false);
    expect(nameUnderDomain('anything.example', '.')).toBe(true);
  });

  it('picks the longest matching domain; SYSTEM overrides a shorter FORWARD; no match is the VPC resolver', () => {
    const rules = [
      rule('fwd', 'amazonaws.com', 'FORWARD'),
      rule('sys', 'eu-west-1.amazonaws.com.', 'SYSTEM'),
    ];
    expect(routeOf('sts.eu-west-1.amazonaws.com', rules)).toMatchObject({
      via: 'vpc-resolver',
      rule: { Id: 'sys' },
    });
    expect(routeOf('sts.us-east-1.amazonaws.com', rules)).toMatchObject({
      via: 'forward',
      rule: { Id: 'fwd' },
    });
    expect(routeOf('registry.k8s.io', rules)).toEqual({ via: 'vpc-resolver' });
  });

  it("lets one's own FORWARD rule for . override the autodefined internet-resolver rule", () => {
    const rules = [
      rule('rslvr-autodefined-rr-internet-resolver', '.', 'RECURSIVE'),
      rule('rslvr-rr-0root', '.', 'FORWARD'),
    ];
    expect(routeOf('registry.k8s.io', rules)).toMatchObject({
      via: 'forward',
      rule: { Id: 'rslvr-rr-0root' },
    });
    expect(routeOf('registry.k8s.io', [...rules].reverse())).toMatchObject({ via: 'forward' });
  });
});

describe('DNS Firewall domain entries', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['example.com.', 'EXAMPLE.com', true],
    ['example.com', 'www.example.com', false],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['*', 'anything.at.all', true],
  ])('%s matches %s: %s', (entry, name, expected) => expect(domainEntryMatches(entry, name)).toBe(expected));
});
