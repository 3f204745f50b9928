/**
 * The HTML fleet page a person reads: one self-contained document (inline CSS, no script, no
 * external asset — a Content-Security-Policy forbids loading any), readable on a phone and in
 * print. Counts by status, the worst clusters first, regressions since the previous scan,
 * coverage, then every cluster in a `<details>`: its diagnosis and each non-PASS check's evidence
 * summary and remediation. Every string from the model is escaped.
 */
import type { ClusterResult, CoverageGap, DiagnosisItem, Status } from '../schema/index.js';
import { escapeMarkup } from './escape-markup.js';
import {
  clusterFindings,
  fleetStatusCounts,
  regressions,
  statusCounts,
  worstClustersFirst,
} from './report-model.js';
import type { Finding, Regression, ReportModel, StatusCounts } from './report-model.js';

/** The page's CSS: system fonts, a narrow-screen layout and a print layout; no external resource. */
const STYLE = `
:root { color-scheme: light; --fail: #b42318; --warn: #b54708; --error: #6941c6; --pass: #067647; --skip: #475467; --muted: #667085; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #101828; background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.meta { color: var(--muted); margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: 0; }
.counts li { border: 1px solid var(--line); border-radius: .5rem; padding: .4rem .8rem; min-width: 6.5rem; }
.counts .n { display: block; font-size: 1.6rem; font-weight: 700; }
.status { font-weight: 700; white-space: nowrap; }
.s-FAIL { color: var(--fail); } .s-WARN { color: var(--warn); } .s-ERROR { color: var(--error); } .s-PASS { color: var(--pass); } .s-SKIPPED, .s-MUTED { color: var(--skip); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
th { font-size: .85rem; color: var(--muted); font-weight: 600; white-space: nowrap; overflow-wrap: normal; }
.nowrap { white-space: nowrap; overflow-wrap: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
details.cluster { border: 1px solid var(--line); border-radius: .5rem; margin: .6rem 0; padding: 0 .8rem; }
details.cluster > summary { cursor: pointer; padding: .6rem 0; font-weight: 600; }
details.cluster[open] > summary { border-bottom: 1px solid var(--line); }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .6rem 0; }
dl.identity dt { color: var(--muted); } dl.identity dd { margin: 0; }
.finding { border-left: 4px solid var(--line); padding: .3rem .7rem; margin: .6rem 0; }
.finding.s-FAIL { border-color: var(--fail); } .finding.s-WARN { border-color: var(--warn); } .finding.s-ERROR { border-color: var(--error); } .finding.s-SKIPPED { border-color: var(--skip); }
.finding.is-muted { border-left-style: dashed; background: #f9fafb; }
.finding .head { color: #101828; }
.finding p { margin: .25rem 0; color: #101828; }
.summary-text { white-space: pre-wrap; }
.label { color: var(--muted); font-size: .85rem; }
.muted-reason { color: var(--skip); font-style: italic; }
ul.diagnosis { padding-left: 1.2rem; }
.empty { color: var(--muted); font-style: italic; }
@media (max-width: 40rem) {
  body { padding: .6rem; font-size: 14px; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.stack td { display: block; border: 0; padding: .1rem 0; text-align: left; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .85rem; }
  dl.identity { grid-template-columns: 1fr; } dl.identity dd { margin-bottom: .3rem; }
}
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  details.cluster { break-inside: avoid-page; border: 0; padding: 0; }
  details.cluster > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: block; }
  .scroll { overflow: visible; }
  a { color: inherit; }
}
`;

/** Escaped for HTML; line ends as LF (HTML calls a CR reference a parse error, and pre-wrap shows LF). */
const esc = (text: string) => escapeMarkup(text.replace(/\r\n?/g, '\n'));

/** Statuses in the order a reader wants them: what is wrong first. */
const STATUS_ORDER: readonly Status[] = ['FAIL', 'ERROR', 'WARN', 'SKIPPED', 'PASS'];

const statusBadge = (status: Status, muted = false) =>
  `<span class="status s-${status}">${status}</span>${muted ? ' <span class="status s-MUTED">(muted)</span>' : ''}`;

const anchorOf = (clusterId: string) => `cluster-${clusterId.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function countsSection(counts: StatusCounts): string {
  const items = STATUS_ORDER.map(
    (s) => `<li class="s-${s}" data-status="${s}"><span class="n">${counts.byStatus[s]}</span>${s}</li>`,
  );
  items.push(`<li class="s-MUTED" data-status="MUTED"><span class="n">${counts.muted}</span>muted</li>`);
  return `<section id="counts"><h2>Checks by status</h2>
