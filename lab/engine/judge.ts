/**
 * Whether a scenario's `expect` block held for a run: the one judgement both the lab test suite
 * and `fleet-dns lab run` make (conventions.md, `lab run` row).
 */
import type { CheckResult, ClusterResult } from '../../lambdas/core/schema/index.js';
import type { Scenario } from '../scenarios/schema.js';

/** One expectation of the `expect` block and what the run showed. */
export interface ExpectationVerdict {
  /** as the scenario states it: `DNS-INTERNAL is PASS`, `diagnosis has upstream`, `diagnosis has no healthy` */
  readonly expectation: string;
  readonly held: boolean;
  /** what the run showed, e.g. `DNS-INTERNAL is FAIL: 4 of 10 queries timed out` */
  readonly reason: string;
}

/** The verdicts in `expect` order: checks, expected causes, forbidden causes, reasons, then API retries. */
export interface ScenarioJudgement {
  /** every expectation held */
  readonly held: boolean;
  readonly verdicts: readonly ExpectationVerdict[];
}

/** Judges `result` (a lab run's checks and diagnosis) against a scenario's `expect` block. */
export function judgeScenario(
  expect: Scenario['expect'],
  result: Pick<ClusterResult, 'checks' | 'diagnosis'>,
): ScenarioJudgement {
  const causes = result.diagnosis.map((d) => d.cause);
  const diagnosed = `the diagnosis is ${causes.join(', ') || '(empty)'}`;
  const verdicts: ExpectationVerdict[] = [
    ...Object.entries(expect.checks).map(([id, status]) =>
      checkVerdict(
        id,
        status,
        result.checks.find((c) => c.id === id),
      ),
    ),
    ...expect.diagnosis.map((cause) => ({
      expectation: `diagnosis has ${cause}`,
      held: causes.includes(cause),
      reason: diagnosed,
    })),
    ...expect.notDiagnosis.map((cause) => ({
      expectation: `diagnosis has no ${cause}`,
      held: !causes.includes(cause),
      reason: diagnosed,
    })),
    ...Object.entries(expect.reasons).map(([id, text]) =>
      reasonVerdict(
        id,
        text,
        result.checks.find((c) => c.id === id),
      ),
    ),
    ...expect.apiRetried.map((id) =>
      retriedVerdict(
        id,
        result.checks.find((c) => c.id === id),
      ),
    ),
  ];
  return { held: verdicts.every((v) => v.held), verdicts };
}

function checkVerdict(id: string, expected: string, check: CheckResult | undefined): ExpectationVerdict {
  const expectation = `${id} is ${expected}`;
  if (!check) return { expectation, held: false, reason: `${id} is not in the results` };
  const summary = (check.evidence as { summary?: unknown }).summary;
  return {
    expectation,
    held: check.status === expected,
    reason: `${id} is ${check.status}${typeof summary === 'string' ? `: ${summary}` : ''}`,
  };
}

function retriedVerdict(id: string, check: CheckResult | undefined): ExpectationVerdict {
  const expectation = `${id} records Kubernetes API retries`;
  if (!check) return { expectation, held: false, reason: `${id} is not in the results` };
  const retries = (check.evidence as { apiRetries?: unknown }).apiRetries;
  const count = Array.isArray(retries) ? retries.length : 0;
  return {
    expectation,
    held: count > 0,
    reason: count > 0 ? `${id} records ${count} retried call(s)` : `${id} records no retried call`,
  };
}

function reasonVerdict(id: string, text: string, check: CheckResult | undefined): ExpectationVerdict {
  const expectation = `${id}'s evidence.reason has "${text}"`;
  if (!check) return { expectation, held: false, reason: `${id} is not in the results` };
  const reason = (check.evidence as { reason?: unknown }).reason;
  if (typeof reason !== 'string') return { expectation, held: false, reason: `${id} has no evidence.reason` };
  return { expectation, held: reason.includes(text), reason: `${id}'s evidence.reason is: ${reason}` };
}
