/**
 * The JUnit XML report for CI: a `<testsuite>` per cluster, a `<testcase>` per check. FAIL is a
 * `<failure>`, ERROR an `<error>`, SKIPPED and muted results `<skipped>` with the reason; PASS and
 * WARN pass (a WARN's summary goes to `<system-out>`, so CI shows it without failing the build).
 *
 * @see https://github.com/testmoapp/junitxml (the de-facto schema CI systems read)
 */
import { escapeAttribute, escapeMarkup } from './escape-markup.js';
import { clusterFindings } from './report-model.js';
import type { Finding, ReportModel } from './report-model.js';

/** What a testcase reports: the JUnit element for the result, if any, and its message. */
type Outcome =
  | { readonly kind: 'pass'; readonly out?: string }
  | { readonly kind: 'failure' | 'error' | 'skipped'; readonly message: string; readonly body?: string };

/** The JUnit outcome of a finding; muted wins over the status (muted is not SKIPPED, but CI must not fail on it). */
export function junitOutcome(f: Finding): Outcome {
  const c = f.check;
  if (c.muted)
    return { kind: 'skipped', message: `muted (${c.status}): ${c.mutedReason ?? 'no reason given'}` };
  const detail = `${f.summary}\n\nRemediation: ${c.remediation}`;
  switch (c.status) {
    case 'FAIL':
      return { kind: 'failure', message: f.summary, body: detail };
    case 'ERROR':
      return { kind: 'error', message: f.summary, body: detail };
    case 'SKIPPED':
      return { kind: 'skipped', message: f.summary };
    case 'WARN':
      return { kind: 'pass', out: `WARN: ${detail}` };
    case 'PASS':
      return { kind: 'pass' };
  }
}

const attr = (name: string, value: string | number) => `${name}="${escapeAttribute(String(value))}"`;

function testcase(f: Finding): string {
  const c = f.check;
  const open = `    <testcase ${attr('classname', f.cluster.id)} ${attr('name', `${c.id}${c.title ? `: ${c.title}` : ''}`)} ${attr('time', 0)}`;
  const outcome = junitOutcome(f);
  if (outcome.kind === 'pass') {
    return outcome.out === undefined
      ? `${open}/>`
      : `${open}>\n      <system-out>${escapeMarkup(outcome.out)}</system-out>\n    </testcase>`;
  }
  const type = outcome.kind === 'skipped' ? '' : ` ${attr('type', `${c.status} ${c.severity}`)}`;
  const inner =
    outcome.body === undefined
      ? `<${outcome.kind} ${attr('message', outcome.message)}/>`
      : `<${outcome.kind} ${attr('message', outcome.message)}${type}>${escapeMarkup(outcome.body)}</${outcome.kind}>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countOutcomes(findings: readonly Finding[]): SuiteCounts {
  const counts: SuiteCounts = { tests: findings.length, failures: 0, errors: 0, skipped: 0 };
  for (const f of findings) {
    const { kind } = junitOutcome(f);
    if (kind === 'failure') counts.failures += 1;
    if (kind === 'error') counts.errors += 1;
    if (kind === 'skipped') counts.skipped += 1;
  }
  return counts;
}

const countAttrs = (c: SuiteCounts) =>
  `${attr('tests', c.tests)} ${attr('failures', c.failures)} ${attr('errors', c.errors)} ${attr('skipped', c.skipped)}`;

/** The JUnit XML report of the model. */
export function renderJunit(model: ReportModel): string {
  const total: SuiteCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = model.clusters.map((result) => {
    const findings = clusterFindings(result, model.scan.id);
    const counts = countOutcomes(findings);
    for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) total[k] += counts[k];
    const cluster = result.cluster;
    const first = findings[0];
    const properties = [
      ['account_id', cluster.accountId],
      ['account_name', cluster.accountName],
      ['region', cluster.region],
      ['cluster_name', cluster.name],
      ['cluster_arn', first?.clusterArn],
      ['scan_id', result.scan?.id ?? model.scan.id],
    ]
      .filter((p): p is [string, string] => p[1] !== undefined)
      .map(([name, value]) => `      <property ${attr('name', name)} ${attr('value', value)}/>`);
    return [
      `  <testsuite ${attr('name', cluster.id)} ${countAttrs(counts)} ${attr('time', 0)} ${attr('timestamp', result.scan?.startedAt ?? model.scan.startedAt)}>`,
      '    <properties>',
      ...properties,
      '    </properties>',
      ...findings.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attr('name', `fleet-dns ${model.scan.id}`)} ${countAttrs(total)} ${attr('time', 0)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
