import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../../lambdas/core/report/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { childrenNamed, parseXml } from '../../../support/parse-xml.js';
import type { XmlElement } from '../../../support/parse-xml.js';
import { EVIDENCE_UDP, MUTED_REASON, fleetModel } from './report-fixtures.js';

/** What the model says a suite should count: FAIL failures, ERROR errors, SKIPPED or muted skipped. */
function expectedCounts(checks: readonly CheckResult[]) {
  return {
    tests: checks.length,
    failures: checks.filter((c) => !c.muted && c.status === 'FAIL').length,
    errors: checks.filter((c) => !c.muted && c.status === 'ERROR').length,
    skipped: checks.filter((c) => c.muted || c.status === 'SKIPPED').length,
  };
}

const countsOf = (e: XmlElement) => ({
  tests: Number(e.attributes.tests),
  failures: Number(e.attributes.failures),
  errors: Number(e.attributes.errors),
  skipped: Number(e.attributes.skipped),
});

/** The counts read from the testcases themselves, not from the suite's attributes. */
const countsFromCases = (suite: XmlElement) => {
  const cases = childrenNamed(suite, 'testcase');
  const having = (name: string) => cases.filter((c) => childrenNamed(c, name).length > 0).length;
  return {
    tests: cases.length,
    failures: having('failure'),
    errors: having('error'),
    skipped: having('skipped'),
  };
};

describe('renderJunit', () => {
  const model = fleetModel();
  const root = parseXml(renderJunit(model));
  const suites = childrenNamed(root, 'testsuite');

  it('has a testsuite per cluster and a testcase per check', () => {
    expect(root.name).toBe('testsuites');
    expect(suites.map((s) => s.attributes.name)).toEqual(model.clusters.map((c) => c.cluster.id));
    suites.forEach((s, i) =>
      expect(childrenNamed(s, 'testcase')).toHaveLength(model.clusters[i]!.checks.length),
    );
  });

  it('counts tests, failures, errors and skipped per suite as the model says, in the attributes and the cases', () => {
    suites.forEach((suite, i) => {
      const expected = expectedCounts(model.clusters[i]!.checks);
      expect(countsOf(suite)).toEqual(expected);
      expect(countsFromCases(suite)).toEqual(expected);
    });
    expect(countsOf(root)).toEqual(expectedCounts(model.clusters.flatMap((c) => c.checks)));
    expect(countsOf(root)).toEqual({ tests: 12, failures: 2, errors: 1, skipped: 2 });
  });

  it('puts the evidence summary and remediation in the failure, intact after parsing', () => {
    const prod = suites[0]!;
    const udp = childrenNamed(prod, 'testcase').find((c) => c.attributes.name!.startsWith('NET-SG-DNS-UDP'))!;
    const [failure] = childrenNamed(udp, 'failure');
    expect(failure!.attributes.message).toBe(EVIDENCE_UDP);
    expect(failure!.text).toContain(EVIDENCE_UDP);
    expect(failure!.text).toContain('Remediation: ');
    expect(udp.attributes.classname).toBe('111122223333:eu-west-1:prod-a');
  });

  it('skips a muted FAIL with the mutelist reason, and an ERROR is an <error>', () => {
    const cases = childrenNamed(suites[0]!, 'testcase');
    const muted = cases.find((c) => c.attributes.name!.startsWith('NET-NACL-DNS-UDP'))!;
    expect(childrenNamed(muted, 'skipped')[0]!.attributes.message).toBe(`muted (FAIL): ${MUTED_REASON}`);
    expect(childrenNamed(muted, 'failure')).toEqual([]);
    const error = cases.find((c) => c.attributes.name!.startsWith('DNS-EXTERNAL'))!;
    expect(childrenNamed(error, 'error')[0]!.attributes.message).toContain('ImagePullBackOff');
  });

  it('names the cluster identity in suite properties', () => {
    const props = Object.fromEntries(
      childrenNamed(childrenNamed(suites[0]!, 'properties')[0]!, 'property').map((p) => [
        p.attributes.name,
        p.attributes.value,
      ]),
    );
    expect(props).toMatchObject({
      account_id: '111122223333',
      region: 'eu-west-1',
      cluster_name: 'prod-a',
      cluster_arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      scan_id: 'scan-2',
    });
  });
});
