/**
 * The HTML fleet page read the way a person reads it: rendered in headless Chromium (Debian's
 * `chromium`, driven by playwright-core), with every network request blocked and recorded.
 * Skips with a printed reason when Chromium is missing; fails under CI=true.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from '../../../../lambdas/core/report/index.js';
import { CHROMIUM, CHROMIUM_PATH, prerequisites } from '../../../support/prerequisites.js';
import { ACCOUNT_NAME, EVIDENCE_UDP, GAP_REASON, MUTED_REASON, fleetModel } from './report-fixtures.js';

const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.runIf(prerequisites(CHROMIUM))('renderHtml in Chromium', () => {
  let browser: Browser;
  let page: Page;
  /** Every request the page tried, data: URLs aside (those are the page's own content). */
  const requests: string[] = [];
  const model = fleetModel();
  const html = renderHtml(model);

  /** A fresh page on which every request but data: is recorded and aborted. */
  async function isolatedPage(width = 1280, height = 900): Promise<Page> {
    const p = await browser.newPage({ viewport: { width, height } });
    await p.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:')) return route.continue();
      requests.push(url);
      return route.abort('blockedbyclient');
    });
    p.on('request', (request) => {
      if (!request.url().startsWith('data:') && !requests.includes(request.url()))
        requests.push(request.url());
    });
    return p;
  }

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await isolatedPage();
    await page.setContent(html, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the counts by status', async () => {
    const count = (status: string) => page.locator(`#counts li[data-status="${status}"] .n`).innerText();
    expect({
      FAIL: await count('FAIL'),
      ERROR: await count('ERROR'),
      WARN: await count('WARN'),
      SKIPPED: await count('SKIPPED'),
      PASS: await count('PASS'),
      MUTED: await count('MUTED'),
    }).toEqual({ FAIL: '2', ERROR: '1', WARN: '1', SKIPPED: '1', PASS: '6', MUTED: '1' });
  });

  it('lists the clusters worst first', async () => {
    const order = await page
      .locator('#worst tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster')));
    expect(order).toEqual([
      '111122223333:eu-west-1:prod-a',
      '444455556666:us-east-1:staging-b',
      '111122223333:eu-west-1:dev-c',
    ]);
  });

  it("shows a failing cluster's evidence and remediation, open without a click", async () => {
    const finding = page.locator(
      'details[data-cluster="111122223333:eu-west-1:prod-a"] .finding[data-check="NET-SG-DNS-UDP"]',
    );
    await expect(finding.isVisible()).resolves.toBe(true);
    expect(await finding.locator('.evidence').innerText()).toBe(EVIDENCE_UDP.replace(/\r\n/g, '\n'));
    const udp = model.clusters[0]!.checks.find((c) => c.id === 'NET-SG-DNS-UDP')!;
    expect(await finding.locator('.remediation').innerText()).toBe(udp.remediation);
    expect(await finding.innerText()).toContain('first seen 2026-03-02T10:01:00Z');
  });

  it('shows the account name as text', async () => {
    expect(
      await page.locator('details[data-cluster="111122223333:eu-west-1:prod-a"] dl.identity').innerText(),
    ).toContain(ACCOUNT_NAME);
  });

  it('lists the regressions since the previous scan, and no check that was failing already', async () => {
    const rows = await page
      .locator('#regressions tbody tr')
      .evaluateAll((trs) => trs.map((r) => r.getAttribute('data-regression')));
    expect(rows).toEqual([
      '111122223333:eu-west-1:prod-a NET-SG-DNS-UDP',
      '444455556666:us-east-1:staging-b DNS-LATENCY',
    ]);
    expect(await page.locator('#regressions tbody tr').first().innerText()).toMatch(/PASS\s+FAIL/);
  });

  it('shows a muted finding with its reason', async () => {
    const muted = page.locator('.finding[data-check="NET-NACL-DNS-UDP"]');
    expect(await muted.getAttribute('data-muted')).toBe('true');
    expect(await muted.locator('.muted-reason').innerText()).toBe(`Muted: ${MUTED_REASON}`);
  });

  it('shows coverage: counts and what was not scanned, and why', async () => {
    const coverage = await page.locator('#coverage').innerText();
    expect(coverage).toContain(GAP_REASON);
    expect(coverage).toContain('111122223333:ap-south-1:batch-x');
    expect(coverage).toMatch(/2\s+accounts/);
    expect(coverage).toMatch(/3\s+clusters scanned/);
  });

  it('shows each cluster diagnosis', async () => {
    const diagnosis = await page
      .locator('details[data-cluster="111122223333:eu-west-1:prod-a"] ul.diagnosis')
      .innerText();
    expect(diagnosis).toContain(model.clusters[0]!.diagnosis[0]!.cause);
  });

  it('made no request at all: no external asset, and the hostile text stayed text', async () => {
    expect(requests).toEqual([]);
    expect(await page.title()).toBe('fleet-dns report — scan scan-2');
    expect(await page.evaluate<number[]>('[document.scripts.length, document.images.length]')).toEqual([
      0, 0,
    ]);
  });

  it('stays inert without its Content-Security-Policy: the escaping, not the policy, keeps it safe', async () => {
    const bare = await isolatedPage();
    await bare.setContent(html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), {
      waitUntil: 'load',
    });
    expect(await bare.title()).toBe('fleet-dns report — scan scan-2');
    expect(await bare.evaluate<number[]>('[document.scripts.length, document.images.length]')).toEqual([
      0, 0,
    ]);
    expect(requests).toEqual([]);
    await bare.close();
  });

  it('reads on a phone without horizontal scrolling, and saves screenshots', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('report.png', ARTIFACTS).pathname, fullPage: true });
    const phone = await isolatedPage(390, 844);
    await phone.setContent(html, { waitUntil: 'load' });
    const [scrollWidth, innerWidth] = await phone.evaluate<[number, number]>(
      '[document.documentElement.scrollWidth, window.innerWidth]',
    );
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await phone.screenshot({ path: new URL('report-phone.png', ARTIFACTS).pathname, fullPage: true });
    await phone.close();
  });

  it('prints every cluster in full, closed details included', async () => {
    await page.emulateMedia({ media: 'print' });
    const dev = page.locator('details[data-cluster="111122223333:eu-west-1:dev-c"]');
    expect(await dev.getAttribute('open')).toBeNull();
    await expect(dev.locator('ul.diagnosis').isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await expect(dev.locator('ul.diagnosis').isVisible()).resolves.toBe(false);
  });
});
