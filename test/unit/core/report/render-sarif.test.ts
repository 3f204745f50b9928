/**
 * The SARIF report against the SARIF 2.1.0 JSON schema (the copy the MIT-licensed
 * @microsoft/jest-sarif package ships: SARIF 2.1.0-rtm.5, the schema of the 2.1.0 standard as
 * published on schemastore; nothing is vendored here), plus the rules of the spec the schema
 * cannot express.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CHECK_CATALOG } from '../../../../lambdas/core/catalog/index.js';
import { renderSarif } from '../../../../lambdas/core/report/index.js';
import { MUTED_REASON, fleetModel } from './report-fixtures.js';

interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          helpUri?: string;
          defaultConfiguration: { level: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      kind: string;
      level: string;
      message: { text: string };
      locations: { logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[] }[];
      suppressions?: { kind: string; justification: string }[];
      properties: Record<string, unknown>;
    }[];
  }[];
}

/**
 * The official schema is draft-04 (`id`, `$schema` draft-04); Ajv 8 reads draft-07, which differs
 * from draft-04 only in keywords this schema does not use besides `id`. Adapted in memory.
 */
function sarifValidator() {
  const schema = JSON.parse(
    readFileSync(
      createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
  const { id, $schema: _draft04, ...rest } = schema;
  // unicodeRegExp off: the schema's language pattern has a stray ']' that only the u flag rejects
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: id as string });
}

describe('renderSarif', () => {
  const model = fleetModel();
  const text = renderSarif(model);
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0]!;

  it('is valid against the SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a result without a message is rejected', () => {
    const validate = sarifValidator();
    const broken = structuredClone(log);
    delete (broken.runs[0]!.results[0] as Partial<(typeof broken.runs)[0]['results'][0]>).message;
    expect(validate(broken)).toBe(false);
  });

  it('has one rule per check id with the catalog metadata', () => {
    const rules = run.tool.driver.rules;
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.map((r) => r.id)).toEqual(CHECK_CATALOG.map((m) => m.id));
    const udp = rules.find((r) => r.id === 'NET-SG-DNS-UDP')!;
    const meta = CHECK_CATALOG.find((m) => m.id === 'NET-SG-DNS-UDP')!;
    expect(udp).toMatchObject({
      shortDescription: { text: meta.title },
      helpUri: meta.docUrl,
      defaultConfiguration: { level: 'error' },
    });
  });

  it('has one result per non-PASS finding, its ruleIndex pointing at its rule', () => {
    const nonPass = model.clusters.flatMap((c) =>
      c.checks.filter((r) => r.status !== 'PASS').map((r) => `${c.cluster.arn} ${r.id}`),
    );
    expect(
      run.results.map((r) => `${r.locations[0]!.logicalLocations[0]!.fullyQualifiedName} ${r.ruleId}`),
    ).toEqual(nonPass);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
  });

  it.each([
    ['NET-SG-DNS-UDP', 'fail', 'error'], // FAIL high
    ['DNS-LATENCY', 'fail', 'warning'], // FAIL medium
    ['K8S-COREDNS-PODS', 'fail', 'warning'], // WARN high
    ['DNS-EXTERNAL', 'review', 'none'], // ERROR
    ['K8S-NODELOCAL-DNS', 'notApplicable', 'none'], // SKIPPED
  ])('%s is kind %s, level %s (a kind other than fail has level none)', (checkId, kind, level) => {
    expect(run.results.find((r) => r.ruleId === checkId)).toMatchObject({ kind, level });
  });

  it('locates results at the cluster ARN and carries the finding identity', () => {
    const udp = run.results.find((r) => r.ruleId === 'NET-SG-DNS-UDP')!;
    expect(udp.locations[0]!.logicalLocations[0]).toEqual({
      name: 'prod-a',
      fullyQualifiedName: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      kind: 'resource',
    });
    expect(udp.properties).toMatchObject({
      accountId: '111122223333',
      region: 'eu-west-1',
      clusterName: 'prod-a',
      scanId: 'scan-2',
      status: 'FAIL',
      severity: 'high',
      muted: false,
      firstSeenAt: '2026-03-02T10:01:00Z',
      lastTransitionAt: '2026-03-02T10:01:00Z',
    });
  });

  it('suppresses a muted finding with the mutelist reason, and only that one', () => {
    const suppressed = run.results.filter((r) => r.suppressions !== undefined);
    expect(suppressed.map((r) => r.ruleId)).toEqual(['NET-NACL-DNS-UDP']);
    expect(suppressed[0]!.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: MUTED_REASON },
    ]);
  });
});
