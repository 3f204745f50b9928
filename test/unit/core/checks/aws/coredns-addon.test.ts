import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addonCompatibleWith,
  auditNetworkSnapshot,
  parseEksVersion,
} from '../../../../../lambdas/core/checks/aws/index.js';
import { AwsAuditError } from '../../../../../lambdas/core/checks/aws/errors.js';
import { parseNetworkSnapshot } from '../../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from './fixtures.js';

function addonCheck(fixture: string, targetVersion?: string) {
  const checks = auditNetworkSnapshot(
    parseNetworkSnapshot(fixtureJson(fixture)),
    targetVersion ? { targetVersion } : {},
  );
  return checks.find((c) => c.id === 'EKS-COREDNS-ADDON')!;
}
const addonEvidence = (fixture: string, targetVersion?: string) =>
  addonCheck(fixture, targetVersion).evidence;

describe('EKS-COREDNS-ADDON evidence and addonCompatibleWith', () => {
  it('keeps the compatibility matrix of coredns and kube-proxy (version → cluster versions, defaults)', () => {
    const evidence = addonEvidence('01-healthy-baseline') as {
      compatibilityMatrix: Record<
        string,
        { versions: Record<string, string[]>; defaultVersions: Record<string, string> }
      >;
    };
    expect(evidence.compatibilityMatrix.coredns!.versions['v1.11.3-eksbuild.2']).toEqual(['1.29', '1.30']);
    expect(evidence.compatibilityMatrix.coredns!.defaultVersions['1.33']).toBe('v1.12.1-eksbuild.2');
    expect(evidence.compatibilityMatrix['kube-proxy']!.versions['v1.30.6-eksbuild.3']).toEqual(['1.30']);
  });

  it.each([
    ['1.30', true],
    ['v1.30', true],
    ['1.31', false],
    ['1.29', false], // kube-proxy v1.30 is not listed for 1.29
  ])(
    'judges the recorded versions against target %s → compatible %s, without a new scan',
    (target, expected) => {
      const verdict = addonCompatibleWith(addonEvidence('01-healthy-baseline'), target);
      expect(verdict.compatible).toBe(expected);
      expect(verdict.addons.map((a) => a.addonName)).toEqual(['coredns', 'kube-proxy']);
    },
  );

  it('names the incompatible add-on and the versions it supports', () => {
    const verdict = addonCompatibleWith(addonEvidence('01-healthy-baseline'), '1.31');
    expect(verdict.addons[0]).toMatchObject({ addonName: 'coredns', compatible: false });
    expect(verdict.addons[0]!.reason).toContain('1.29, 1.30');
  });

  it('cannot judge a self-managed add-on (undefined, not false)', () => {
    const verdict = addonCompatibleWith(addonEvidence('42-addon-self-managed-coredns'), '1.30');
    expect(verdict.addons.find((a) => a.addonName === 'coredns')).toMatchObject({ compatible: undefined });
    expect(verdict.compatible).toBeUndefined();
  });

  it('answers undefined, with a reason, for evidence without a matrix', () => {
    for (const evidence of [
      undefined,
      {},
      { reason: 'skipped' },
      addonEvidence('43-addon-version-data-missing'),
    ]) {
      const verdict = addonCompatibleWith(evidence, '1.33');
      expect(verdict.compatible).toBeUndefined();
      expect(verdict.addons[0]!.reason).toMatch(/matrix/);
    }
  });
});

describe('EKS-COREDNS-ADDON with a target version the compatibility data does not know', () => {
  it.each(['01-healthy-baseline', '39-addon-incompatible-with-cluster', '41-addon-not-default-version'])(
    '%s: the current-version judgement stands; the target is said unknown, not FAILed',
    (fixture) => {
      const current = addonCheck(fixture);
      const check = addonCheck(fixture, '9.99');
      expect(check.status).toBe(current.status);
      expect(check.evidence).toMatchObject({ targetVersion: '9.99', targetVersionKnown: false });
      const known = check.evidence.knownClusterVersions as string[];
      expect(known).toContain('1.30');
      expect(known).not.toContain('9.99');
      expect(check.evidence.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^target version 9\.99 is not in the compatibility data \(known cluster versions \d+\.\d+–\d+\.\d+\)/,
          ),
        ]),
      );
      for (const addon of check.evidence.addons as {
        compatibleWithTarget?: boolean;
        targetVersionKnown?: boolean;
      }[]) {
        expect(addon.compatibleWithTarget).toBeUndefined();
      }
    },
  );

  it('marks a known target as known (the gate tells judged from unjudged by this field)', () => {
    const check = addonCheck('40-addon-target-version-incompatible', '1.31');
    expect(check.status).toBe('FAIL');
    expect(check.evidence).toMatchObject({ targetVersion: '1.31', targetVersionKnown: true });
  });

  it('addonCompatibleWith answers undefined (unknown), not false, for a target the matrix never mentions', () => {
    const verdict = addonCompatibleWith(addonEvidence('01-healthy-baseline'), '9.99');
    expect(verdict.compatible).toBeUndefined();
    expect(verdict.addons[0]!.reason).toMatch(/9\.99 is not in the compatibility data/);
  });

  it.each(['1.33.0', 'latest', '1', '', '1.x', '１.３３'])(
    'refuses the malformed target version %j as unusable input',
    (targetVersion) => {
      const snapshot = parseNetworkSnapshot(fixtureJson('01-healthy-baseline'));
      expect(() => auditNetworkSnapshot(snapshot, { targetVersion })).toThrow(AwsAuditError);
      expect(() => auditNetworkSnapshot(snapshot, { targetVersion })).toThrow(/MAJOR\.MINOR/);
    },
  );

  it('parseEksVersion accepts exactly MAJOR.MINOR (optional v), normalized (fuzzed)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseEksVersion(text);
        if (/^v?[0-9]+\.[0-9]+$/.test(text.trim())) expect(parsed).toMatch(/^\d+\.\d+$/);
        else expect(parsed).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.nat(99), fc.nat(99), fc.boolean(), (major, minor, v) => {
        expect(parseEksVersion(`${v ? 'v' : ''}${major}.${minor}`)).toBe(`${major}.${minor}`);
      }),
    );
  });
});
