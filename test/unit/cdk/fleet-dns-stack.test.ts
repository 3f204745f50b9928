/**
 * The central stack with the default context (cdk.json's values): table, bucket, functions,
 * IAM, API, schedule, alarms, and cdk-nag. Synthesized once (bundling skipped, see
 * test/support/cdk-app.ts).
 */
import { Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../lib/constructs/fleet-api.js';
import { dynamoTableDefinition, TTL_ATTRIBUTE } from '../../../lambdas/store/dynamodb/dynamo-table.js';
import type { FleetDnsStack } from '../../../lib/fleet-dns-stack.js';
import { synthCentral } from '../../support/cdk-app.js';
import type { Synthesized } from '../../support/cdk-app.js';
import { iamStatements } from '../../support/iam-statements.js';
import type { FlatStatement } from '../../support/iam-statements.js';
import { WILDCARD_RESOURCE_ACTIONS } from './wildcard-resources.js';

let synth: Synthesized<FleetDnsStack>;
let statements: FlatStatement[];

beforeAll(() => {
  synth = synthCentral();
  statements = iamStatements(synth.template);
}, 240_000);

const roleId = (role: iam.IRole): string =>
  Stack.of(role).getLogicalId(role.node.defaultChild as unknown as CfnElement);

describe('the results table', () => {
  it('is the store’s table: keys and GSIs from dynamoTableDefinition, TTL on the store’s attribute', () => {
    const { createTable } = dynamoTableDefinition('x');
    synth.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: createTable.KeySchema,
      AttributeDefinitions: Match.arrayWith(
        createTable.AttributeDefinitions!.map((a) => Match.objectLike(a)),
      ),
      GlobalSecondaryIndexes: createTable.GlobalSecondaryIndexes!.map((g) =>
        Match.objectLike({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('is on-demand, with PITR, deletion protection and a KMS key, and retained on stack deletion', () => {
    synth.template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });
});

describe('the scan bucket', () => {
  it('is encrypted, never public, versionless, logged, with an expiry per prefix', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'scan-bucket/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'scans/', ExpirationInDays: 14, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'evidence/', ExpirationInDays: 400 }),
          Match.objectLike({ Prefix: 'pcaps/', ExpirationInDays: 400 }),
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 400 }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
  });

  it('refuses requests without TLS (both buckets)', () => {
    const policies = synth.template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies))
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });
});

/** name → memory (MB), timeout (s), the environment variables beyond Powertools'. */
const FUNCTIONS: Record<string, { memory: number; timeout: number; env: readonly string[] }> = {
  'fleet-dns-discover': {
    memory: 512,
    timeout: 300,
    // lambdas/handlers/pipeline-config.ts; no SCAN_EXCLUDE_ACCOUNTS / SCAN_ORGANIZATIONAL_UNITS when empty
    env: [
      'WORK_BUCKET',
      'SCAN_ACCOUNTS',
      'SCAN_REGIONS',
      'SCAN_ROLE_NAME',
      'SCAN_EXTERNAL_ID',
      'SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT',
    ],
  },
  'fleet-dns-collect-region': {
    memory: 1024,
    timeout: 900,
    env: ['WORK_BUCKET', 'SCAN_EXTERNAL_ID'],
  },
  'fleet-dns-dispatch-runner': { memory: 512, timeout: 120, env: ['RUNNER_IMAGE'] },
  'fleet-dns-runner-status': { memory: 256, timeout: 60, env: ['RUNNER_IMAGE'] },
  'fleet-dns-collect-runner': { memory: 1024, timeout: 300, env: ['RUNNER_IMAGE'] },
  'fleet-dns-store-result': {
    memory: 512,
    timeout: 120,
    env: ['TABLE_NAME', 'WORK_BUCKET', 'EVENT_BUS_NAME'],
  },
  'fleet-dns-summarize': { memory: 1024, timeout: 300, env: ['TABLE_NAME', 'WORK_BUCKET'] },
  'fleet-dns-api': { memory: 512, timeout: 29, env: ['TABLE_NAME', 'STATE_MACHINE_ARN'] },
};
const POWERTOOLS_ENV = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
];

describe('the functions', () => {
  it('are exactly the eight handlers', () => {
    const names = Object.values(synth.template.findResources('AWS::Lambda::Function')).map(
      (f) =>
        (f.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables
          .POWERTOOLS_SERVICE_NAME,
    );
    expect(names.sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it.each(Object.entries(FUNCTIONS))(
    '%s: nodejs22.x on arm64, its memory, timeout and environment',
    (name, spec) => {
      const [fn] = Object.values(
        synth.template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: name } } },
        }),
      );
      const props = fn!.Properties as {
        Runtime: string;
        Architectures: string[];
        MemorySize: number;
        Timeout: number;
        Handler: string;
        TracingConfig: { Mode: string };
        LoggingConfig: { LogGroup: unknown };
        Environment: { Variables: Record<string, unknown> };
      };
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.MemorySize).toBe(spec.memory);
      expect(props.Timeout).toBe(spec.timeout);
      expect(props.Handler).toBe('index.handler');
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.LoggingConfig.LogGroup).toBeDefined();
      expect(Object.keys(props.Environment.Variables).sort()).toEqual(
        [...POWERTOOLS_ENV, ...spec.env].sort(),
      );
      expect(props.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('fleet-dns');
    },
  );

  it('logs to groups with the configured retention (90 days)', () => {
    const groups = Object.values(synth.template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(10); // 8 functions, the state machine, the API's access log
    for (const g of groups) expect((g.Properties as { RetentionInDays: number }).RetentionInDays).toBe(90);
  });

  it('get the runner image and the discovery scope from the configuration', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'fleet-dns-discover',
          SCAN_ACCOUNTS: 'current',
          SCAN_REGIONS: 'enabled',
          SCAN_ROLE_NAME: 'fleet-dns-scanner',
          SCAN_EXTERNAL_ID: 'fleet-dns',
          SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: 'true',
        }),
      },
    });
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'fleet-dns-dispatch-runner',
          RUNNER_IMAGE: {
            'Fn::Sub': Match.stringLikeRegexp('dkr\\.ecr\\..*container-assets.*:[0-9a-f]{64}$'),
          },
        }),
      },
    });
  });
});

