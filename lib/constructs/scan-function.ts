/**
 * One fleet-dns Lambda: a handler module of lambdas/handlers bundled by the local esbuild
 * (NodejsFunction, no Docker), arm64 on Node.js 22, Powertools configured by environment, its
 * own log group with a retention, active tracing, and a role of its own that starts with no
 * permission but writing its log group (grants add exactly what the handler calls).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { LambdaVpcConfig } from '../config.js';

/** The repository root (lib/constructs/ → ../..): entries, lock file and tsconfig live there. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The runtime every function runs on (design.md: nodejs22.x or newer, arm64). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const METRICS_NAMESPACE = 'fleet-dns';

export interface ScanFunctionProps {
  /** the handler module, e.g. 'discover' for lambdas/handlers/discover.ts */
  readonly handlerModule: string;
  /** Powertools service name and the function's description */
  readonly serviceName: string;
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** run in this VPC (cluster-facing functions with private endpoints) @default no VPC */
  readonly vpc?: LambdaVpcConfig;
  /** an IAM path for the role (the collector roles' path is trusted by member roles) @default '/' */
  readonly rolePath?: string;
  /** a fixed name (a function other accounts invoke by ARN) @default a name CloudFormation makes */
  readonly functionName?: string;
}

export class ScanFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ScanFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `fleet-dns ${props.serviceName}`,
      ...(props.rolePath !== undefined ? { path: props.rolePath } : {}),
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every log group): this function's group only.
    this.logGroup.grantWrite(this.role);

    const vpc = props.vpc ? this.vpcPlacement(props.vpc) : undefined;
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: path.join(REPO_ROOT, 'lambdas', 'handlers', `${props.handlerModule}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      ...(props.functionName !== undefined ? { functionName: props.functionName } : {}),
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // The SDK versions the code was tested with, not whatever the runtime ships.
        bundleAwsSDK: true,
        // The embedded store's native module is never loaded by a Lambda (the DynamoDB store is).
        externalModules: ['better-sqlite3'],
        // ESM bundles of CommonJS dependencies still call require() for Node built-ins.
        banner:
          "import { createRequire as __fleetDnsCreateRequire } from 'node:module'; const require = __fleetDnsCreateRequire(import.meta.url);",
        mainFields: ['module', 'main'],
      },
      ...(vpc ?? {}),
    });

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is the runtime the project pins (design.md § Decisions: nodejs22.x or newer); its tooling and tests run on Node 20/22, and a newer runtime is adopted with them, not ahead of them.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'X-Ray (active tracing): xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, so their resource is "*".',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  private vpcPlacement(
    config: LambdaVpcConfig,
  ): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpcId,
      availabilityZones: [...config.availabilityZones],
      privateSubnetIds: [...config.subnetIds],
    });
    // Lambda attaches AWSLambdaVPCAccessExecutionRole itself when a function is placed in a VPC.
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AWSLambdaVPCAccessExecutionRole is what CDK attaches for VPC placement: the ENI actions it grants (ec2:CreateNetworkInterface…) have no resource-level scoping for a function.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
          ],
        },
      ],
      true,
    );
    return {
      vpc,
      vpcSubnets: {
        subnets: config.subnetIds.map((id, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, id)),
      },
      securityGroups: config.securityGroupIds.map((id, i) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, id, { mutable: false }),
      ),
    };
  }
}