<p class="meta">${counts.total} check results; muted results are counted apart whatever their status.</p>
<ul class="counts">${items.join('')}</ul></section>`;
}

function leadDiagnosis(result: ClusterResult): string {
  const lead = result.diagnosis[0];
  return lead ? `${esc(lead.cause)} <span class="label">(${esc(lead.confidence)})</span>` : '';
}

function worstClustersSection(ordered: readonly ClusterResult[]): string {
  if (ordered.length === 0)
    return `<section id="worst"><h2>Clusters</h2><p class="empty">No cluster was scanned.</p></section>`;
  const rows = ordered.map((c) => {
    const counts = statusCounts(c.checks);
    const num = (s: Status) => `<td class="num" data-label="${s}">${counts.byStatus[s]}</td>`;
    return `<tr data-cluster="${esc(c.cluster.id)}"><td data-label="Cluster"><a href="#${anchorOf(c.cluster.id)}">${esc(c.cluster.name)}</a><br><span class="label mono">${esc(c.cluster.accountId)} · ${esc(c.cluster.region)}</span></td>${num('FAIL')}${num('ERROR')}${num('WARN')}<td class="num" data-label="muted">${counts.muted}</td><td data-label="Diagnosis">${leadDiagnosis(c)}</td></tr>`;
  });
  return `<section id="worst"><h2>Clusters, worst first</h2><div class="scroll"><table class="stack">
<thead><tr><th>Cluster</th><th>FAIL</th><th>ERROR</th><th>WARN</th><th>muted</th><th>Diagnosis</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

