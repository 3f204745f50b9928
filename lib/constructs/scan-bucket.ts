/**
 * The scan bucket: work items, staged AWS-side results and Distributed Map results under
 * `scans/<scanId>/` (short-lived), offloaded evidence under `evidence/`, packet captures under
 * `pcaps/`, rendered reports under `reports/` (kept as long as the history that refers to them).
 * Encrypted, never public, TLS only; its access log goes to a second bucket.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** The bucket's key prefixes: what each holds decides how long it is kept. */
export const SCAN_PREFIXES = {
  /** work items, staged AWS-side results, Map results of one scan: read within the scan */
  scans: 'scans/',
  /** evidence offloaded from stored results (lambdas/store/evidence-offload.ts) */
  evidence: 'evidence/',
  pcaps: 'pcaps/',
  reports: 'reports/',
} as const;

export interface ScanBucketProps {
  /** @default 14 */
  readonly scanObjectsExpireDays?: number;
  /** evidence, pcaps, reports @default 400 */
  readonly evidenceExpireDays?: number;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class ScanBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ScanBucketProps = {}) {
    super(scope, id);
    const scanDays = props.scanObjectsExpireDays ?? 14;
    const keepDays = props.evidenceExpireDays ?? 400;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Log delivery by bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled: owner enforced).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(keepDays) }],
      removalPolicy,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogs, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket of the scan bucket; logging it into itself would loop.',
      },
    ]);

    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'scan-bucket/',
      lifecycleRules: [
        { id: 'expire-scan-objects', prefix: SCAN_PREFIXES.scans, expiration: Duration.days(scanDays) },
        { id: 'expire-evidence', prefix: SCAN_PREFIXES.evidence, expiration: Duration.days(keepDays) },
        { id: 'expire-pcaps', prefix: SCAN_PREFIXES.pcaps, expiration: Duration.days(keepDays) },
        { id: 'expire-reports', prefix: SCAN_PREFIXES.reports, expiration: Duration.days(keepDays) },
        // Distributed Map's ResultWriter uploads in parts; a failed run must not leave parts billed forever.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
  }

  /** `arn:…:bucket/<pattern>` for grants on one prefix. */
  arnForObjects(pattern: string): string {
    return this.bucket.arnForObjects(pattern);
  }
}