describe('IAM', () => {
  it('names no wildcard action', () => {
    const wild = statements.flatMap((s) => s.actions.filter((a) => a.includes('*')));
    expect(wild).toEqual([]);
  });

  it('uses "*" resources only for actions without resource-level permissions (each listed with its reason)', () => {
    const starred = statements.filter((s) => s.resources.includes('*'));
    expect(starred.length).toBeGreaterThan(0);
    const unexplained = starred.flatMap((s) => s.actions.filter((a) => !(a in WILDCARD_RESOURCE_ACTIONS)));
    expect(unexplained).toEqual([]);
  });

  it('attaches no managed policy but the API Gateway logging role’s', () => {
    const roles = synth.template.findResources('AWS::IAM::Role');
    const managed = Object.entries(roles).flatMap(([id, r]) =>
      ((r.Properties as { ManagedPolicyArns?: unknown[] }).ManagedPolicyArns ?? []).map(
        (arn) => `${id} ${JSON.stringify(arn)}`,
      ),
    );
    expect(managed).toHaveLength(1);
    expect(managed[0]).toMatch(/^ApiCloudWatchRole.*AmazonAPIGatewayPushToCloudWatchLogs/);
  });

  it('gives the runner functions nothing beyond their logs and traces (the EKS token needs no permission)', () => {
    const { pipeline } = synth.stack;
    for (const fn of [pipeline.dispatchRunner, pipeline.runnerStatus, pipeline.collectRunner]) {
      const actions = statements.filter((s) => s.roles.includes(roleId(fn.role))).flatMap((s) => s.actions);
      expect(actions.sort()).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].sort(),
      );
    }
  });

  it('lets discover and collect-region assume only the member scanner role, from the collector path', () => {
    const { pipeline } = synth.stack;
    for (const fn of [pipeline.discover, pipeline.collectRegion]) {
      const assume = statements.filter(
        (s) => s.roles.includes(roleId(fn.role)) && s.actions.includes('sts:AssumeRole'),
      );
      expect(assume).toHaveLength(1);
      expect(assume[0]!.resources).toEqual([
        {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/fleet-dns-scanner']],
        },
      ]);
      synth.template.hasResourceProperties('AWS::IAM::Role', {
        Path: '/fleet-dns/collector/',
        Description: `fleet-dns ${fn === pipeline.discover ? 'fleet-dns-discover' : 'fleet-dns-collect-region'}`,
      });
    }
  });

  it('grants each function’s S3 use on its own kind of object', () => {
    const { pipeline } = synth.stack;
    const uses = (fn: { role: iam.IRole }): string[] =>
      statements
        .filter((s) => s.roles.includes(roleId(fn.role)) && s.actions.some((a) => a.startsWith('s3:')))
        .map(
          (s) =>
            `${s.actions.join(',')} ${JSON.stringify(s.resources)
              .match(/\/(scans|evidence|reports)\/[^"]*/g)
              ?.join(' ')}`,
        );
    expect(uses(pipeline.discover)).toEqual([
      's3:PutObject /scans/*/work-items.json /scans/*/discovery-gaps.json',
    ]);
    expect(uses(pipeline.collectRegion)).toEqual(['s3:PutObject /scans/*/aws/*']);
    expect(uses(pipeline.storeResult).sort()).toEqual([
      's3:GetObject /scans/*/aws/*',
      's3:PutObject,s3:GetObject /evidence/*',
    ]);
    expect(uses(pipeline.summarize)).toEqual([
      's3:GetObject /scans/*/map/* /scans/*/discovery-gaps.json /evidence/*',
    ]);
    expect(uses(synth.stack.apiFunction)).toEqual(['s3:GetObject /evidence/* /reports/*']);
  });

  it('gives the store’s writers GetItem/BatchGetItem/Query/PutItem/UpdateItem on the table and its indexes, nothing else', () => {
    const { pipeline } = synth.stack;
    for (const fn of [pipeline.storeResult, pipeline.summarize]) {
      const dynamo = statements.filter(
        (s) => s.roles.includes(roleId(fn.role)) && s.actions.some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.flatMap((s) => s.actions).sort()).toEqual(
        [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ].sort(),
      );
      expect(JSON.stringify(dynamo[0]!.resources)).toContain('/index/*');
    }
  });

  it('lets only the api, the schedule and the Distributed Map (its child executions) start executions', () => {
    const starters = statements
      .filter((s) => s.actions.includes('states:StartExecution'))
      .map((s) => s.holder);
    expect(starters).toHaveLength(3);
    expect(
      starters.filter((h) =>
        /^(ApiHandlerRole|SchedulerRoleForTarget|ScanStateMachineDistributedMapPolicy)/.test(h),
      ),
    ).toHaveLength(3);
  });

  it('lets store-result publish to the regression bus only', () => {
    const put = statements.filter((s) => s.actions.includes('events:PutEvents'));
    expect(put).toHaveLength(1);
    expect(put[0]!.holder).toMatch(/^ScanStoreResultRole/);
    expect(put[0]!.resources).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Regressions/), 'Arn'] }]);
  });
});

