/**
 * ASFF findings against the BatchImportFindings rules: the required attributes, their types and
 * limits, Severity.Label values, unique Ids, and a check that passes again sent as RESOLVED.
 *
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
 * @see https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html
 */
import { describe, expect, it } from 'vitest';
import { asffFindings, renderAsff } from '../../../../lambdas/core/report/index.js';
import type { AsffFinding } from '../../../../lambdas/core/report/index.js';
import { MUTED_REASON, fleetModel } from './report-fixtures.js';

/** Top-level attributes BatchImportFindings requires. */
const REQUIRED = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;
/** The namespaces of the ASFF types taxonomy (namespace/category/classifier). */
const TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];
/** ISO 8601 as Security Hub accepts it (RFC 3339 date-time). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every field rule a finding breaks, as text; empty when it follows them all. */
function fieldProblems(f: AsffFinding): string[] {
  const problems: string[] = [];
  const record = f as unknown as Record<string, unknown>;
  for (const key of REQUIRED) if (record[key] === undefined) problems.push(`${key} missing`);
  if (f.SchemaVersion !== '2018-10-08') problems.push('SchemaVersion');
  if (!/^[0-9]{12}$/.test(f.AwsAccountId)) problems.push('AwsAccountId');
  if (!/^arn:aws(-[a-z-]+)?:securityhub:[a-z0-9-]+:[0-9]{12}:product\/[0-9]{12}\/default$/.test(f.ProductArn))
    problems.push('ProductArn');
  for (const [key, max] of [
    ['Id', 512],
    ['GeneratorId', 512],
    ['Title', 256],
    ['Description', 1024],
  ] as const) {
    const value = record[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) problems.push(`${key} length`);
  }
  if (!Array.isArray(f.Types) || f.Types.length < 1 || f.Types.length > 50) problems.push('Types count');
  for (const t of f.Types) {
    const parts = t.split('/');
    if (parts.length < 1 || parts.length > 3 || !TYPE_NAMESPACES.includes(parts[0]!))
      problems.push(`Types ${t}`);
  }
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const)
    if (record[key] !== undefined && !ISO_DATE.test(String(record[key]))) problems.push(`${key} format`);
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(f.Severity?.Label))
    problems.push('Severity.Label');
  if (!Array.isArray(f.Resources) || f.Resources.length < 1 || f.Resources.length > 32)
    problems.push('Resources count');
  for (const r of f.Resources) {
    if (
      r.Type !== 'AwsEksCluster' ||
      !r.Id.startsWith('arn:') ||
      !['aws', 'aws-cn', 'aws-us-gov'].includes(r.Partition)
    )
      problems.push('Resource');
  }
  if (f.Remediation.Recommendation.Text.length > 512) problems.push('Recommendation.Text length');
  if (!['ACTIVE', 'ARCHIVED'].includes(f.RecordState)) problems.push('RecordState');
  if (!['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'].includes(f.Workflow.Status))
    problems.push('Workflow.Status');
  if (!['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'].includes(f.Compliance.Status))
    problems.push('Compliance.Status');
  return problems;
}

