/**
 * The SARIF 2.1.0 report for CI and code-scanning dashboards: one rule per check id (title, risk,
 * remediation, documentation, default severity from the catalog), one result per non-PASS
 * finding, located by logical location at the cluster ARN (there is no source file to point at).
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html
 */
import { CHECK_CATALOG } from '../catalog/index.js';
import type { CheckMetadata } from '../catalog/index.js';
import type { Severity } from '../schema/index.js';
import { fleetFindings } from './report-model.js';
import type { Finding, ReportModel } from './report-model.js';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';
/** SARIF §3.27.9: a result whose kind is not `fail` has level `none`. */
export type SarifKind = 'fail' | 'review' | 'notApplicable';

/** A SARIF level for a severity: critical/high error, medium warning, low/info note. */
export function severityLevel(severity: Severity): SarifLevel {
  return severity === 'critical' || severity === 'high'
    ? 'error'
    : severity === 'medium'
      ? 'warning'
      : 'note';
}

/**
 * The kind and level of a finding: FAIL by its severity; WARN at most `warning`; ERROR (the check
 * could not run) is `review`, SKIPPED `notApplicable`, both level `none` as §3.27.9 requires.
 */
export function sarifKindAndLevel(f: Finding): { kind: SarifKind; level: SarifLevel } {
  const { status, severity } = f.check;
  if (status === 'ERROR') return { kind: 'review', level: 'none' };
  if (status === 'SKIPPED') return { kind: 'notApplicable', level: 'none' };
  const level = severityLevel(severity);
  return { kind: 'fail', level: status === 'WARN' && level === 'error' ? 'warning' : level };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help: { text: string; markdown?: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown>;
}

function ruleOf(meta: CheckMetadata): SarifRule {
  return {
    id: meta.id,
    name: meta.id
      .toLowerCase()
      .split('-')
      .map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`)
      .join(''),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.risk },
    help: {
      text: `${meta.remediation} See ${meta.docUrl}`,
      markdown: `${meta.remediation}\n\n[Documentation](${meta.docUrl})`,
    },
    helpUri: meta.docUrl,
    defaultConfiguration: { level: severityLevel(meta.severity) },
    properties: { category: meta.category, severity: meta.severity, tags: ['dns', 'eks', meta.category] },
  };
}

/** A rule for a check id the catalog does not know (a result from a newer runner): what the result says. */
function ruleOfUnknown(f: Finding): SarifRule {
  return {
    id: f.check.id,
    name: f.check.id,
    shortDescription: { text: f.check.title ?? f.check.id },
    help: { text: f.check.remediation },
    defaultConfiguration: { level: severityLevel(f.check.severity) },
    properties: { severity: f.check.severity },
  };
}

/** The rules: the whole catalog in catalog order, then check ids seen in results the catalog lacks. */
function sarifRules(findings: readonly Finding[]): SarifRule[] {
  const rules = CHECK_CATALOG.map(ruleOf);
  const known = new Set(rules.map((r) => r.id));
  for (const f of findings) {
    if (known.has(f.check.id)) continue;
    known.add(f.check.id);
    rules.push(ruleOfUnknown(f));
  }
  return rules;
}

function sarifResult(f: Finding, ruleIndex: number): Record<string, unknown> {
  const c = f.check;
  const { kind, level } = sarifKindAndLevel(f);
  return {
    ruleId: c.id,
    ruleIndex,
    kind,
    level,
    message: { text: `${f.cluster.id}: ${c.status}: ${f.summary}` },
    locations: [
      {
        logicalLocations: [{ name: f.cluster.name, fullyQualifiedName: f.clusterArn, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'fleetDnsFinding/v1': `${f.clusterArn}|${c.id}` },
    ...(c.muted
      ? {
          suppressions: [
            { kind: 'external', status: 'accepted', justification: c.mutedReason ?? 'muted by the mutelist' },
          ],
        }
      : {}),
    properties: {
      accountId: f.cluster.accountId,
      ...(f.cluster.accountName !== undefined ? { accountName: f.cluster.accountName } : {}),
      region: f.cluster.region,
      clusterName: f.cluster.name,
      clusterArn: f.clusterArn,
      clusterId: f.cluster.id,
      scanId: f.scanId,
      checkId: c.id,
      status: c.status,
      severity: c.severity,
      muted: c.muted,
      ...(c.firstSeenAt !== undefined ? { firstSeenAt: c.firstSeenAt } : {}),
      ...(c.lastTransitionAt !== undefined ? { lastTransitionAt: c.lastTransitionAt } : {}),
      remediation: c.remediation,
      evidence: c.evidence,
    },
  };
}

/** The SARIF 2.1.0 log of the model, as indented JSON with a final newline. */
export function renderSarif(model: ReportModel): string {
  const findings = fleetFindings(model);
  const rules = sarifRules(findings);
  const indexOf = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings
    .filter((f) => f.check.status !== 'PASS')
    .map((f) => sarifResult(f, indexOf.get(f.check.id)!));
  const { scan } = model;
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'fleet-dns', rules } },
        automationDetails: { id: `fleet-dns/${scan.id}` },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: scan.startedAt,
            ...(scan.finishedAt !== undefined ? { endTimeUtc: scan.finishedAt } : {}),
          },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
