import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, guardFormula, renderCsv } from '../../../../lambdas/core/report/index.js';
import { parseCsv } from '../../../support/parse-csv.js';
import { EVIDENCE_UDP, FORMULA_SUMMARY, MUTED_REASON, fleetModel } from './report-fixtures.js';

/** The value a cell should hold for a model value: itself, or `'` + itself when it would run as a formula. */
const guarded = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

describe('renderCsv', () => {
  it('writes the header the conventions name, then one row per cluster × check', () => {
    const rows = parseCsv(renderCsv(fleetModel()));
    expect(rows[0]).toEqual([
      'account_id',
      'region',
      'cluster_name',
      'cluster_arn',
      'scan_id',
      'check_id',
      'status',
      'severity',
      'muted',
      'muted_reason',
      'first_seen_at',
      'last_transition_at',
      'summary',
      'remediation',
      'account_name',
      'title',
    ]);
    expect(rows).toHaveLength(1 + 12);
  });

  it('round-trips every value of the model, quotes, commas and line breaks included', () => {
    const model = fleetModel();
    const rows = parseCsv(renderCsv(model)).slice(1);
    const expected = model.clusters.flatMap((c) =>
      c.checks.map((r) => {
        const evidence = r.evidence as { summary?: string; reason?: string };
        const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
          account_id: c.cluster.accountId,
          region: c.cluster.region,
          cluster_name: c.cluster.name,
          cluster_arn: c.cluster.arn!,
          scan_id: model.scan.id,
          check_id: r.id,
          status: r.status,
          severity: r.severity,
          muted: String(r.muted),
          muted_reason: r.mutedReason ?? '',
          first_seen_at: r.firstSeenAt ?? '',
          last_transition_at: r.lastTransitionAt ?? '',
          summary: evidence.summary ?? evidence.reason!,
          remediation: r.remediation,
          account_name: c.cluster.accountName ?? '',
          title: r.title ?? '',
        };
        return CSV_COLUMNS.map((col) => guarded(cells[col]));
      }),
    );
    expect(rows).toEqual(expected);
    // the hostile values really are in there, intact
    const byCheck = new Map(rows.map((r) => [`${r[2]} ${r[5]}`, r]));
    expect(byCheck.get('prod-a NET-SG-DNS-UDP')![12]).toBe(EVIDENCE_UDP);
    expect(byCheck.get('prod-a NET-NACL-DNS-UDP')!.slice(8, 10)).toEqual(['true', MUTED_REASON]);
    expect(byCheck.get('prod-a NET-SG-DNS-UDP')!.slice(10, 12)).toEqual([
      '2026-03-02T10:01:00Z',
      '2026-03-02T10:01:00Z',
    ]);
  });

  it('guards cells a spreadsheet would run as formulas', () => {
    const rows = parseCsv(renderCsv(fleetModel()));
    const latency = rows.find((r) => r[5] === 'DNS-LATENCY')!;
    expect(latency[12]).toBe(`'${FORMULA_SUMMARY}`);
    const vpc = rows.find((r) => r[2] === 'staging-b' && r[5] === 'NET-VPC-DNS-ATTRIBUTES')!;
    expect(vpc[12]).toBe(`'-both attributes enabled`);
    expect(rows.flat().filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['a=1', 'a=1'],
    ['', ''],
  ])('guardFormula(%j) is %j', (cell, expected) => {
    expect(guardFormula(cell)).toBe(expected);
  });

  it('ends every record with CRLF, bare LFs only inside quoted fields', () => {
    const csv = renderCsv(fleetModel());
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
  });
});
