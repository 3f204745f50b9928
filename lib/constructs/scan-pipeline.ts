/**
 * The scan pipeline: the seven functions of the state machine, each with exactly the
 * permissions its handler uses, the "fleet-scan" state machine, and its nightly schedule
 * (EventBridge Scheduler, cron and time zone from context).
 */
import { Arn, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { COLLECTOR_ROLE_PATH } from '../config.js';
import type { FleetDnsConfig } from '../config.js';
import type { ResultsTable } from './results-table.js';
import { SCAN_PREFIXES } from './scan-bucket.js';
import type { ScanBucket } from './scan-bucket.js';
import { ScanFunction } from './scan-function.js';
import { ScanStateMachine } from './scan-state-machine.js';

/** The member-side dispatcher's timeout (both stacks: its Tasks wait 30 s longer). */
export const MEMBER_DISPATCHER_TIMEOUT = Duration.minutes(5);

export interface ScanPipelineProps {
  readonly config: FleetDnsConfig;
  readonly table: ResultsTable;
  readonly bucket: ScanBucket;
  readonly eventBus: events.IEventBus;
  /** the runner image reference (RUNNER_IMAGE of the runner handlers) */
  readonly runnerImageUri: string;
  readonly logRetention: logs.RetentionDays;
}

/** The nightly schedule's execution input: a fleet scan (the discover step makes the scan id). */
export const NIGHTLY_INPUT = {} as const;

export class ScanPipeline extends Construct {
  readonly discover: ScanFunction;
  readonly collectRegion: ScanFunction;
  readonly dispatchRunner: ScanFunction;
  readonly runnerStatus: ScanFunction;
  readonly collectRunner: ScanFunction;
  readonly storeResult: ScanFunction;
  readonly summarize: ScanFunction;
  readonly stateMachine: ScanStateMachine;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScanPipelineProps) {
    super(scope, id);
    const { config, table, bucket, eventBus } = props;
    const workBucket = bucket.bucket.bucketName;
    const common = { logRetention: props.logRetention };
    const clusterFacing = config.vpc ? { vpc: config.vpc } : {};
    const runnerEnv = { RUNNER_IMAGE: props.runnerImageUri };

    this.discover = new ScanFunction(this, 'Discover', {
      ...common,
      handlerModule: 'discover',
      serviceName: 'fleet-dns-discover',
      description: 'fleet-dns: accounts × regions → work items in S3',
      memorySize: 512,
      timeout: Duration.minutes(5),
      rolePath: COLLECTOR_ROLE_PATH,
      environment: { WORK_BUCKET: workBucket, ...scanScopeEnvironment(config) },
    });
    this.collectRegion = new ScanFunction(this, 'CollectRegion', {
      ...common,
      ...clusterFacing,
      handlerModule: 'collect-region',
      serviceName: 'fleet-dns-collect-region',
      description: 'fleet-dns: one account×region: clusters, VPCs, AWS-side checks',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      rolePath: COLLECTOR_ROLE_PATH,
      // The work item carries the role ARN; only the ExternalId to assume it with comes from here.
      environment: {
        WORK_BUCKET: workBucket,
        SCAN_EXTERNAL_ID: config.externalId,
        ...(config.memberDispatch
          ? {
              MEMBER_DISPATCH_ACCOUNTS:
                config.memberDispatch.accounts === 'all' ? 'all' : config.memberDispatch.accounts.join(','),
            }
          : {}),
      },
    });
    this.dispatchRunner = new ScanFunction(this, 'DispatchRunner', {
      ...common,
      ...clusterFacing,
      handlerModule: 'dispatch-runner',
      serviceName: 'fleet-dns-dispatch-runner',
      description: 'fleet-dns: start the in-cluster runner Jobs of one cluster',
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: runnerEnv,
    });
    this.runnerStatus = new ScanFunction(this, 'RunnerStatus', {
      ...common,
      ...clusterFacing,
      handlerModule: 'runner-status',
      serviceName: 'fleet-dns-runner-status',
      description: 'fleet-dns: poll the runner Jobs of one cluster',
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: runnerEnv,
    });
    this.collectRunner = new ScanFunction(this, 'CollectRunner', {
      ...common,
      ...clusterFacing,
      handlerModule: 'collect-runner',
      serviceName: 'fleet-dns-collect-runner',
      description: 'fleet-dns: read, verify and combine the runner results of one cluster',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: runnerEnv,
    });
    this.storeResult = new ScanFunction(this, 'StoreResult', {
      ...common,
      handlerModule: 'store-result',
      serviceName: 'fleet-dns-store-result',
      description: 'fleet-dns: store one cluster result (idempotent), publish regressions',
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: {
        TABLE_NAME: table.table.tableName,
        WORK_BUCKET: workBucket,
        EVENT_BUS_NAME: eventBus.eventBusName,
        // Only when on: the handler reads an absent variable as off.
        ...(config.securityHubExport ? { SECURITY_HUB_EXPORT: 'true' } : {}),
      },
    });
    this.summarize = new ScanFunction(this, 'Summarize', {
      ...common,
      handlerModule: 'summarize',
      serviceName: 'fleet-dns-summarize',
      description: 'fleet-dns: fleet roll-up, regressions and coverage of one scan',
      memorySize: 1024,
      timeout: Duration.minutes(5),
      // No EVENT_BUS_NAME: only storing a cluster result publishes regressions, not putScanRun.
      environment: { TABLE_NAME: table.table.tableName, WORK_BUCKET: workBucket },
    });

    this.grantPermissions(props);

    this.stateMachine = new ScanStateMachine(this, 'StateMachine', {
      functions: {
        discover: this.discover.function,
        collectRegion: this.collectRegion.function,
        dispatchRunner: this.dispatchRunner.function,
        runnerStatus: this.runnerStatus.function,
        collectRunner: this.collectRunner.function,
        storeResult: this.storeResult.function,
        summarize: this.summarize.function,
      },
      bucket: bucket.bucket,
      mapMaxConcurrency: config.mapMaxConcurrency,
      toleratedFailurePercentage: config.toleratedFailurePercentage,
      clusterConcurrency: config.clusterConcurrency,
      waitSeconds: config.waitSeconds,
      maxPolls: config.maxPolls,
      logRetention: props.logRetention,
      ...(config.memberDispatch
        ? {
            memberDispatch: {
              accounts: config.memberDispatch.accounts,
              functionName: config.memberDispatch.functionName,
              stateMachineRoleName: config.memberDispatch.stateMachineRoleName,
              // the member stack's function (lib/fleet-dns-member-stack.ts): 5 minutes
              functionTimeoutSeconds: MEMBER_DISPATCHER_TIMEOUT.toSeconds(),
            },
          }
        : {}),
    });

    this.schedule = new scheduler.Schedule(this, 'Nightly', {
      description: 'fleet-dns nightly fleet scan',
      schedule: scheduler.ScheduleExpression.expression(
        config.scheduleExpression,
        TimeZone.of(config.scheduleTimeZone),
      ),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject(NIGHTLY_INPUT),
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });
  }

  /** Each function's grants, one statement per thing its handler does. */
  private grantPermissions(props: ScanPipelineProps): void {
    const { config, table, bucket, eventBus } = props;
    const stack = Stack.of(this);
    const memberRoles = memberRoleArns(stack, config);
    for (const fn of [this.discover, this.collectRegion]) {
      fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: memberRoles }));
    }
    if (config.accounts.mode === 'organization') {
      this.discover.role.addToPolicy(
        new iam.PolicyStatement({
          // Organizations' List* actions have no resource-level permissions.
          actions: [
            'organizations:ListAccounts',
            'organizations:ListAccountsForParent',
            'organizations:ListOrganizationalUnitsForParent',
          ],
          resources: ['*'],
        }),
      );
    }
    const objects = (pattern: string): string => bucket.arnForObjects(pattern);
    this.discover.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        // the Map's items, and the accounts it could not enter (read by Summarize)
        resources: [
          objects(`${SCAN_PREFIXES.scans}*/work-items.json`),
          objects(`${SCAN_PREFIXES.scans}*/discovery-gaps.json`),
        ],
      }),
    );
    this.collectRegion.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [objects(`${SCAN_PREFIXES.scans}*/aws/*`)],
      }),
    );

    table.grantStoreReadWrite(this.storeResult.role);
    this.storeResult.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [objects(`${SCAN_PREFIXES.scans}*/aws/*`)],
      }),
    );
    this.storeResult.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [objects(`${SCAN_PREFIXES.evidence}*`)],
      }),
    );
    eventBus.grantPutEventsTo(this.storeResult.role);
    if (config.securityHubExport) {
      // With SECURITY_HUB_EXPORT (above) store-result imports every finding into this account's
      // default product: BatchImportFindings takes only the caller's own AwsAccountId there.
      this.storeResult.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['securityhub:BatchImportFindings'],
          resources: [
            Arn.format(
              { service: 'securityhub', resource: 'product', resourceName: `${stack.account}/default` },
              stack,
            ),
          ],
        }),
      );
    }

    table.grantStoreReadWrite(this.summarize.role);
    this.summarize.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        // the Map's manifest and result files, discover's account gaps, and the evidence the
        // store offloaded (getClusterScan reads it back)
        resources: [
          objects(`${SCAN_PREFIXES.scans}*/map/*`),
          objects(`${SCAN_PREFIXES.scans}*/discovery-gaps.json`),
          objects(`${SCAN_PREFIXES.evidence}*`),
        ],
      }),
    );

    const scanKeyReason =
      'The scan id is part of the key (scans/<scanId>/…), so the object ARN ends in a wildcard; each statement is limited to one kind of object.';
    for (const fn of [this.discover, this.collectRegion, this.storeResult, this.summarize]) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: `${scanKeyReason} Evidence keys name cluster and scan (evidence/<cluster>/<scan>/<check>.json). DynamoDB grants cover the table's four GSIs (index/*).`,
            appliesTo: [
              { regex: '/^Resource::<.+\\.Arn>/(scans|evidence)/.*\\*.*$/g' },
              { regex: '/^Resource::<.+\\.Arn>/index/\\*$/g' },
            ],
          },
        ],
        true,
      );
    }
    for (const fn of [this.discover, this.collectRegion]) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'sts:AssumeRole on the member scanner role (one name) in every account of the Organization: the account list is only known at run time (organization mode).',
            appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:iam::\\*:role/.+$/g' }],
          },
          {
            id: 'AwsSolutions-IAM5',
            reason: 'organizations:List* have no resource-level permissions (organization mode only).',
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }
  }
}

