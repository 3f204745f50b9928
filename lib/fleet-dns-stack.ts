/**
 * The central stack: everything of design.md § Flow (deployed) in the scanner's account — the
 * results table, the scan bucket, the scan pipeline (functions, state machine, nightly schedule),
 * the API, the runner image, the regression event bus, alarms and a dashboard.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { COLLECTOR_ROLE_PATH } from './config.js';
import type { FleetDnsConfig } from './config.js';
import { FleetApi } from './constructs/fleet-api.js';
import { ResultsTable } from './constructs/results-table.js';
import { RunnerImage } from './constructs/runner-image.js';
import { SCAN_PREFIXES, ScanBucket } from './constructs/scan-bucket.js';
import { ScanFunction } from './constructs/scan-function.js';
import { ScanMonitoring } from './constructs/scan-monitoring.js';
import { ScanPipeline } from './constructs/scan-pipeline.js';

export interface FleetDnsStackProps extends StackProps {
  /** the configuration (readFleetDnsConfig from the app's context) */
  readonly config: FleetDnsConfig;
}

export class FleetDnsStack extends Stack {
  readonly table: ResultsTable;
  readonly bucket: ScanBucket;
  readonly eventBus: events.EventBus;
  readonly runnerImage: RunnerImage;
  readonly pipeline: ScanPipeline;
  readonly apiFunction: ScanFunction;
  readonly api: FleetApi;
  readonly monitoring: ScanMonitoring;

  constructor(scope: Construct, id: string, props: FleetDnsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.table = new ResultsTable(this, 'Results');
    this.bucket = new ScanBucket(this, 'ScanBucket', {
      scanObjectsExpireDays: config.scanObjectsExpireDays,
      evidenceExpireDays: config.evidenceExpireDays,
    });
    // Regressions (a check that got worse since the previous scan), one event each, for rules
    // that page, open tickets or post to chat.
    this.eventBus = new events.EventBus(this, 'Regressions', {
      description: 'fleet-dns regression events (source fleet-dns)',
    });
    this.runnerImage = new RunnerImage(this, 'RunnerImage');

    this.pipeline = new ScanPipeline(this, 'Scan', {
      config,
      table: this.table,
      bucket: this.bucket,
      eventBus: this.eventBus,
      runnerImageUri: this.runnerImage.imageUri,
      logRetention,
    });
    const stateMachine = this.pipeline.stateMachine.stateMachine;

    this.apiFunction = new ScanFunction(this, 'ApiHandler', {
      handlerModule: 'api',
      serviceName: 'fleet-dns-api',
      description: 'fleet-dns: the fleet API (summary, clusters, findings, scans, gate, reports)',
      memorySize: 512,
      // API Gateway answers 504 after 29 s: a longer function would only run unobserved.
      timeout: Duration.seconds(29),
      logRetention,
      environment: {
        TABLE_NAME: this.table.table.tableName,
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
      },
    });
    this.table.grantStoreRead(this.apiFunction.role);
    // The store keeps the page-cursor secret in the table and creates it on first use.
    this.table.table.grant(this.apiFunction.role, 'dynamodb:PutItem');
    stateMachine.grantStartExecution(this.apiFunction.role);
    this.apiFunction.role.addToPolicy(
      new iam.PolicyStatement({
        // Presigned URLs for offloaded evidence and reports are signed with this role.
        actions: ['s3:GetObject'],
        resources: [
          this.bucket.arnForObjects(`${SCAN_PREFIXES.evidence}*`),
          this.bucket.arnForObjects(`${SCAN_PREFIXES.reports}*`),
        ],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.apiFunction.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Reads of the table's four GSIs (index/*: the list queries) and of offloaded evidence and reports, whose keys name cluster and scan (evidence/<cluster>/<scan>/…).",
          appliesTo: [
            { regex: '/^Resource::<.+\\.Arn>/index/\\*$/g' },
            { regex: '/^Resource::<.+\\.Arn>/(evidence|reports)/\\*$/g' },
          ],
        },
      ],
      true,
    );
    this.api = new FleetApi(this, 'Api', { handler: this.apiFunction.function, logRetention });

    this.monitoring = new ScanMonitoring(this, 'Monitoring', {
      stateMachine,
      functions: {
        discover: this.pipeline.discover.function,
        collectRegion: this.pipeline.collectRegion.function,
        dispatchRunner: this.pipeline.dispatchRunner.function,
        runnerStatus: this.pipeline.runnerStatus.function,
        collectRunner: this.pipeline.collectRunner.function,
        storeResult: this.pipeline.storeResult.function,
        summarize: this.pipeline.summarize.function,
        api: this.apiFunction.function,
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'ScanBucketName', { value: this.bucket.bucket.bucketName });
    new CfnOutput(this, 'RegressionBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'RunnerImageUri', { value: this.runnerImage.imageUri });
    new CfnOutput(this, 'CollectorRolePath', {
      value: COLLECTOR_ROLE_PATH,
      description: 'member roles trust the central principals under this path',
    });
  }
}
