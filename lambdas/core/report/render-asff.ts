/**
 * AWS Security Finding Format (ASFF) findings for Security Hub's BatchImportFindings. A FAIL or
 * WARN is an ACTIVE finding (workflow NEW, or SUPPRESSED when muted); a check that was FAIL or
 * WARN in the previous scan and PASSes now is sent again with the same Id as ARCHIVED / RESOLVED
 * and severity INFORMATIONAL, as Security Hub's own controls do, so it closes in Security Hub.
 * ERROR and SKIPPED say nothing about the resource and are not sent.
 *
 * The finding Id is `<cluster ARN>/fleet-dns/<check id>`: stable across scans, so a re-import
 * updates the finding instead of duplicating it. Findings go to the default product of the
 * cluster's account and region (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`),
 * or, given an {@link AsffImporter}, to the importing account's: BatchImportFindings with the
 * default product ARN takes only findings whose AwsAccountId is the calling account, in the
 * region it is called in, so the central scanner's export files every cluster's finding under
 * its own account (the cluster's account stays in the resource ARN and `fleet-dns/ClusterAccountId`).
 *
 * @see https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
 */
import { partitionOfRegion } from '../results/cluster-arn.js';
import type { Severity, Status } from '../schema/index.js';
import { fleetFindings, resolutions } from './report-model.js';
import type { Finding, ReportModel } from './report-model.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type AsffSeverityLabel = (typeof ASFF_SEVERITY_LABELS)[number];
/** The finding type: a configuration check (ASFF types taxonomy namespace/category). */
export const ASFF_FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';

/** ASFF limits (API_AwsSecurityFinding): Title 256, Description 1024, Recommendation.Text 512 characters. */
const LIMITS = { title: 256, description: 1024, recommendation: 512 } as const;

/** The fields fleet-dns sets on an ASFF finding (the required ones and those it uses). */
export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  ProductName: 'fleet-dns';
  CompanyName: 'fleet-dns';
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  FirstObservedAt?: string;
  LastObservedAt: string;
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: AsffSeverityLabel; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: {
    Type: 'AwsEksCluster';
    Id: string;
    Partition: string;
    Region: string;
    Details: { AwsEksCluster: { Name: string; Arn: string; Version?: string } };
  }[];
  Compliance: { Status: 'PASSED' | 'WARNING' | 'FAILED' };
  Workflow: { Status: 'NEW' | 'SUPPRESSED' | 'RESOLVED' };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

/**
 * The account and region that call BatchImportFindings (the store-result Lambda's), when they
 * are not the cluster's.
 */
export interface AsffImporter {
  readonly accountId: string;
  readonly region: string;
}

/** Options of {@link asffFindings}. */
export interface AsffOptions {
  /** file the findings under this account and region; @default each cluster's own account and region */
  readonly importer?: AsffImporter;
}

/** The ASFF label of a severity (info → INFORMATIONAL). */
export function asffSeverityLabel(severity: Severity): AsffSeverityLabel {
  return severity === 'info' ? 'INFORMATIONAL' : (severity.toUpperCase() as AsffSeverityLabel);
}

/** The Security Hub Id of a cluster × check: the same in every scan. */
export function asffFindingId(clusterArn: string, checkId: string): string {
  return `${clusterArn}/fleet-dns/${checkId}`;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The remediation's documentation link, when it ends with one (catalog remediations do: "… See URL"). */
function remediationUrl(remediation: string): string | undefined {
  return /(https:\/\/\S+?)[.)]?$/.exec(remediation)?.[1];
}

