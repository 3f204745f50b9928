import { describe, expect, it } from 'vitest';
import { addonCompatibleWith, auditNetworkSnapshot } from '../../../../../lambdas/core/checks/aws/index.js';
import { parseNetworkSnapshot } from '../../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from './fixtures.js';

function addonEvidence(fixture: string, targetVersion?: string) {
  const checks = auditNetworkSnapshot(
    parseNetworkSnapshot(fixtureJson(fixture)),
    targetVersion ? { targetVersion } : {},
  );
  return checks.find((c) => c.id === 'EKS-COREDNS-ADDON')!.evidence;
}

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
