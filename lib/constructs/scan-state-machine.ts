/**
 * The "fleet-scan" state machine, exactly as the payload contract (notes: state-machine-contract):
 *
 *   Discover → CollectRegions (Distributed Map over account×region work items read from S3,
 *   results written to S3) → per item: CollectRegion → ScanClusters (inline Map over its
 *   clusters: Dispatchable? → Dispatch → StartPolling → WaitForRunner → RunnerStatus → CountPoll
 *   → RunnerDone? (loop, bounded) → Collect → StoreResult; a runner failure is caught into
 *   $.runnerError and stored as the cluster's ERRORs) → Summarize.
 *
 * One cluster's failure never fails its item (Catch → StoreResult), and one item's failure never
 * fails the scan below the tolerated failure percentage.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { SCAN_PREFIXES } from './scan-bucket.js';

/** The Lambda errors every Task retries (the contract's list): throttling, service faults, timeouts. */
export const RETRIED_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'States.Timeout',
] as const;

export interface ScanStateMachineFunctions {
  readonly discover: lambda.IFunction;
  readonly collectRegion: lambda.IFunction;
  readonly dispatchRunner: lambda.IFunction;
  readonly runnerStatus: lambda.IFunction;
  readonly collectRunner: lambda.IFunction;
  readonly storeResult: lambda.IFunction;
  readonly summarize: lambda.IFunction;
}

export interface ScanStateMachineProps {
  readonly functions: ScanStateMachineFunctions;
  /** the work bucket: work items (ItemReader) and Map results (ResultWriter) */
  readonly bucket: s3.IBucket;
  /** Distributed Map MaxConcurrency @default 40 */
  readonly mapMaxConcurrency?: number;
  /** Distributed Map ToleratedFailurePercentage @default 10 */
  readonly toleratedFailurePercentage?: number;
  /** inline Map MaxConcurrency (clusters of one account×region) @default 4 */
  readonly clusterConcurrency?: number;
  /** seconds between status polls @default 30 */
  readonly waitSeconds?: number;
  /** polls before collecting anyway @default 40 */
  readonly maxPolls?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** A Task timeout a little over the function's own, so States.Timeout means "Lambda never answered". */
function taskTimeout(fn: lambda.IFunction): sfn.Timeout {
  const seconds = (fn as lambda.Function).timeout?.toSeconds() ?? 60;
  return sfn.Timeout.duration(Duration.seconds(seconds + 30));
}

export class ScanStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ScanStateMachineProps) {
    super(scope, id);
    const validation = [
      {
        condition: (props.maxPolls ?? 40) >= 1,
        message: `maxPolls must be at least 1, got ${props.maxPolls}`,
      },
      {
        condition: (props.waitSeconds ?? 30) >= 1,
        message: `waitSeconds must be at least 1, got ${props.waitSeconds}`,
      },
    ];
    const problems = validation.filter((v) => !v.condition).map((v) => v.message);
    if (problems.length > 0) throw new Error(`ScanStateMachine: ${problems.join('; ')}`);