function regressionsSection(model: ReportModel, found: readonly Regression[]): string {
  const head = '<section id="regressions"><h2>Regressions since the previous scan</h2>';
  if (model.previous === undefined)
    return `${head}<p class="empty">No previous scan to compare with.</p></section>`;
  if (found.length === 0)
    return `${head}<p class="empty">None: no check fails that did not fail in the previous scan.</p></section>`;
  const rows = found.map(
    ({ finding: f, from }) =>
      `<tr data-regression="${esc(f.cluster.id)} ${esc(f.check.id)}"><td data-label="Cluster"><a href="#${anchorOf(f.cluster.id)}">${esc(f.cluster.id)}</a></td><td data-label="Check"><code>${esc(f.check.id)}</code></td><td data-label="Was">${statusBadge(from)}</td><td data-label="Now">${statusBadge(f.check.status, f.check.muted)}</td><td data-label="Severity" class="nowrap">${esc(f.check.severity)}</td><td data-label="Summary" class="summary-text">${esc(f.summary)}</td></tr>`,
  );
  return `${head}<div class="scroll"><table class="stack">
<thead><tr><th>Cluster</th><th>Check</th><th>Was</th><th>Now</th><th>Severity</th><th>Summary</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

function gapRow(g: CoverageGap): string {
  const what = g.clusterId ?? (g.region !== undefined ? `${g.accountId} · ${g.region}` : g.accountId);
  return `<tr><td data-label="Scope" class="nowrap">${esc(g.scope)}</td><td data-label="Not scanned" class="mono">${esc(what)}</td><td data-label="Why">${esc(g.reason)}</td></tr>`;
}

function coverageSection(model: ReportModel): string {
  const { coverage } = model;
  const gaps =
    coverage.gaps.length === 0
      ? '<p class="empty">Every account, region and cluster in scope was scanned.</p>'
      : `<div class="scroll"><table class="stack"><thead><tr><th>Scope</th><th>Not scanned</th><th>Why</th></tr></thead>
<tbody>${coverage.gaps.map(gapRow).join('\n')}</tbody></table></div>`;
  return `<section id="coverage"><h2>Coverage</h2>
<ul class="counts"><li><span class="n">${coverage.accounts}</span>accounts</li><li><span class="n">${coverage.regions}</span>regions</li><li><span class="n">${coverage.clustersScanned}</span>clusters scanned</li><li><span class="n">${coverage.gaps.length}</span>not scanned</li></ul>
<h3>Not scanned, and why</h3>${gaps}</section>`;
}

function diagnosisItem(d: DiagnosisItem): string {
  const checks =
    d.checks.length > 0
      ? ` <span class="label">checks:</span> ${d.checks.map((c) => `<code>${esc(c)}</code>`).join(', ')}`
      : '';
  const resources =
    d.resources.length > 0
      ? ` <span class="label">resources:</span> ${d.resources.map((r) => `<code>${esc(r)}</code>`).join(', ')}`
      : '';
  return `<li><strong>${esc(d.cause)}</strong> <span class="label">(${esc(d.confidence)})</span>: ${esc(d.summary)}${checks}${resources}</li>`;
}

function findingBlock(f: Finding): string {
  const c = f.check;
  const times = [
    c.firstSeenAt !== undefined ? `first seen ${esc(c.firstSeenAt)}` : '',
    c.lastTransitionAt !== undefined ? `last transition ${esc(c.lastTransitionAt)}` : '',
  ].filter((t) => t !== '');
  return `<div class="finding s-${c.status}${c.muted ? ' is-muted' : ''}" data-check="${esc(c.id)}" data-status="${c.status}" data-muted="${c.muted}">
<p class="head">${statusBadge(c.status, c.muted)} <code>${esc(c.id)}</code> <span class="label">${esc(c.severity)}</span>${c.title !== undefined ? ` — ${esc(c.title)}` : ''}</p>
${c.muted ? `<p class="muted-reason">Muted: ${esc(c.mutedReason ?? '')}</p>` : ''}
<p><span class="label">Evidence:</span> <span class="summary-text evidence">${esc(f.summary)}</span></p>
<p><span class="label">Remediation:</span> <span class="remediation">${esc(c.remediation)}</span></p>
${times.length > 0 ? `<p class="label">${times.join(' · ')}</p>` : ''}</div>`;
}

function clusterSection(result: ClusterResult, model: ReportModel): string {
  const findings = clusterFindings(result, model.scan.id);
  const counts = statusCounts(result.checks);
  const notable = findings.filter((f) => f.check.status !== 'PASS');
  const passed = findings.filter((f) => f.check.status === 'PASS');
  const needsAttention = notable.some(
    (f) => !f.check.muted && (f.check.status === 'FAIL' || f.check.status === 'ERROR'),
  );
  const { cluster } = result;
  const badge = STATUS_ORDER.filter((s) => s !== 'PASS' && counts.byStatus[s] > 0)
    .map((s) => `<span class="status s-${s}">${counts.byStatus[s]} ${s}</span>`)
    .join(' ');
  const identity: [string, string | undefined][] = [
    [
      'Account',
      `${cluster.accountId}${cluster.accountName !== undefined ? ` (${cluster.accountName})` : ''}`,
    ],
    ['Region', cluster.region],
    ['ARN', findings[0]?.clusterArn ?? cluster.arn],
    ['Kubernetes', cluster.version],
    ['Scan', result.scan?.id ?? model.scan.id],
  ];
  return `<details class="cluster" id="${anchorOf(cluster.id)}" data-cluster="${esc(cluster.id)}"${needsAttention ? ' open' : ''}>
<summary>${esc(cluster.name)} <span class="label mono">${esc(cluster.id)}</span> ${badge || statusBadge('PASS')}</summary>
<dl class="identity">${identity
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `<dt>${k}</dt><dd class="mono">${esc(v)}</dd>`)
    .join('')}</dl>
<h3>Diagnosis</h3><ul class="diagnosis">${result.diagnosis.map(diagnosisItem).join('\n')}</ul>
<h3>Checks not passing (${notable.length})</h3>
${notable.length > 0 ? notable.map(findingBlock).join('\n') : '<p class="empty">Every check passed.</p>'}
${passed.length > 0 ? `<p><span class="label">Passed (${passed.length}):</span> ${passed.map((f) => `<code>${esc(f.check.id)}</code>`).join(', ')}</p>` : ''}
</details>`;
}

/** The HTML fleet page of the model: a complete, self-contained UTF-8 document. */
export function renderHtml(model: ReportModel): string {
  const { scan } = model;
  const ordered = worstClustersFirst(model);
  const title = `fleet-dns report — scan ${scan.id}`;
  const when = `started ${scan.startedAt}${scan.finishedAt !== undefined ? `, finished ${scan.finishedAt}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>DNS fleet report</h1><p class="meta">Scan <code>${esc(scan.id)}</code>, ${esc(when)} · ${model.clusters.length} clusters</p></header>
<main>
${countsSection(fleetStatusCounts(model))}
${worstClustersSection(ordered)}
${regressionsSection(model, regressions(model))}
${coverageSection(model)}
<section id="clusters"><h2>Clusters in detail</h2>
${ordered.map((c) => clusterSection(c, model)).join('\n')}
</section>
</main>
</body>
</html>
`;
}
