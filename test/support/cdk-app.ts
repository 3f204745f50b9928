/**
 * The CDK stacks of the app, synthesized for assertions: the same stacks and configuration as
 * bin/fleet-dns-cdk.ts, cdk-nag's AWS Solutions rules applied, Lambda bundling skipped (the
 * `aws:cdk:bundling-stacks` context the CLI itself uses for that; test/unit/cdk/cdk-cli.test.ts
 * bundles for real through `cdk synth`).
 */
import { App, Aspects, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFleetDnsConfig, readMemberConfig } from '../../lib/config.js';
import { FleetDnsMemberStack } from '../../lib/fleet-dns-member-stack.js';
import { FleetDnsStack } from '../../lib/fleet-dns-stack.js';

process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';

/** A fixed environment: ARNs and account ids in the templates are concrete where the app lets them be. */
export const TEST_ENV = { account: '111111111111', region: 'eu-west-1' } as const;

export interface Synthesized<S> {
  readonly stack: S;
  readonly template: Template;
  /** cdk-nag's unsuppressed errors and warnings, one line each (`path: AwsSolutions-XX: …`) */
  readonly nagErrors: string[];
  readonly nagWarnings: string[];
}

function nagFindings(annotations: Annotations, kind: 'error' | 'warning'): string[] {
  const found =
    kind === 'error'
      ? annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
      : annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  return found.map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

function newApp(context: Record<string, unknown>): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

/** The central stack with `context` over the defaults. */
export function synthCentral(context: Record<string, unknown> = {}): Synthesized<FleetDnsStack> {
  const app = newApp(context);
  const stack = new FleetDnsStack(app, 'FleetDns', { env: TEST_ENV, config: readFleetDnsConfig(app.node) });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack);
  const annotations = Annotations.fromStack(stack);
  return {
    stack,
    template,
    nagErrors: nagFindings(annotations, 'error'),
    nagWarnings: nagFindings(annotations, 'warning'),
  };
}

/** The member stack with `context` over the defaults. */
export function synthMember(context: Record<string, unknown> = {}): Synthesized<FleetDnsMemberStack> {
  const app = newApp(context);
  const stack = new FleetDnsMemberStack(app, 'FleetDnsMember', {
    env: TEST_ENV,
    config: readMemberConfig(app.node),
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack);
  const annotations = Annotations.fromStack(stack);
  return {
    stack,
    template,
    nagErrors: nagFindings(annotations, 'error'),
    nagWarnings: nagFindings(annotations, 'warning'),
  };
}

/** A CloudFormation value with intrinsic functions replaced by readable stand-ins. */
export function resolveIntrinsics(value: unknown, env = TEST_ENV): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, env));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    const ref = String(obj.Ref);
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return env.region;
    if (ref === 'AWS::AccountId') return env.account;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    return `ref-${ref}`;
  }
  if ('Fn::GetAtt' in obj) {
    const [logical, attribute] = obj['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return `arn:aws:lambda:${env.region}:${env.account}:function:${logical}`;
    return `${logical}.${attribute}`;
  }
  if ('Fn::Join' in obj) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsics(p, env)).join(separator);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, env)]));
}

/** The state machine's ASL definition, parsed, with CloudFormation references resolved to stand-ins. */
export function stateMachineDefinition(template: Template): Record<string, unknown> {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  if (machine === undefined || Object.keys(machines).length !== 1)
    throw new Error(`expected one state machine, found ${Object.keys(machines).length}`);
  const body = resolveIntrinsics(
    (machine as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString,
  );
  return JSON.parse(String(body)) as Record<string, unknown>;
}
