import { describe, expect, it } from 'vitest';
import { judgeScenario } from '../../../../lab/engine/index.js';
import type { CheckResult, DiagnosisItem } from '../../../../lambdas/core/schema/index.js';
import type { Scenario } from '../../../../lab/scenarios/schema.js';

function check(id: string, status: CheckResult['status'], summary: string): CheckResult {
  return {
    id,
    status,
    severity: 'high',
    muted: false,
    evidence: { summary, ...(status === 'SKIPPED' || status === 'ERROR' ? { reason: summary } : {}) },
    remediation: 'see the runbook',
  };
}

function diagnosis(...causes: DiagnosisItem['cause'][]): DiagnosisItem[] {
  return causes.map((cause) => ({ cause, confidence: 'likely', checks: [], resources: [], summary: cause }));
}

const upstreamDead: Scenario['expect'] = {
  checks: { 'DNS-INTERNAL': 'PASS', 'DNS-EXTERNAL': 'FAIL' },
  diagnosis: ['upstream'],
  notDiagnosis: ['healthy'],
  apiRetried: [],
  reasons: {},
};

describe('judgeScenario', () => {
  it('holds when every status, expected cause and forbidden cause matches', () => {
    const judgement = judgeScenario(upstreamDead, {
      checks: [
        check('DNS-INTERNAL', 'PASS', '10 of 10 answered'),
        check('DNS-EXTERNAL', 'FAIL', '0 of 10 answered'),
        check('DNS-LATENCY', 'WARN', 'not in expect, not judged'),
      ],
      diagnosis: diagnosis('upstream'),
    });
    expect(judgement).toEqual({
      held: true,
      verdicts: [
        {
          expectation: 'DNS-INTERNAL is PASS',
          held: true,
          reason: 'DNS-INTERNAL is PASS: 10 of 10 answered',
        },
        { expectation: 'DNS-EXTERNAL is FAIL', held: true, reason: 'DNS-EXTERNAL is FAIL: 0 of 10 answered' },
        { expectation: 'diagnosis has upstream', held: true, reason: 'the diagnosis is upstream' },
        { expectation: 'diagnosis has no healthy', held: true, reason: 'the diagnosis is upstream' },
      ],
    });
  });

  it('does not hold when a check has another status, and says which and why', () => {
    const judgement = judgeScenario(upstreamDead, {
      checks: [
        check('DNS-INTERNAL', 'PASS', '10 of 10 answered'),
        check('DNS-EXTERNAL', 'PASS', '10 of 10 answered'),
      ],
      diagnosis: diagnosis('upstream'),
    });
    expect(judgement.held).toBe(false);
    expect(judgement.verdicts.filter((v) => !v.held)).toEqual([
      {
        expectation: 'DNS-EXTERNAL is FAIL',
        held: false,
        reason: 'DNS-EXTERNAL is PASS: 10 of 10 answered',
      },
    ]);
  });

  it('does not hold when an expected check is missing from the results', () => {
    const judgement = judgeScenario(upstreamDead, {
      checks: [check('DNS-INTERNAL', 'PASS', '10 of 10 answered')],
      diagnosis: diagnosis('upstream'),
    });
    expect(judgement.verdicts.filter((v) => !v.held)).toEqual([
      { expectation: 'DNS-EXTERNAL is FAIL', held: false, reason: 'DNS-EXTERNAL is not in the results' },
    ]);
  });

  it('does not hold when an expected cause is missing from the diagnosis', () => {
    const judgement = judgeScenario(upstreamDead, {
      checks: [check('DNS-INTERNAL', 'PASS', 'ok'), check('DNS-EXTERNAL', 'FAIL', 'timeouts')],
      diagnosis: diagnosis('network-path', 'kube-proxy'),
    });
    expect(judgement.held).toBe(false);
    expect(judgement.verdicts.filter((v) => !v.held)).toEqual([
      {
        expectation: 'diagnosis has upstream',
        held: false,
        reason: 'the diagnosis is network-path, kube-proxy',
      },
    ]);
  });

  it('does not hold when a forbidden cause is in the diagnosis', () => {
    const judgement = judgeScenario(upstreamDead, {
      checks: [check('DNS-INTERNAL', 'PASS', 'ok'), check('DNS-EXTERNAL', 'FAIL', 'timeouts')],
      diagnosis: diagnosis('upstream', 'healthy'),
    });
    expect(judgement.held).toBe(false);
    expect(judgement.verdicts.filter((v) => !v.held)).toEqual([
      {
        expectation: 'diagnosis has no healthy',
        held: false,
        reason: 'the diagnosis is upstream, healthy',
      },
    ]);
  });

  it("judges reasons: held when the check's evidence.reason contains the text, not held otherwise or without one", () => {
    const expectReasons: Scenario['expect'] = {
      checks: {},
      diagnosis: ['unknown'],
      notDiagnosis: [],
      apiRetried: [],
      reasons: {
        'DNS-INTERNAL': 'ImagePullBackOff',
        'DNS-EXTERNAL': 'signature does not match',
        'DNS-TCP': 'deadline exceeded',
      },
    };
    const withReason = (id: string, reason: string): CheckResult => ({
      ...check(id, 'ERROR', 'no probe result'),
      evidence: { summary: 'no probe result', reason },
    });
    const judgement = judgeScenario(expectReasons, {
      checks: [
        withReason('DNS-INTERNAL', 'probe pod Pending: ImagePullBackOff for img:1'),
        withReason('DNS-EXTERNAL', 'result incomplete: frame 2 of 2 missing'),
        { ...check('DNS-TCP', 'ERROR', 'no reason given'), evidence: { summary: 'no reason given' } },
      ],
      diagnosis: diagnosis('unknown'),
    });
    expect(judgement.verdicts.slice(1).map((v) => [v.expectation, v.held])).toEqual([
      ['DNS-INTERNAL\'s evidence.reason has "ImagePullBackOff"', true],
      ['DNS-EXTERNAL\'s evidence.reason has "signature does not match"', false],
      ['DNS-TCP\'s evidence.reason has "deadline exceeded"', false],
    ]);
    expect(judgement.verdicts[2]?.reason).toBe(
      "DNS-EXTERNAL's evidence.reason is: result incomplete: frame 2 of 2 missing",
    );
    expect(judgement.verdicts[3]?.reason).toBe('DNS-TCP has no evidence.reason');
  });

  it('judges apiRetried: held when the check records Kubernetes API retries, not held otherwise', () => {
    const expectRetries: Scenario['expect'] = {
      checks: {},
      diagnosis: ['healthy'],
      notDiagnosis: [],
      apiRetried: ['K8S-DNS-SERVICE', 'K8S-DNS-ENDPOINTS'],
      reasons: {},
    };
    const retried: CheckResult = {
      ...check('K8S-DNS-SERVICE', 'PASS', 'kube-dns has a ClusterIP'),
      evidence: {
        summary: 'ok',
        apiRetries: [{ call: 'readService', status: 429, attempts: 3, cleared: true }],
      },
    };
    const judgement = judgeScenario(expectRetries, {
      checks: [retried, check('K8S-DNS-ENDPOINTS', 'PASS', '2 ready')],
      diagnosis: diagnosis('healthy'),
    });
    expect(judgement.held).toBe(false);
    expect(judgement.verdicts.slice(1)).toEqual([
      {
        expectation: 'K8S-DNS-SERVICE records Kubernetes API retries',
        held: true,
        reason: 'K8S-DNS-SERVICE records 1 retried call(s)',
      },
      {
        expectation: 'K8S-DNS-ENDPOINTS records Kubernetes API retries',
        held: false,
        reason: 'K8S-DNS-ENDPOINTS records no retried call',
      },
    ]);
  });
});
