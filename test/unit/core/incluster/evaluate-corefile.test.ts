import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCorefile } from '../../../../lambdas/core/corefile/index.js';
import { evaluateCorefile, planForwarderProbes } from '../../../../lambdas/core/incluster/index.js';
import type { ForwarderProbe, ForwarderProbeResult } from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import { fail, object, ok } from './fixtures.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/kube/${name}`, import.meta.url), 'utf8');

// Seed 002's CoreDNS Corefile with the redacted stub domain given lab addresses.
const SEED002 = fixture('incluster-corefile-seed002-coredns.txt')
  .replace('xxx.xxx.xxx:53', 'corp.example:53')
  .replace('forward . xxx.xxx.xxx.xxx', 'forward . 198.18.7.53 {\nmax_concurrent 100\n}');
const PODS = [
  { name: 'coredns-a', ip: '198.18.2.20' },
  { name: 'coredns-b', ip: '198.18.3.20' },
];

let counter = 0;
const randomLabel = () => `fleetdns-${(counter++).toString(16).padStart(8, '0')}`;

function configMap(corefile: string) {
  const cm = object('ConfigMap', 'coredns') as unknown as { data: Record<string, string> };
  cm.data = { Corefile: corefile };
  return ok(cm);
}

function run(
  plans: ForwarderProbe[],
  outcome: (p: ForwarderProbe) => ForwarderProbeResult['attempts'],
): ForwarderProbeResult[] {
  return plans.map((p) => ({ ...p, attempts: outcome(p) }));
}
const NX = [{ outcome: 'answer' as const, rcode: 'NXDOMAIN', latencyMs: 3 }];
const TIMEOUT = [
  { outcome: 'timeout' as const, latencyMs: 2000 },
  { outcome: 'timeout' as const, latencyMs: 2000 },
];

describe('planForwarderProbes', () => {
  it('plans one unique name per forwarded zone and CoreDNS pod; the root zone under the probe domain', () => {
    const plans = planForwarderProbes(parseCorefile(SEED002), PODS, {
      randomLabel,
      rootZoneProbeDomain: 'example.net',
    });

    expect(plans.map((p) => [p.zone, p.pod, p.podIp, p.port])).toEqual([
      ['.', 'coredns-a', '198.18.2.20', 53],
      ['.', 'coredns-b', '198.18.3.20', 53],
      ['corp.example.', 'coredns-a', '198.18.2.20', 53],
      ['corp.example.', 'coredns-b', '198.18.3.20', 53],
    ]);
    expect(plans[0]!.name).toMatch(/^fleetdns-[0-9a-f]{8}\.example\.net\.$/);
    expect(plans[2]!.name).toMatch(/^fleetdns-[0-9a-f]{8}\.corp\.example\.$/);
    expect(new Set(plans.map((p) => p.name)).size).toBe(plans.length);
    expect(plans[2]!.forwarders).toEqual(['198.18.7.53']);
  });

  it('skips a zone the forward itself excludes', () => {
    const parsed = parseCorefile(
      'corp.example:53 {\n  forward . 10.1.1.1 {\n    except corp.example\n  }\n}\n',
    );
    expect(planForwarderProbes(parsed, PODS, { randomLabel })).toEqual([]);
  });
});

