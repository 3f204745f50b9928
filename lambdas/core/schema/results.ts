/**
 * The one schema module for every output fleet-dns produces: check results, cluster results,
 * diagnosis, gate decisions, fleet scan summaries. Types derive from these schemas; nothing
 * re-declares them. `../shared/result.schema.json` describes the same shapes (a test checks
 * that both accept and reject the same documents).
 */
import { z } from 'zod';

export const STATUSES = ['PASS', 'FAIL', 'WARN', 'ERROR', 'SKIPPED'] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const CAUSES = [
  'healthy',
  'network-path',
  'tcp-blocked',
  'no-endpoints',
  'coredns-pod',
  'kube-proxy',
  'nodelocal-dns',
  'upstream',
  'stub-domain',
  'conntrack-race',
  'resolver-throttling',
  'conntrack-exhaustion',
  'ndots-amplification',
  'network-policy',
  'unknown',
] as const;
export const CONFIDENCES = ['confirmed', 'likely', 'risk'] as const;
export const GATE_DECISIONS = ['pass', 'fail', 'unknown'] as const;
export const GATE_REASON_CODES = [
  'no-scan',
  'stale',
  'check-failed',
  'check-error',
  'addon-incompatible',
  'warning',
] as const;

export const statusSchema = z.enum(STATUSES);
export const severitySchema = z.enum(SEVERITIES);
export const causeSchema = z.enum(CAUSES);
export const confidenceSchema = z.enum(CONFIDENCES);

export const CHECK_ID_PATTERN = /^(NET|EKS|K8S|DNS|NODE)-[A-Z0-9]+(-[A-Z0-9]+)*$/;
export const checkIdSchema = z.string().regex(CHECK_ID_PATTERN, 'not a check ID (e.g. NET-SG-DNS-UDP)');

export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
export const CLUSTER_ID_PATTERN = /^[0-9]{12}:[a-z0-9-]+:[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** RFC 3339 date-time, as JSON Schema's `format: date-time` (offset required). */
const dateTime = z.iso.datetime({ offset: true });

export const clusterIdentitySchema = z.looseObject({
  id: z.string().regex(CLUSTER_ID_PATTERN, 'cluster id must be <accountId>:<region>:<clusterName>'),
  accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'account id must be 12 digits'),
  accountName: z.string().optional(),
  region: z.string(),
  name: z.string(),
  arn: z.string().optional(),
  version: z.string().optional(),
});

export const evidenceSchema = z.looseObject({
  reason: z.string().optional(),
  notes: z.array(z.string()).optional(),
  truncated: z.boolean().optional(),
});

export const checkResultSchema = z
  .looseObject({
    id: checkIdSchema,
    title: z.string().optional(),
    status: statusSchema,
    severity: severitySchema,
    muted: z.boolean(),
    mutedReason: z.string().optional(),
    evidence: evidenceSchema,
    remediation: z.string().min(1),
    firstSeenAt: dateTime.optional(),
    lastTransitionAt: dateTime.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.status === 'ERROR' || r.status === 'SKIPPED') && r.evidence.reason === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['evidence', 'reason'],
        message: `a ${r.status} result must say why in evidence.reason`,
      });
    }
    if (r.muted && r.mutedReason === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['mutedReason'],
        message: 'a muted result must carry mutedReason',
      });
    }
  });

export const diagnosisItemSchema = z.looseObject({
  cause: causeSchema,
  confidence: confidenceSchema,
  checks: z.array(checkIdSchema),
  resources: z.array(z.string()),
  summary: z.string(),
});

export const scanRefSchema = z.looseObject({
  id: z.string(),
  startedAt: dateTime,
  finishedAt: dateTime.optional(),
});

export const clusterResultSchema = z.looseObject({
  cluster: clusterIdentitySchema,
  scan: scanRefSchema.optional(),
  checks: z.array(checkResultSchema),
  diagnosis: z.array(diagnosisItemSchema).min(1, 'diagnosis is never empty'),
});

export const gateReasonSchema = z.looseObject({
  code: z.enum(GATE_REASON_CODES),
  checkId: checkIdSchema.optional(),
  message: z.string(),
});

export const gateDecisionSchema = z.looseObject({
  decision: z.enum(GATE_DECISIONS),
  reasons: z.array(gateReasonSchema),
  scan: z.looseObject({ id: z.string(), finishedAt: dateTime }).nullable(),
});

/** Why an account, region or cluster could not be scanned (fleet coverage). */
export const coverageGapSchema = z.looseObject({
  scope: z.enum(['account', 'region', 'cluster']),
  accountId: z.string(),
  region: z.string().optional(),
  clusterId: z.string().optional(),
  reason: z.string(),
});

export const fleetCoverageSchema = z.looseObject({
  accounts: z.number().int().nonnegative(),
  regions: z.number().int().nonnegative(),
  clustersScanned: z.number().int().nonnegative(),
  gaps: z.array(coverageGapSchema),
});

/** Counts of check results by status (and severity) across a fleet scan. */
export const statusCountsSchema = z.record(statusSchema, z.number().int().nonnegative());

export const fleetSummarySchema = z.looseObject({
  scan: scanRefSchema,
  clusters: z.number().int().nonnegative(),
  byStatus: statusCountsSchema,
  bySeverity: z.record(severitySchema, statusCountsSchema),
  byCheck: z.record(checkIdSchema, statusCountsSchema),
  byCause: z.record(causeSchema, z.number().int().nonnegative()),
  regressions: z.array(
    z.looseObject({ clusterId: z.string(), checkId: checkIdSchema, from: statusSchema, to: statusSchema }),
  ),
  coverage: fleetCoverageSchema,
});

/** A fleet JSON report: `{ scan, clusters: [ClusterResult…], coverage }` (conventions.md). */
export const fleetReportSchema = z.looseObject({
  scan: scanRefSchema,
  clusters: z.array(clusterResultSchema),
  coverage: fleetCoverageSchema,
});

export type Status = z.infer<typeof statusSchema>;
export type Severity = z.infer<typeof severitySchema>;
export type Cause = z.infer<typeof causeSchema>;
export type Confidence = z.infer<typeof confidenceSchema>;
export type ClusterIdentity = z.infer<typeof clusterIdentitySchema>;
export type Evidence = z.infer<typeof evidenceSchema>;
export type CheckResult = z.infer<typeof checkResultSchema>;
export type DiagnosisItem = z.infer<typeof diagnosisItemSchema>;
export type ScanRef = z.infer<typeof scanRefSchema>;
export type ClusterResult = z.infer<typeof clusterResultSchema>;
export type GateReason = z.infer<typeof gateReasonSchema>;
export type GateDecision = z.infer<typeof gateDecisionSchema>;
export type CoverageGap = z.infer<typeof coverageGapSchema>;
export type FleetCoverage = z.infer<typeof fleetCoverageSchema>;
export type FleetSummary = z.infer<typeof fleetSummarySchema>;
export type FleetReport = z.infer<typeof fleetReportSchema>;
