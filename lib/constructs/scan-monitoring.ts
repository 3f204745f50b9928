/**
 * What tells an operator the nightly scan is not doing its job: alarms on failed executions,
 * Lambda errors and throttles, and a scan older than 36 hours (no execution succeeded in 36 h:
 * the nightly one was missed or failed twice), plus one dashboard with the same metrics.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ScanMonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  /** the functions watched, by a short name (metric ids must be lower camel case) */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** a scan older than this is stale @default 36 */
  readonly staleAfterHours?: number;
}

export class ScanMonitoring extends Construct {
  readonly failedExecutions: cloudwatch.Alarm;
  readonly lambdaErrors: cloudwatch.Alarm;
  readonly lambdaThrottles: cloudwatch.Alarm;
  readonly staleScan: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ScanMonitoringProps) {
    super(scope, id);
    const staleHours = props.staleAfterHours ?? 36;
    // 6 periods: each ≥ 1 h, so the evaluation range may reach 7 days (CloudWatch's limit).
    const stalePeriods = 6;
    if (!Number.isInteger(staleHours / stalePeriods) || staleHours < stalePeriods)
      throw new Error(
        `ScanMonitoring: staleAfterHours must be a multiple of ${stalePeriods}, got ${staleHours}`,
      );
    const names = Object.keys(props.functions);
    if (names.length > 10)
      throw new Error(`ScanMonitoring: at most 10 functions per alarm expression, got ${names.length}`);

    this.failedExecutions = new cloudwatch.Alarm(this, 'FailedExecutions', {
      alarmDescription: 'A fleet scan execution failed, timed out or was aborted.',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: props.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const sumOver = (metric: (fn: lambda.IFunction) => cloudwatch.Metric): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: names.join(' + '),
        usingMetrics: Object.fromEntries(names.map((n) => [n, metric(props.functions[n]!)])),
        period: Duration.minutes(5),
      });
    this.lambdaErrors = new cloudwatch.Alarm(this, 'LambdaErrors', {
      alarmDescription: 'A fleet-dns Lambda function failed (after its own error handling).',
      metric: sumOver((fn) => fn.metricErrors({ statistic: 'Sum' })),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lambdaThrottles = new cloudwatch.Alarm(this, 'LambdaThrottles', {
      alarmDescription: 'A fleet-dns Lambda function was throttled (account concurrency).',
      metric: sumOver((fn) => fn.metricThrottles({ statistic: 'Sum' })),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // "No execution succeeded in any of the last 6 × (36/6) h": missing data is a missed scan.
    this.staleScan = new cloudwatch.Alarm(this, 'StaleScan', {
      alarmDescription: `The newest successful fleet scan is older than ${staleHours} hours.`,
      metric: props.stateMachine.metricSucceeded({
        statistic: 'Sum',
        period: Duration.hours(staleHours / stalePeriods),
      }),
      threshold: 1,
      evaluationPeriods: stalePeriods,
      datapointsToAlarm: stalePeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'fleet-dns alarms',
            alarms: [this.failedExecutions, this.lambdaErrors, this.lambdaThrottles, this.staleScan],
            width: 24,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Fleet scan executions',
            left: [
              props.stateMachine.metricSucceeded({ statistic: 'Sum', period: Duration.hours(1) }),
              props.stateMachine.metricFailed({ statistic: 'Sum', period: Duration.hours(1) }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: names.map((n) => props.functions[n]!.metricErrors({ statistic: 'Sum', label: n })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda duration p99',
            left: names.map((n) => props.functions[n]!.metricDuration({ statistic: 'p99', label: n })),
            width: 8,
          }),
        ],
      ],
    });
  }
}
