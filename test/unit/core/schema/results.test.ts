import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import {
  checkResultSchema,
  clusterResultSchema,
  formatSchemaError,
  gateDecisionSchema,
  runnerResultSchema,
} from '../../../../lambdas/core/schema/index.js';
import { prerequisites } from '../../../support/prerequisites.js';
import { SHARED_DOCS, sharedFile } from '../../../support/shared-docs.js';

const pass = {
  id: 'NET-SG-DNS-UDP',
  status: 'PASS',
  severity: 'high',
  muted: false,
  evidence: { pairsEvaluated: 12 },
  remediation: 'Allow UDP 53. See https://docs.aws.amazon.com/',
};
const clusterResult = {
  cluster: {
    id: '111122223333:eu-west-1:prod-a',
    accountId: '111122223333',
    region: 'eu-west-1',
    name: 'prod-a',
  },
  checks: [pass],
  diagnosis: [{ cause: 'healthy', confidence: 'confirmed', checks: [], resources: [], summary: 'all good' }],
};

/** Documents each schema must reject, with the path the error must name. */
const malformed: Array<[string, unknown, RegExp]> = [
  ['wrong status', { ...pass, status: 'OK' }, /status/],
  ['missing evidence', { ...pass, evidence: undefined }, /evidence/],
  ['unknown check id shape', { ...pass, id: 'sg-dns' }, /id: not a check ID/],
  ['ERROR without reason', { ...pass, status: 'ERROR', evidence: {} }, /evidence\.reason/],
  ['SKIPPED without reason', { ...pass, status: 'SKIPPED', evidence: { notes: [] } }, /evidence\.reason/],
  ['muted without reason', { ...pass, muted: true }, /mutedReason/],
  ['empty remediation', { ...pass, remediation: '' }, /remediation/],
  ['bad severity', { ...pass, severity: 'urgent' }, /severity/],
  ['missing muted', { ...pass, muted: undefined }, /muted/],
];

describe('check result schema', () => {
  it('accepts a well-formed result, with extra evidence keys', () => {
    expect(checkResultSchema.parse(pass)).toMatchObject({ id: 'NET-SG-DNS-UDP' });
  });

  it.each(malformed)('rejects %s with a readable error naming the field', (_name, doc, expected) => {
    const parsed = checkResultSchema.safeParse(doc);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(formatSchemaError(parsed.error)).toMatch(expected);
  });

  it('rejects a cluster result with an empty diagnosis or a malformed cluster id', () => {
    const r1 = clusterResultSchema.safeParse({ ...clusterResult, diagnosis: [] });
    expect(r1.success).toBe(false);
    if (!r1.success) expect(formatSchemaError(r1.error)).toMatch(/diagnosis: diagnosis is never empty/);
    const r2 = clusterResultSchema.safeParse({
      ...clusterResult,
      cluster: { ...clusterResult.cluster, id: 'prod-a' },
    });
    expect(r2.success).toBe(false);
    if (!r2.success) expect(formatSchemaError(r2.error)).toMatch(/cluster\.id/);
  });

  it('rejects a runner result with a wrong format marker or a malformed signature', () => {
    const runner = {
      format: 'fleet-dns/runner-result@1',
      role: 'probe',
      scanId: 's-1',
      clusterId: clusterResult.cluster.id,
      startedAt: '2026-11-23T10:00:00Z',
      finishedAt: '2026-11-23T10:00:05Z',
      checks: [pass],
      observations: {},
    };
    expect(runnerResultSchema.safeParse(runner).success).toBe(true);
    expect(runnerResultSchema.safeParse({ ...runner, format: 'x' }).success).toBe(false);
    expect(runnerResultSchema.safeParse({ ...runner, signature: 'zz' }).success).toBe(false);
  });
});

describe.runIf(prerequisites(SHARED_DOCS))('zod schemas agree with ../shared/result.schema.json', () => {
  const jsonSchema = JSON.parse(sharedFile('result.schema.json') ?? '{}') as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;
  addFormats(ajv);
  ajv.addSchema(jsonSchema);
  const id = String(jsonSchema.$id);
  const def = (name: string) => {
    const validate = ajv.getSchema(`${id}#/$defs/${name}`);
    if (!validate) throw new Error(`no $defs/${name} in result.schema.json`);
    return validate;
  };
  const validateCluster = def('clusterResult');
  const validateCheck = def('checkResult');
  const validateGate = def('gateDecision');

  it.each([['valid', pass], ...malformed.map(([n, d]) => [n, d] as [string, unknown])])(
    'check result "%s": both accept or both reject',
    (_n, doc) => {
      expect(checkResultSchema.safeParse(doc).success).toBe(validateCheck(doc));
    },
  );

  it('agree on random check results (property)', () => {
    const arbResult = fc.record(
      {
        id: fc.constantFrom('NET-SG-DNS-UDP', 'DNS-LATENCY', 'bad-id', 'NODE-X1'),
        status: fc.constantFrom('PASS', 'FAIL', 'WARN', 'ERROR', 'SKIPPED', 'OK'),
        severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'info', 'none'),
        muted: fc.oneof(fc.boolean(), fc.constant('yes')),
        mutedReason: fc.string(),
        evidence: fc.oneof(
          fc.record({ reason: fc.string() }, { requiredKeys: [] }),
          fc.record({ notes: fc.array(fc.string()), truncated: fc.boolean() }, { requiredKeys: [] }),
          fc.constant(null),
        ),
        remediation: fc.string({ maxLength: 3 }),
        firstSeenAt: fc.constantFrom('2026-11-23T10:00:00Z', '2026-11-23T10:00:00.123+02:00', 'yesterday'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbResult, (doc) => {
        expect(checkResultSchema.safeParse(doc).success).toBe(validateCheck(doc));
      }),
      { numRuns: 500 },
    );
  });

  it('cluster results and gate decisions: both accept or both reject', () => {
    const docs: unknown[] = [
      clusterResult,
      { ...clusterResult, diagnosis: [] },
      { ...clusterResult, cluster: { ...clusterResult.cluster, accountId: '123' } },
      { ...clusterResult, scan: { id: 's', startedAt: '2026-11-23T10:00:00Z' } },
      { ...clusterResult, scan: { id: 's' } },
    ];
    for (const doc of docs) expect(clusterResultSchema.safeParse(doc).success).toBe(validateCluster(doc));
    const gates: unknown[] = [
      { decision: 'pass', reasons: [], scan: null },
      {
        decision: 'fail',
        reasons: [{ code: 'check-failed', checkId: 'DNS-INTERNAL', message: 'm' }],
        scan: { id: 's', finishedAt: '2026-11-23T10:00:00Z' },
      },
      { decision: 'maybe', reasons: [], scan: null },
      { decision: 'pass', reasons: [{ code: 'other', message: 'm' }], scan: null },
      { decision: 'pass', reasons: [] },
    ];
    for (const doc of gates) expect(gateDecisionSchema.safeParse(doc).success).toBe(validateGate(doc));
  });
});
