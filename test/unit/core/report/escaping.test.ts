/**
 * Hostile text (markup, quotes, ampersands, control characters) in the free-text fields the
 * schema allows — account name, evidence, mutelist reason, coverage gap, diagnosis — renders
 * inert in HTML and stays valid in XML and CSV. (Cluster names cannot carry markup: the cluster
 * id pattern and EKS naming rules forbid it, and buildClusterResult enforces them.)
 */
import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { buildClusterResult, buildFleetReport } from '../../../../lambdas/core/results/index.js';
import {
  escapeAttribute,
  escapeMarkup,
  renderCsv,
  renderHtml,
  renderJunit,
  renderSarif,
  reportModel,
} from '../../../../lambdas/core/report/index.js';
import { parseCsv } from '../../../support/parse-csv.js';
import { childrenNamed, parseXml } from '../../../support/parse-xml.js';

const SCRIPT = `<script>alert("x")</script>`;
const ATTRIBUTE_BREAKOUT = `" onmouseover="alert(1)" x="`;
const EVIDENCE = `${SCRIPT} ${ATTRIBUTE_BREAKOUT} & AT&T ]]> \u0007bell \u0000nul`;

function hostileModel() {
  const check = {
    ...makeResult('DNS-INTERNAL', { status: 'FAIL', evidence: { summary: EVIDENCE } }),
    muted: true,
    mutedReason: `${SCRIPT}'single' "double"`,
  };
  const cluster = buildClusterResult(
    {
      accountId: '111122223333',
      accountName: `${SCRIPT}${ATTRIBUTE_BREAKOUT}`,
      region: 'eu-west-1',
      name: 'prod-a',
    },
    [check, makeResult('K8S-DNS-SERVICE', { status: 'ERROR', evidence: { reason: SCRIPT } })],
  );
  return reportModel(
    buildFleetReport({
      scan: { id: `scan-${SCRIPT}`, startedAt: '2026-03-02T10:00:00Z', finishedAt: '2026-03-02T10:04:00Z' },
      clusters: [cluster],
      gaps: [{ scope: 'cluster', accountId: '111122223333', clusterId: SCRIPT, reason: ATTRIBUTE_BREAKOUT }],
    }),
  );
}

describe('escaping', () => {
  it.each([
    ['<script>"&\'', '&lt;script&gt;&quot;&amp;&#39;'],
    ['a\r\nb', 'a&#13;\nb'],
    ['nul\u0000 bell\u0007 \uFFFF', 'nul\uFFFD bell\uFFFD \uFFFD'],
    ['lone \uD800 surrogate', 'lone \uFFFD surrogate'],
    ['pair 😀 kept', 'pair 😀 kept'],
  ])('escapeMarkup(%j) is %j', (text, expected) => {
    expect(escapeMarkup(text)).toBe(expected);
  });

  it('escapeAttribute keeps tabs and line breaks as references', () => {
    expect(escapeAttribute('a\tb\nc')).toBe('a&#9;b&#10;c');
  });

  it('writes no markup from the model into the HTML page: one <script>-free document, only our own attributes', () => {
    const html = renderHtml(hostileModel());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onmouseover="/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // every tag in the page is one the renderer writes
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z0-9!]+)/g)].map((m) => m[1]!.toLowerCase()));
    const ours = [
      '!doctype',
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'header',
      'h1',
      'h2',
      'h3',
      'p',
      'code',
      'main',
      'section',
      'ul',
      'li',
      'span',
      'div',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'a',
      'br',
      'details',
      'summary',
      'dl',
      'dt',
      'dd',
      'strong',
    ];
    expect([...tags].filter((t) => !ours.includes(t))).toEqual([]);
  });

  it('keeps the JUnit XML well-formed and the text intact (XML-forbidden characters replaced)', () => {
    const root = parseXml(renderJunit(hostileModel()));
    const [suite] = childrenNamed(root, 'testsuite');
    const cases = childrenNamed(suite!, 'testcase');
    expect(childrenNamed(cases[0]!, 'skipped')[0]!.attributes.message).toBe(
      `muted (FAIL): ${SCRIPT}'single' "double"`,
    );
    expect(childrenNamed(cases[1]!, 'error')[0]!.attributes.message).toBe(SCRIPT);
    expect(root.attributes.name).toBe(`fleet-dns scan-${SCRIPT}`);
  });

  it('the XML check can fail: unescaped text is rejected', () => {
    expect(() => parseXml(`<a message="${SCRIPT}"/>`)).toThrow();
    expect(() => parseXml(`<a>AT&T</a>`)).toThrow(/reference|entity/);
  });

  it('keeps the CSV parseable with the hostile text intact', () => {
    const rows = parseCsv(renderCsv(hostileModel()));
    expect(rows[1]![12]).toBe(EVIDENCE);
    expect(rows[1]![14]).toBe(`${SCRIPT}${ATTRIBUTE_BREAKOUT}`);
    expect(rows[2]![12]).toBe(SCRIPT);
  });

  it('keeps SARIF valid JSON with the text intact', () => {
    const log = JSON.parse(renderSarif(hostileModel())) as {
      runs: { results: { properties: { evidence: { summary: string } } }[] }[];
    };
    expect(log.runs[0]!.results[0]!.properties.evidence.summary).toBe(EVIDENCE);
  });
});
