/**
 * The fleet API (conventions.md § API): API Gateway REST, every method AWS_IAM-authorized (the
 * callers are pipelines and people with AWS credentials: no usage plans, no API keys), each
 * route declared with its parameters so API Gateway validates requests before the Lambda runs,
 * access logs in JSON, execution logs, and stage throttling.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface FleetApiProps {
  /** the api handler (lambdas/handlers/api.ts) */
  readonly handler: lambda.IFunction;
  /** steady-state requests per second of the stage @default 20 */
  readonly throttlingRateLimit?: number;
  /** @default 40 */
  readonly throttlingBurstLimit?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** A route: its query parameters (all optional, the handler checks their values). */
interface Route {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly query?: readonly string[];
}

/** Every route the api handler serves (lambdas/handlers/api.ts `createApiRouter`, behind `createApiHandler`). */
export const API_ROUTES: readonly Route[] = [
  { path: '/summary', method: 'GET' },
  { path: '/clusters', method: 'GET', query: ['account', 'region', 'status', 'limit', 'cursor'] },
  { path: '/clusters/{id}', method: 'GET' },
  { path: '/clusters/{id}/scans', method: 'GET', query: ['limit', 'cursor'] },
  { path: '/clusters/{id}/gate', method: 'GET', query: ['targetVersion'] },
  { path: '/scans', method: 'POST' },
  { path: '/scans/{scanId}', method: 'GET' },
  {
    path: '/findings',
    method: 'GET',
    query: ['check', 'status', 'severity', 'account', 'region', 'muted', 'limit', 'cursor'],
  },
  { path: '/reports/compliance', method: 'GET', query: ['format'] },
];

export class FleetApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FleetApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.api = new apigw.RestApi(this, 'Resource', {
      description: 'fleet-dns: fleet DNS health results, scans and the upgrade gate',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logs need the account's API Gateway CloudWatch role; this stack owns it.
      cloudWatchRole: true,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.throttlingRateLimit ?? 20,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 40,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        // Bodies carry scan results: never copied into the execution log.
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const startScanModel = this.api.addModel('StartScanBody', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'StartScan',
        type: apigw.JsonSchemaType.OBJECT,
        properties: {
          // <accountId>:<region>:<clusterName> (the handler checks it precisely)
          clusterId: {
            type: apigw.JsonSchemaType.STRING,
            pattern: '^[0-9]{12}:[a-z0-9-]+:[A-Za-z0-9][A-Za-z0-9_-]*$',
          },
        },
        additionalProperties: false,
      },
    });

    // No test-invoke permission: the console's test button bypasses IAM auth and is not how callers reach it.
    const integration = new apigw.LambdaIntegration(props.handler, { allowTestInvoke: false });
    for (const route of API_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters: Object.fromEntries([
          ...pathParameters.map((p) => [`method.request.path.${p}`, true] as const),
          ...(route.query ?? []).map((q) => [`method.request.querystring.${q}`, false] as const),
        ]),
        ...(route.method === 'POST' ? { requestModels: { 'application/json': startScanModel } } : {}),
      });
    }

    NagSuppressions.addResourceSuppressions(
      this.api,
      [
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Every method is AWS_IAM-authorized (SigV4): the callers are CI pipelines and operators with AWS credentials, not Cognito users.',
        },
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'IAM auth rejects unsigned requests before any work, and the stage is throttled; a WAF web ACL adds cost without a threat the IAM auth leaves open. Attach one per account policy if required.',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'The account-level API Gateway CloudWatch role (cloudWatchRole) uses AmazonAPIGatewayPushToCloudWatchLogs, the AWS-managed policy API Gateway documents for execution logging.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
          ],
        },
      ],
      true,
    );
  }
}