describe('evaluateCorefile (K8S-COREDNS-COREFILE)', () => {
  it('PASS for the EKS default Corefile whose forwarder answers through both pods', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt');
    const probes = run(planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }), () => NX);
    const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes });

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('PASS');
    expect(r.evidence.deadForwarders).toEqual([]);
    expect(r.evidence.probes).toEqual([
      expect.objectContaining({ zone: '.', forwarders: ['/etc/resolv.conf'], answeredThrough: 2 }),
    ]);
  });

  it("FAIL for seed 002's dead stub-domain forwarder, naming zone, forwarder and pods", () => {
    const probes = run(planForwarderProbes(parseCorefile(SEED002), PODS, { randomLabel }), (p) =>
      p.zone === 'corp.example.' ? TIMEOUT : NX,
    );
    const r = evaluateCorefile({ configMap: configMap(SEED002), pods: PODS, probes });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.deadForwarders).toEqual([
      { zone: 'corp.example.', forwarder: '198.18.7.53', pods: ['coredns-a', 'coredns-b'] },
    ]);
    expect((r.evidence.problems as string[])[0]).toMatch(
      /zone corp\.example\.: forwarder 198\.18\.7\.53 did not answer.*coredns-a 198\.18\.2\.20: timeout/,
    );
    expect(r.evidence.resources).toEqual(['zone corp.example.']);
  });

  it('counts SERVFAIL through every pod as dead (the root zone: upstream)', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt');
    const probes = run(planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }), () => [
      { outcome: 'answer', rcode: 'SERVFAIL', latencyMs: 4 },
    ]);
    const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.deadForwarders).toEqual([
      { zone: '.', forwarder: '/etc/resolv.conf', pods: ['coredns-a', 'coredns-b'] },
    ]);
  });

  describe('forwarder liveness by the zone SOA (checks.md § B, 2026-12-01)', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt');
    const answer = (rcode: string) => [{ outcome: 'answer' as const, rcode, latencyMs: 3 }];
    const probe = (soa: ForwarderProbeResult['attempts'], name: ForwarderProbeResult['attempts']) =>
      planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }).map((p) => ({
        ...p,
        soaAttempts: soa,
        attempts: name,
      }));

    it('plans the SOA of the zone: `.` for the root zone', () => {
      const plans = planForwarderProbes(parseCorefile(SEED002), PODS, { randomLabel });
      expect([...new Set(plans.map((p) => p.soaName))]).toEqual(['.', 'corp.example.']);
    });

    it('root SOA NOERROR while names under one external domain SERVFAIL: PASS, the forwarder is alive, a note points at DNS-EXTERNAL', () => {
      const r = evaluateCorefile({
        configMap: configMap(corefile),
        pods: PODS,
        probes: probe(answer('NOERROR'), answer('SERVFAIL')),
      });
      expect(r.status).toBe('PASS');
      expect(r.evidence.deadForwarders).toEqual([]);
      expect(r.evidence.notes).toEqual(
        expect.arrayContaining([expect.stringMatching(/answers the zone's SOA.*SERVFAIL.*DNS-EXTERNAL/)]),
      );
    });

    it.each([
      ['NXDOMAIN', 'PASS'],
      ['NOERROR', 'PASS'],
      ['REFUSED', 'FAIL'],
      ['SERVFAIL', 'FAIL'],
    ])('SOA %s through every pod → %s', (rcode, status) => {
      const r = evaluateCorefile({
        configMap: configMap(corefile),
        pods: PODS,
        probes: probe(answer(rcode), NX),
      });
      expect(r.status).toBe(status);
    });

    it('SOA timing out through every pod: FAIL naming the root forwarder, even when a random name got NXDOMAIN once', () => {
      const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes: probe(TIMEOUT, NX) });
      expect(r.status).toBe('FAIL');
      expect(r.evidence.deadForwarders).toEqual([
        { zone: '.', forwarder: '/etc/resolv.conf', pods: ['coredns-a', 'coredns-b'] },
      ]);
    });
  });

  it('does not FAIL when the forwarder answers through one pod only (a per-pod problem): a note says so', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt');
    const probes = run(planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }), (p) =>
      p.pod === 'coredns-a' ? TIMEOUT : NX,
    );
    const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes });

    expect(r.status).toBe('PASS');
    expect(r.evidence.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/answered through 1 of 2.*coredns-a: timeout/)]),
    );
  });

  it('WARN for a Corefile without cache (lab scenario), with the lint rule in evidence', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt').replace('    cache 30\n', '');
    const probes = run(planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }), () => NX);
    const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes });

    expect(r.status).toBe('WARN');
    expect(r.evidence.lint).toEqual([
      expect.objectContaining({ rule: 'no-cache', level: 'warn', zones: ['.'] }),
    ]);
  });

  it('notes the log plugin without warning', () => {
    const corefile = fixture('incluster-corefile-eks-default.txt').replace(
      '    errors\n',
      '    errors\n    log\n',
    );
    const probes = run(planForwarderProbes(parseCorefile(corefile), PODS, { randomLabel }), () => NX);
    const r = evaluateCorefile({ configMap: configMap(corefile), pods: PODS, probes });

    expect(r.status).toBe('PASS');
    expect(r.evidence.notes).toEqual(expect.arrayContaining([expect.stringMatching(/`log` enabled/)]));
  });

  it('SKIPPED with no CoreDNS pods to probe through (lint kept)', () => {
    const r = evaluateCorefile({ configMap: configMap(SEED002), pods: [], probes: [] });

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('SKIPPED');
    expect(r.evidence.lint).toBeDefined();
  });

  it.each([
    ['a 403 on the ConfigMap', fail(403, 'get', 'configmaps'), /missing permission.*configmaps/],
    ['a missing ConfigMap', fail(404, 'get', 'configmaps'), /not found/],
    ['a ConfigMap without the Corefile key', ok({ data: { other: '' } }), /no "Corefile" key/],
    [
      'a Corefile that does not parse',
      configMap('.:53 {\n  forward . 1.1.1.1\n'),
      /does not parse \(line 1: "\{" opened on line 1 is never closed\)/,
    ],
  ])('ERROR for %s', (_n, cm, reason) => {
    const r = evaluateCorefile({ configMap: cm, pods: PODS, probes: [] });

    expect(checkResultSchema.safeParse(r).success).toBe(true);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(reason);
  });
});
