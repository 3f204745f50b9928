/**
 * The fleet-scan state machine's shared payload parts (the payload contract,
 * ../shared state-machine-contract): S3 locations, work items, the clusters a collect-region
 * step hands to its inline Map, and the AWS-side result it stages in S3 for StoreResult.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, clusterResultSchema, coverageGapSchema } from '../core/schema/index.js';
import { dispatchRunnerEventSchema } from './dispatch-runner.js';
import { clusterApiSchema, clusterIdSchema, scanIdSchema } from './scan-payload.js';

/** An S3 object the state passes by reference (the state itself stays far under 256 KB). */
export const s3LocationSchema = z.object({
  bucket: z.string({ error: 'must be a bucket name (a string)' }).min(1, { error: 'must not be empty' }),
  key: z.string({ error: 'must be an object key (a string)' }).min(1, { error: 'must not be empty' }),
});
export type S3Location = z.infer<typeof s3LocationSchema>;

/** ISO date-time with an offset (the scan's `startedAt`). */
export const startedAtSchema = z.iso.datetime({ offset: true, error: 'must be an ISO date-time' });

/** One account×region of a scan: the Distributed Map's item. */
export const workItemSchema = z.object({
  accountId: z.string().regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit account id' }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be a region name (e.g. eu-west-1)' }),
  roleArn: z.string().startsWith('arn:', { error: 'must be an IAM role ARN' }).optional(),
  clusterNames: z.array(z.string().min(1)).optional(),
  /** eks:ListClusters' count at discovery: it ordered the items (largest first), nothing else */
  clusterCount: z.number().int().min(0).optional(),
});
export type WorkItem = z.infer<typeof workItemSchema>;

/** One cluster of a collect-region output: the inline Map's item. */
export const clusterToScanSchema = z.object({
  scanId: scanIdSchema,
  startedAt: startedAtSchema,
  clusterId: clusterIdSchema,
  /** null: do not dispatch (unreachable API, no CoreDNS pods…): straight to StoreResult */
  cluster: clusterApiSchema.nullable(),
  corednsPods: dispatchRunnerEventSchema.shape.corednsPods,
  /** the staged AWS-side result */
  awsResult: s3LocationSchema,
  /**
   * present: run dispatch, status and collect through the member-side dispatcher of this account
   * and region (a private-only endpoint in an account configured for it); absent: centrally
   */
  memberDispatch: z
    .object({
      accountId: z.string().regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit account id' }),
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be a region name' }),
    })
    .optional(),
});
export type ClusterToScan = z.infer<typeof clusterToScanSchema>;

/**
 * The AWS-side part of a cluster's result, staged at `scans/<scanId>/aws/<clusterId>.json`: a
 * ClusterResult (identity, scan, the AWS-side checks and their diagnosis) and, when the runner
 * was not dispatched, why (`runnerNotDispatched`) — StoreResult turns that into the in-cluster
 * checks' ERROR reason.
 */
export const stagedAwsResultSchema = clusterResultSchema.extend({
  runnerNotDispatched: z.string().min(1).optional(),
});
export type StagedAwsResult = z.infer<typeof stagedAwsResultSchema>;

/** Where a cluster's AWS-side result is staged. */
export function stagedAwsResultKey(scanId: string, clusterId: string): string {
  return `scans/${scanId}/aws/${clusterId}.json`;
}

/** Where a scan's work items are written. */
export function workItemsKey(scanId: string): string {
  return `scans/${scanId}/work-items.json`;
}

/**
 * Where discover stages the coverage gaps it found (accounts it could not enter): they never
 * become Map items, so summarize reads them from here (the contract's Discover output has no
 * room for them, and the state should not carry a list that grows with the fleet).
 */
export function discoveryGapsKey(scanId: string): string {
  return `scans/${scanId}/discovery-gaps.json`;
}

export const coverageGapsSchema = z.array(coverageGapSchema);

/**
 * A Step Functions error (`{ Error, Cause }`, a Catch's output or a failed Map child) as one
 * line: a Lambda error's Cause is the JSON `{ errorType, errorMessage, trace }`, anything else
 * (States.Timeout…) plain text. Bounded to 1000 characters.
 */
export function stepErrorText(error: { readonly Error?: string; readonly Cause?: string }): string {
  const name = error.Error ?? 'Error';
  let message = error.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // plain text: keep it
  }
  const text = message.trim() === '' ? name : `${name}: ${message.trim()}`;
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
