import { describe, expect, it } from 'vitest';
import {
  REPORT_FORMATS,
  UnknownReportFormatError,
  renderAsff,
  renderCsv,
  renderHtml,
  renderJson,
  renderJunit,
  renderReport,
  renderSarif,
} from '../../../../lambdas/core/report/index.js';
import type { ReportFormat } from '../../../../lambdas/core/report/index.js';
import { fleetReportSchema } from '../../../../lambdas/core/schema/index.js';
import { fleetModel } from './report-fixtures.js';

describe('renderJson', () => {
  it('is the fleet report exactly: { scan, clusters, coverage }, valid against the result schema, no previous scan', () => {
    const model = fleetModel();
    const json = JSON.parse(renderJson(model)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['scan', 'clusters', 'coverage']);
    expect(json).toEqual({ scan: model.scan, clusters: model.clusters, coverage: model.coverage });
    expect(fleetReportSchema.safeParse(json).success).toBe(true);
  });
});

describe('renderReport', () => {
  it.each([
    ['json', renderJson],
    ['csv', renderCsv],
    ['html', renderHtml],
    ['junit', renderJunit],
    ['sarif', renderSarif],
    ['asff', renderAsff],
  ] as const)('renders %s with its renderer', (format, renderer) => {
    const model = fleetModel();
    expect(renderReport(model, format)).toBe(renderer(model));
  });

  it('knows exactly the six formats', () => {
    expect(REPORT_FORMATS).toEqual(['json', 'csv', 'html', 'junit', 'sarif', 'asff']);
  });

  it('refuses a format it does not know, naming the allowed ones', () => {
    expect(() => renderReport(fleetModel(), 'table' as ReportFormat)).toThrow(UnknownReportFormatError);
    expect(() => renderReport(fleetModel(), 'table' as ReportFormat)).toThrow(
      /json, csv, html, junit, sarif, asff/,
    );
  });

  it('is deterministic: the same model renders the same text', () => {
    for (const format of REPORT_FORMATS)
      expect(renderReport(fleetModel(), format)).toBe(renderReport(fleetModel(), format));
  });
});