describe('the API', () => {
  it('has every route of the api handler, each method AWS_IAM-authorized and validated', () => {
    const methods = Object.values(synth.template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(API_ROUTES.length);
    for (const m of methods) {
      const p = m.Properties as {
        AuthorizationType: string;
        RequestValidatorId?: unknown;
        HttpMethod: string;
      };
      expect(p.AuthorizationType).toBe('AWS_IAM');
      expect(p.RequestValidatorId).toBeDefined();
    }
    synth.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('validates POST /scans against the start-scan body model', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': Match.anyValue() },
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({
        additionalProperties: false,
        properties: { clusterId: Match.objectLike({ type: 'string' }) },
      }),
    });
  });

  it('logs access as JSON, throttles the stage, keeps bodies out of the execution log', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          LoggingLevel: 'INFO',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ],
    });
  });
});

describe('the nightly schedule', () => {
  it('starts the state machine with {} on the configured cron and time zone', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^ScanStateMachine') },
        Input: '{}',
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
  });
});

describe('alarms and dashboard', () => {
  it('alarm on failed executions, Lambda errors, throttles (all eight functions) and a scan older than 36 h', () => {
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as Record<string, unknown>,
    );
    expect(alarms).toHaveLength(4);
    const byDescription = (re: RegExp) => alarms.find((a) => re.test(String(a.AlarmDescription)))!;
    const failed = byDescription(/execution failed/);
    expect(JSON.stringify(failed.Metrics)).toContain('ExecutionsFailed');
    expect(JSON.stringify(failed.Metrics)).toContain('ExecutionsTimedOut');
    for (const [re, metric] of [
      [/Lambda function failed/, 'Errors'],
      [/throttled/, 'Throttles'],
    ] as const) {
      const alarm = byDescription(re);
      const metrics = alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[];
      expect(metrics.filter((m) => m.MetricStat?.Metric.MetricName === metric)).toHaveLength(8);
    }
    const stale = byDescription(/older than 36 hours/);
    expect(stale).toMatchObject({
      MetricName: 'ExecutionsSucceeded',
      Period: 6 * 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('has a dashboard', () => {
    synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unsuppressed error and no warning', () => {
    expect(synth.nagErrors).toEqual([]);
    expect(synth.nagWarnings).toEqual([]);
  });
});