/**
 * discover's SCAN_* variables (lambdas/handlers/pipeline-config.ts `parseScanScopeConfig`) from
 * the context. The scanner's own account is entered through its member role too
 * (SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT): the central roles hold no EC2/EKS permission.
 */
export function scanScopeEnvironment(config: FleetDnsConfig): Record<string, string> {
  const accounts = config.accounts;
  return {
    SCAN_ACCOUNTS: accounts.mode === 'list' ? accounts.accounts.join(',') : accounts.mode,
    ...(accounts.mode === 'organization' && accounts.organizationalUnits.length > 0
      ? { SCAN_ORGANIZATIONAL_UNITS: accounts.organizationalUnits.join(',') }
      : {}),
    ...(config.excludeAccounts.length > 0 ? { SCAN_EXCLUDE_ACCOUNTS: config.excludeAccounts.join(',') } : {}),
    SCAN_REGIONS: config.regions.mode === 'list' ? config.regions.regions.join(',') : 'enabled',
    SCAN_ROLE_NAME: config.scannerRoleName,
    SCAN_EXTERNAL_ID: config.externalId,
    SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: 'true',
  };
}

/** The member scanner role in each account the configuration names ("*" in organization mode). */
export function memberRoleArns(stack: Stack, config: FleetDnsConfig): string[] {
  const arn = (account: string): string =>
    Arn.format(
      { service: 'iam', region: '', account, resource: 'role', resourceName: config.scannerRoleName },
      stack,
    );
  switch (config.accounts.mode) {
    case 'current':
      return [arn(stack.account)];
    case 'list':
      return config.accounts.accounts.map(arn);
    case 'organization':
      return [arn('*')];
  }
}
