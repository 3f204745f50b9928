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
 *
 * With member dispatch configured, `Dispatchable?` also sends a cluster marked `memberDispatch`
 * (collect-region: a private-only endpoint in a configured account) down the same loop with
 * Member* Tasks: each invokes the member-side dispatcher of the cluster's account and region by
 * ARN (cross-account) and a Pass unwraps its Payload into the same ResultPath, so what the next
 * state reads is what the central Task would have given.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { SCAN_PREFIXES } from './scan-bucket.js';

/** The Lambda errors every Task retries (the contract's list): throttling, service faults, timeouts. */
export const RETRIED_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'States.Timeout',
] as const;

/** The retry of every Lambda Task: throttling and transient Lambda errors, backoff with full jitter. */
function taskRetry(): sfn.RetryProps {
  return {
    errors: [...RETRIED_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  };
}

export interface ScanStateMachineFunctions {
  readonly discover: lambda.IFunction;
  readonly collectRegion: lambda.IFunction;
  readonly dispatchRunner: lambda.IFunction;
  readonly runnerStatus: lambda.IFunction;
  readonly collectRunner: lambda.IFunction;
  readonly storeResult: lambda.IFunction;
  readonly summarize: lambda.IFunction;
}

/** The central side of the member-side dispatcher. */
export interface MemberDispatchProps {
  /** the accounts whose member functions may be invoked ("all": any account) */
  readonly accounts: 'all' | readonly string[];
  /** the member function's name in every account */
  readonly functionName: string;
  /** the state machine role's fixed name, which the member functions' resource policies name */
  readonly stateMachineRoleName: string;
  /** the member function's timeout in seconds (the Tasks wait 30 s longer) @default 300 */
  readonly functionTimeoutSeconds?: number;
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
  /** route clusters marked `memberDispatch` to their account's member dispatcher @default none */
  readonly memberDispatch?: MemberDispatchProps;
}

/** One route's runner steps: where each is entered and the state its answer leaves from. */
interface RunnerSteps {
  readonly dispatchIn: sfn.IChainable;
  readonly dispatchOut: sfn.INextable;
  readonly statusIn: sfn.IChainable;
  readonly statusOut: sfn.INextable;
  /** Collect is entered from the RunnerDone? Choice */
  readonly collect: sfn.State;
  readonly collectOut: sfn.INextable;
}

/** A Task timeout a little over the function's own, so States.Timeout means "Lambda never answered". */
function taskTimeout(fn: lambda.IFunction): sfn.Timeout {
  const seconds = (fn as lambda.Function).timeout?.toSeconds() ?? 60;
  return sfn.Timeout.duration(Duration.seconds(seconds + 30));
}

export class ScanStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** the state machine and, with member dispatch, its named role: where its cdk-nag suppressions go */
  private nagScope: IConstruct[] = [];

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
      task.addRetry(taskRetry());
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

    // The dispatch → wait/status loop → collect chain over three runner steps (central or member).
    const runnerLoop = (prefix: string, steps: RunnerSteps): sfn.IChainable => {
      const startPolling = new sfn.Pass(this, `${prefix}StartPolling`, {
        result: sfn.Result.fromObject({ count: 0 }),
        resultPath: '$.polls',
      });
      const wait = new sfn.Wait(this, `${prefix}WaitForRunner`, {
        time: sfn.WaitTime.duration(Duration.seconds(props.waitSeconds ?? 30)),
      });
      const countPoll = new sfn.Pass(this, `${prefix}CountPoll`, {
        parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.polls.count'), 1) },
        resultPath: '$.polls',
      });
      const runnerDone = new sfn.Choice(this, `${prefix}RunnerDone?`)
        .when(sfn.Condition.booleanEquals('$.status.done', true), steps.collect)
        .when(sfn.Condition.numberGreaterThanEquals('$.polls.count', props.maxPolls ?? 40), steps.collect)
        .otherwise(wait);
      steps.collectOut.next(storeResult);
      steps.dispatchOut.next(startPolling).next(wait).next(steps.statusIn);
      steps.statusOut.next(countPoll).next(runnerDone);
      return steps.dispatchIn;
    };
    const runnerChain = runnerLoop('', {
      dispatchIn: dispatch,
      dispatchOut: dispatch,
      statusIn: runnerStatus,
      statusOut: runnerStatus,
      collect,
      collectOut: collect,
    });
    const dispatchable = new sfn.Choice(this, 'Dispatchable?').when(
      sfn.Condition.isNull('$.cluster'),
      storeResult,
    );
    if (props.memberDispatch) {
      const member = this.memberSteps(props.memberDispatch, storeResult, caught);
      dispatchable.when(sfn.Condition.isPresent('$.memberDispatch'), runnerLoop('Member', member));
    }
    dispatchable.otherwise(runnerChain);

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
    // The member functions' resource policies name this role: with member dispatch it has a fixed name.
    const role = props.memberDispatch
      ? new iam.Role(this, 'Role', {
          roleName: props.memberDispatch.stateMachineRoleName,
          assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
          description: 'fleet-dns fleet-scan state machine (invokes the member-side dispatchers)',
        })
      : undefined;
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      ...(role ? { role } : {}),
      comment: 'fleet-dns fleet scan (design.md § Flow (deployed))',
      definitionBody: sfn.DefinitionBody.fromChainable(discover.next(collectRegions).next(summarize)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // A role given to the state machine is not its child: the suppressions go on it too.
    this.nagScope = role ? [this.stateMachine, role] : [this.stateMachine];
    this.grantItemReader(props.bucket);
    if (props.memberDispatch) this.grantMemberInvoke(props.memberDispatch);

    NagSuppressions.addResourceSuppressions(
      this.nagScope,
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

  /**
   * The three member Tasks and the Passes that unwrap their Payload. Each invokes
   * `arn:<partition>:lambda:<region>:<account>:function:<name>` of the cluster's
   * `$.memberDispatch` with `{ operation, ...the central Task's payload }` (the member handler's
   * schema), through the lambda:invoke integration (the only one that takes a function ARN from
   * the state), with the central Tasks' retries, timeout and Catch.
   */
  private memberSteps(
    config: MemberDispatchProps,
    storeResult: sfn.IChainable,
    caught: sfn.CatchProps,
  ): RunnerSteps {
    const functionArn = sfn.JsonPath.format(
      `arn:${Stack.of(this).partition}:lambda:{}:{}:function:${config.functionName}`,
      sfn.JsonPath.stringAt('$.memberDispatch.region'),
      sfn.JsonPath.stringAt('$.memberDispatch.accountId'),
    );
    const timeoutSeconds = (config.functionTimeoutSeconds ?? 300) + 30;
    const step = (
      name: string,
      operation: 'dispatch' | 'status' | 'collect',
      resultPath: string,
    ): { task: sfn.CustomState; unwrap: sfn.Pass } => {
      const task = new sfn.CustomState(this, name, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${Stack.of(this).partition}:states:::lambda:invoke`,
          TimeoutSeconds: timeoutSeconds,
          Parameters: {
            'FunctionName.$': functionArn,
            Payload: {
              operation,
              'scanId.$': '$.scanId',
              'clusterId.$': '$.clusterId',
              'cluster.$': '$.cluster',
              ...(operation === 'dispatch' ? { 'corednsPods.$': '$.corednsPods' } : {}),
            },
          },
          // Only the handler's answer, not the invoke's status and headers.
          ResultSelector: { 'Payload.$': '$.Payload' },
          ResultPath: resultPath,
        },
      });
      task.addRetry(taskRetry());
      task.addCatch(storeResult, caught);
      const unwrap = new sfn.Pass(this, `${name}Output`, {
        inputPath: `${resultPath}.Payload`,
        resultPath,
      });
      task.next(unwrap);
      return { task, unwrap };
    };
    const dispatch = step('MemberDispatch', 'dispatch', '$.dispatch');
    const status = step('MemberRunnerStatus', 'status', '$.status');
    const collect = step('MemberCollect', 'collect', '$.collected');
    return {
      dispatchIn: dispatch.task,
      dispatchOut: dispatch.unwrap,
      statusIn: status.task,
      statusOut: status.unwrap,
      collect: collect.task,
      collectOut: collect.unwrap,
    };
  }

  /** lambda:InvokeFunction on exactly the member dispatcher's name in the configured accounts. */
  private grantMemberInvoke(config: MemberDispatchProps): void {
    const stack = Stack.of(this);
    const accounts = config.accounts === 'all' ? ['*'] : config.accounts;
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: accounts.map((account) =>
          stack.formatArn({
            service: 'lambda',
            region: '*',
            account,
            resource: 'function',
            resourceName: config.functionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.nagScope,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The member-side dispatcher (one function name) in any region of the configured member accounts (every account when fleet-dns:memberDispatcher is true): which account and region a private-only cluster is in is only known at run time.',
          appliesTo: [
            {
              regex: `/^Resource::arn:<AWS::Partition>:lambda:\\*:(\\*|[0-9]{12}):function:${config.functionName}$/g`,
            },
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