    // The ResultWriter of the contract (bucket + prefix, ResultWriterV2) renders only under this flag.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const fns = props.functions;
    const invoke = (
      name: string,
      fn: lambda.IFunction,
      options: { payload?: Record<string, unknown>; resultPath?: string } = {},
    ): tasks.LambdaInvoke => {
      // payloadResponseOnly: the Task's result is the handler's output itself (the contract's
      // shapes: $.status.done, not $.status.Payload.done). Without Parameters the state's input
      // is the payload.
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: taskTimeout(fn),
        ...(options.payload ? { payload: sfn.TaskInput.fromObject(options.payload) } : {}),
        ...(options.resultPath ? { resultPath: options.resultPath } : {}),
      });
      task.addRetry({
        errors: [...RETRIED_ERRORS],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 5,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };

    // 1. Discover: the execution input ({} nightly, { scanId, clusterId? } from the API) as is.
    const discover = invoke('Discover', fns.discover);

    // 2b. One cluster.
    const storeResult = invoke('StoreResult', fns.storeResult);
    const caught = { errors: ['States.ALL'], resultPath: '$.runnerError' };
    const scanId = sfn.JsonPath.stringAt('$.scanId');
    const clusterId = sfn.JsonPath.stringAt('$.clusterId');
    const cluster = sfn.JsonPath.objectAt('$.cluster');
    const dispatch = invoke('Dispatch', fns.dispatchRunner, {
      payload: { scanId, clusterId, cluster, corednsPods: sfn.JsonPath.listAt('$.corednsPods') },
      resultPath: '$.dispatch',
    });
    dispatch.addCatch(storeResult, caught);
    const runnerStatus = invoke('RunnerStatus', fns.runnerStatus, {
      payload: { scanId, clusterId, cluster },
      resultPath: '$.status',
    });
    runnerStatus.addCatch(storeResult, caught);
    const collect = invoke('Collect', fns.collectRunner, {
      payload: { scanId, clusterId, cluster },
      resultPath: '$.collected',
    });
    collect.addCatch(storeResult, caught);

    const startPolling = new sfn.Pass(this, 'StartPolling', {
      result: sfn.Result.fromObject({ count: 0 }),
      resultPath: '$.polls',
    });
    const wait = new sfn.Wait(this, 'WaitForRunner', {
      time: sfn.WaitTime.duration(Duration.seconds(props.waitSeconds ?? 30)),
    });
    const countPoll = new sfn.Pass(this, 'CountPoll', {
      parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.count'), 1) },
      resultPath: '$.polls',
    });
    const runnerDone = new sfn.Choice(this, 'RunnerDone?')
      .when(sfn.Condition.booleanEquals('$.status.done', true), collect)
      .when(sfn.Condition.numberGreaterThanEquals('$.polls.count', props.maxPolls ?? 40), collect)
      .otherwise(wait);
    collect.next(storeResult);
    const runnerChain = dispatch
      .next(startPolling)
      .next(wait)
      .next(runnerStatus)
      .next(countPoll)
      .next(runnerDone);
    const dispatchable = new sfn.Choice(this, 'Dispatchable?')
      .when(sfn.Condition.isNull('$.cluster'), storeResult)
      .otherwise(runnerChain);

    const scanClusters = new sfn.Map(this, 'ScanClusters', {
      itemsPath: '$.clusters',
      maxConcurrency: props.clusterConcurrency ?? 4,
      resultPath: '$.stored',
    }).itemProcessor(dispatchable);

    // 2a. One account×region (a child execution of the Distributed Map).
    const collectRegion = invoke('CollectRegion', fns.collectRegion);
    const item = collectRegion.next(scanClusters);

    const collectRegions = new sfn.DistributedMap(this, 'CollectRegions', {
      // Children wait for runners (minutes): a Standard child, not Express's 5-minute cap.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      itemReader: new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt('$.workItems.bucket'),
        key: sfn.JsonPath.stringAt('$.workItems.key'),
      }),
      itemSelector: {
        scanId: sfn.JsonPath.stringAt('$.scanId'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        item: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      },
      resultWriterV2: new sfn.ResultWriterV2({
        bucket: props.bucket,
        prefix: sfn.JsonPath.format(`${SCAN_PREFIXES.scans}{}/map`, sfn.JsonPath.stringAt('$.scanId')),
      }),
      maxConcurrency: props.mapMaxConcurrency ?? 40,
      toleratedFailurePercentage: props.toleratedFailurePercentage ?? 10,
      resultPath: '$.mapResult',
    }).itemProcessor(item);

    // 3. Summarize: exactly the contract's fields.
    const summarize = invoke('Summarize', fns.summarize, {
      payload: {
        scanId: sfn.JsonPath.stringAt('$.scanId'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        mapResult: sfn.JsonPath.objectAt('$.mapResult'),
      },
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      comment: 'fleet-dns fleet scan (design.md § Flow (deployed))',
      definitionBody: sfn.DefinitionBody.fromChainable(discover.next(collectRegions).next(summarize)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.grantItemReader(props.bucket);

    NagSuppressions.addResourceSuppressions(
      this.stateMachine,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Generated by CDK where no narrower resource exists: lambda:InvokeFunction on "<function arn>:*" (the versions of the seven fleet-dns functions); ' +
            'the Distributed Map\'s child executions (states:*Execution on "execution:<this state machine>:*"); the ResultWriter\'s objects ' +
            "(its grant covers the work bucket's objects because the prefix scans/<scanId>/map is only known at run time); the work items " +
            '(scans/*/work-items.json, the scan id is in the key); and the log delivery and X-Ray actions, which have no resource-level permissions.',
          appliesTo: [
            { regex: '/^Resource::<.+\\.Arn>:\\*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:states:.*:\\*$/g' },
            { regex: '/^Resource::<.+\\.Arn>/scans/\\*.*$/g' },
            { regex: '/^Resource::arn:<AWS::Partition>:s3:::<.+>/\\*$/g' },
            'Resource::*',
          ],
        },
      ],
      true,
    );
  }

  /** The ItemReader reads `$.workItems` (bucket and key from Discover): only scans/<id>/work-items.json. */
  private grantItemReader(bucket: s3.IBucket): void {
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${SCAN_PREFIXES.scans}*/work-items.json`)],
      }),
    );
  }
}