function asffFinding(
  f: Finding,
  model: ReportModel,
  state: 'active' | 'resolved',
  previous: Status | undefined,
  importer: AsffImporter | undefined,
): AsffFinding {
  const c = f.check;
  const { cluster } = f;
  const partition = partitionOfRegion(cluster.region);
  const owner = importer ?? { accountId: cluster.accountId, region: cluster.region };
  const observedAt = model.scan.finishedAt ?? model.scan.startedAt;
  const url = remediationUrl(c.remediation);
  const resolved = state === 'resolved';
  const finding: AsffFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffFindingId(f.clusterArn, c.id),
    ProductArn: `arn:${partitionOfRegion(owner.region)}:securityhub:${owner.region}:${owner.accountId}:product/${owner.accountId}/default`,
    ProductName: 'fleet-dns',
    CompanyName: 'fleet-dns',
    GeneratorId: `fleet-dns/${c.id}`,
    AwsAccountId: owner.accountId,
    Region: owner.region,
    Types: [ASFF_FINDING_TYPE],
    ...(c.firstSeenAt !== undefined ? { FirstObservedAt: c.firstSeenAt } : {}),
    LastObservedAt: observedAt,
    CreatedAt: c.firstSeenAt ?? observedAt,
    UpdatedAt: observedAt,
    Severity: { Label: resolved ? 'INFORMATIONAL' : asffSeverityLabel(c.severity), Original: c.severity },
    Title: cut(`${c.id}: ${c.title ?? c.id}`, LIMITS.title),
    Description: cut(
      resolved ? `Passes again (was ${previous ?? 'FAIL'}): ${f.summary}` : `${c.status}: ${f.summary}`,
      LIMITS.description,
    ),
    Remediation: {
      Recommendation: { Text: cut(c.remediation, LIMITS.recommendation), ...(url ? { Url: url } : {}) },
    },
    ProductFields: {
      'fleet-dns/ClusterId': cluster.id,
      'fleet-dns/ScanId': f.scanId,
      'fleet-dns/CheckId': c.id,
      'fleet-dns/ClusterAccountId': cluster.accountId,
      'fleet-dns/Status': c.status,
      'fleet-dns/Muted': String(c.muted),
      ...(c.mutedReason !== undefined ? { 'fleet-dns/MutedReason': c.mutedReason } : {}),
      ...(c.lastTransitionAt !== undefined ? { 'fleet-dns/LastTransitionAt': c.lastTransitionAt } : {}),
      ...(cluster.accountName !== undefined ? { 'fleet-dns/AccountName': cluster.accountName } : {}),
    },
    Resources: [
      {
        Type: 'AwsEksCluster',
        Id: f.clusterArn,
        Partition: partition,
        Region: cluster.region,
        Details: {
          AwsEksCluster: {
            Name: cluster.name,
            Arn: f.clusterArn,
            ...(cluster.version !== undefined ? { Version: cluster.version } : {}),
          },
        },
      },
    ],
    Compliance: { Status: resolved ? 'PASSED' : c.status === 'FAIL' ? 'FAILED' : 'WARNING' },
    Workflow: { Status: resolved ? 'RESOLVED' : c.muted ? 'SUPPRESSED' : 'NEW' },
    RecordState: resolved ? 'ARCHIVED' : 'ACTIVE',
  };
  if (c.muted && !resolved)
    finding.Note = {
      Text: cut(`muted: ${c.mutedReason ?? ''}`, 512),
      UpdatedBy: 'fleet-dns',
      UpdatedAt: observedAt,
    };
  return finding;
}

/**
 * The ASFF findings of the model: every FAIL and WARN (ACTIVE), then every check that passed
 * again since the previous scan (ARCHIVED, RESOLVED). BatchImportFindings takes 100 per call:
 * the caller batches.
 */
export function asffFindings(model: ReportModel, options: AsffOptions = {}): AsffFinding[] {
  const { importer } = options;
  const active = fleetFindings(model)
    .filter((f) => f.check.status === 'FAIL' || f.check.status === 'WARN')
    .map((f) => asffFinding(f, model, 'active', undefined, importer));
  const resolved = resolutions(model).map((r) => asffFinding(r.finding, model, 'resolved', r.from, importer));
  return [...active, ...resolved];
}

/** The ASFF findings as a JSON array (the `--findings` of `aws securityhub batch-import-findings`). */
export function renderAsff(model: ReportModel): string {
  return `${JSON.stringify(asffFindings(model), null, 2)}\n`;
}