describe('renderAsff', () => {
  const model = fleetModel();
  const findings = JSON.parse(renderAsff(model)) as AsffFinding[];
  const byCheck = (id: string) => findings.filter((f) => f.ProductFields['fleet-dns/CheckId'] === id);

  it('renders the findings as a JSON array', () => {
    expect(findings).toEqual(asffFindings(model));
  });

  it('follows the ASFF field rules in every finding', () => {
    expect(findings.map((f) => [f.Id, fieldProblems(f)])).toEqual(findings.map((f) => [f.Id, []]));
  });

  it('the field rules can fail', () => {
    const broken = {
      ...findings[0]!,
      Severity: { Label: 'SEVERE' },
      Types: ['Bogus/Namespace'],
    } as unknown as AsffFinding;
    const { Title: _dropped, ...noTitle } = broken;
    expect(fieldProblems(noTitle as AsffFinding)).toEqual(
      expect.arrayContaining(['Title missing', 'Severity.Label', 'Types Bogus/Namespace']),
    );
  });

  it('sends every FAIL and WARN as ACTIVE and no PASS, ERROR or SKIPPED still in that state', () => {
    const active = findings.filter((f) => f.RecordState === 'ACTIVE');
    expect(
      active.map(
        (f) => `${f.Resources[0]!.Details.AwsEksCluster.Name} ${f.ProductFields['fleet-dns/CheckId']}`,
      ),
    ).toEqual([
      'prod-a NET-SG-DNS-UDP',
      'prod-a K8S-COREDNS-PODS',
      'prod-a NET-NACL-DNS-UDP',
      'staging-b DNS-LATENCY',
    ]);
    expect(byCheck('DNS-EXTERNAL')).toEqual([]);
    expect(byCheck('K8S-NODELOCAL-DNS')).toEqual([]);
  });

  it('gives every finding a unique Id, stable across scans (the cluster ARN and check id)', () => {
    expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
    expect(byCheck('NET-SG-DNS-UDP')[0]!.Id).toBe(
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a/fleet-dns/NET-SG-DNS-UDP',
    );
  });

  it.each([
    ['NET-SG-DNS-UDP', 'HIGH', 'FAILED'],
    ['DNS-LATENCY', 'MEDIUM', 'FAILED'],
    ['K8S-COREDNS-PODS', 'HIGH', 'WARNING'],
  ])('%s has Severity.Label %s and Compliance %s', (checkId, label, compliance) => {
    const [f] = byCheck(checkId);
    expect(f!.Severity.Label).toBe(label);
    expect(f!.Compliance.Status).toBe(compliance);
  });

  it('sends a check that passed again as ARCHIVED with workflow RESOLVED, same Id as when it failed', () => {
    const [resolved] = byCheck('NET-SG-DNS-TCP');
    expect(resolved).toMatchObject({
      RecordState: 'ARCHIVED',
      Workflow: { Status: 'RESOLVED' },
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
      Id: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a/fleet-dns/NET-SG-DNS-TCP',
    });
  });

  it('resolves nothing without a previous scan', () => {
    expect(asffFindings(fleetModel({ previous: false })).filter((f) => f.RecordState === 'ARCHIVED')).toEqual(
      [],
    );
  });

  it('marks a muted finding SUPPRESSED with the mutelist reason', () => {
    const [muted] = byCheck('NET-NACL-DNS-UDP');
    expect(muted!.Workflow.Status).toBe('SUPPRESSED');
    expect(muted!.ProductFields['fleet-dns/MutedReason']).toBe(MUTED_REASON);
    expect(muted!.Note?.Text).toBe(`muted: ${MUTED_REASON}`);
  });

  it('names the resource as an AwsEksCluster with the account, region and ARN', () => {
    const [f] = byCheck('DNS-LATENCY');
    expect(f).toMatchObject({
      AwsAccountId: '444455556666',
      Region: 'us-east-1',
      ProductArn: 'arn:aws:securityhub:us-east-1:444455556666:product/444455556666/default',
      GeneratorId: 'fleet-dns/DNS-LATENCY',
      Resources: [
        {
          Type: 'AwsEksCluster',
          Id: 'arn:aws:eks:us-east-1:444455556666:cluster/staging-b',
          Partition: 'aws',
          Region: 'us-east-1',
        },
      ],
    });
  });

  it("files every finding under the importer's account and region when given one (BatchImportFindings' rule)", () => {
    const importer = { accountId: '999988887777', region: 'eu-central-1' };
    const imported = asffFindings(model, { importer });
    expect(imported.map((f) => f.Id)).toEqual(findings.map((f) => f.Id));
    const f = imported.find((x) => x.ProductFields['fleet-dns/CheckId'] === 'DNS-LATENCY');
    expect(f).toMatchObject({
      AwsAccountId: '999988887777',
      Region: 'eu-central-1',
      ProductArn: 'arn:aws:securityhub:eu-central-1:999988887777:product/999988887777/default',
      ProductFields: { 'fleet-dns/ClusterAccountId': '444455556666' },
      Resources: [{ Id: 'arn:aws:eks:us-east-1:444455556666:cluster/staging-b', Region: 'us-east-1' }],
    });
    expect(imported.map((x) => [x.Id, fieldProblems(x)])).toEqual(imported.map((x) => [x.Id, []]));
  });
});
