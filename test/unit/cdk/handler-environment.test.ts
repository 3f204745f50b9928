/**
 * The stack gives each function what its handler reads: every function's synthesized
 * Environment.Variables, CloudFormation tokens replaced by plausible literal values (a bucket's
 * Ref → a bucket name, a state machine's Ref → its ARN, the image asset's Fn::Sub → an ECR
 * reference) and AWS_REGION added as the Lambda runtime does, is parsed by the handler's own
 * configuration parser, which must not throw. The scan scope parsed from discover's environment
 * must be the context's. Synthesized once with the non-default context (organization with OUs,
 * exclusions, listed regions); the defaults' names are asserted in fleet-dns-stack.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseApiConfig } from '../../../lambdas/handlers/api.js';
import { parseRunnerHandlerConfig } from '../../../lambdas/handlers/config.js';
import {
  PIPELINE_REQUIRED_VARIABLES,
  parsePipelineConfig,
  parseScanScopeConfig,
  parseSecurityHubExport,
} from '../../../lambdas/handlers/pipeline-config.js';
import type { FleetDnsStack } from '../../../lib/fleet-dns-stack.js';
import { synthCentral, TEST_ENV } from '../../support/cdk-app.js';
import type { Synthesized } from '../../support/cdk-app.js';

type Env = Record<string, string>;

/** Each function (by Powertools service name) → what its deployed entry point parses. */
const PARSERS: Record<string, (env: Env) => unknown> = {
  'fleet-dns-discover': (env) => [
    parsePipelineConfig(env, PIPELINE_REQUIRED_VARIABLES.discover),
    parseScanScopeConfig(env),
  ],
  'fleet-dns-collect-region': (env) => [
    parsePipelineConfig(env, PIPELINE_REQUIRED_VARIABLES['collect-region']),
    parseScanScopeConfig(env),
  ],
  'fleet-dns-dispatch-runner': parseRunnerHandlerConfig,
  'fleet-dns-runner-status': parseRunnerHandlerConfig,
  'fleet-dns-collect-runner': parseRunnerHandlerConfig,
  'fleet-dns-store-result': (env) => [
    parsePipelineConfig(env, PIPELINE_REQUIRED_VARIABLES['store-result']),
    parseSecurityHubExport(env),
  ],
  'fleet-dns-summarize': (env) => parsePipelineConfig(env, PIPELINE_REQUIRED_VARIABLES.summarize),
  'fleet-dns-api': parseApiConfig,
};

let synth: Synthesized<FleetDnsStack>;
let resources: Record<string, { Type: string }>;

beforeAll(() => {
  synth = synthCentral({
    'fleet-dns:accounts': 'organization',
    'fleet-dns:organizationalUnits': ['ou-ab12-aaaaaaaa', 'r-ab12'],
    'fleet-dns:excludeAccounts': ['999988887777'],
    'fleet-dns:regions': 'eu-west-1,us-east-1',
    'fleet-dns:scannerRoleName': 'dns-audit',
    'fleet-dns:externalId': 'acme-7f3a',
  });
  resources = synth.template.toJSON().Resources as Record<string, { Type: string }>;
}, 240_000);

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': TEST_ENV.region,
  'AWS::AccountId': TEST_ENV.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** What a `Ref` to this resource gives at deploy time, plausibly. Unknown types fail the test. */
function refValue(logicalId: string): string {
  if (PSEUDO[logicalId] !== undefined) return PSEUDO[logicalId];
  const type = resources[logicalId]?.Type;
  const name = `fleetdns-${logicalId.toLowerCase().slice(0, 40)}`;
  switch (type) {
    case 'AWS::S3::Bucket':
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table':
    case 'AWS::Events::EventBus':
    case 'AWS::Lambda::Function':
      return name;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${TEST_ENV.region}:${TEST_ENV.account}:stateMachine:${logicalId}`;
    default:
      throw new Error(`no plausible value for a Ref to ${logicalId} (${type})`);
  }
}

/** A CloudFormation value with its intrinsics replaced by literals. */
function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) return refValue(String(obj.Ref));
  if ('Fn::GetAtt' in obj) {
    const [logical, attribute] = obj['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn')
      return `arn:aws:${logical.toLowerCase()}:${TEST_ENV.region}:${TEST_ENV.account}:x`;
    return `${refValue(logical)}-${attribute.toLowerCase()}`;
  }
  if ('Fn::Join' in obj) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(literal).join(separator);
  }
  if ('Fn::Sub' in obj) {
    const template = obj['Fn::Sub'];
    if (typeof template !== 'string') throw new Error(`Fn::Sub with variables: ${JSON.stringify(obj)}`);
    return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => refValue(name));
  }
  throw new Error(`an intrinsic this test cannot replace: ${JSON.stringify(value)}`);
}

function environments(): Map<string, Env> {
  const fns = synth.template.findResources('AWS::Lambda::Function');
  const out = new Map<string, Env>();
  for (const fn of Object.values(fns)) {
    const vars = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
      .Variables;
    const env: Env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, literal(v)]));
    // The Lambda runtime sets it (the handlers' own STS/Organizations region).
    env.AWS_REGION = TEST_ENV.region;
    out.set(env.POWERTOOLS_SERVICE_NAME!, env);
  }
  return out;
}

describe('each function’s environment, parsed by its handler', () => {
  it('every function has a parser here (a new function needs one)', () => {
    expect([...environments().keys()].sort()).toEqual(Object.keys(PARSERS).sort());
  });

  it.each(Object.keys(PARSERS))('%s: its config parser accepts it', (name) => {
    const env = environments().get(name);
    expect(env).toBeDefined();
    expect(() => PARSERS[name]!(env!)).not.toThrow();
  });

  it('discover scans what the context says, entering its own account through the member role', () => {
    const env = environments().get('fleet-dns-discover')!;
    expect(parseScanScopeConfig(env)).toEqual({
      accounts: { mode: 'organization', organizationalUnits: ['ou-ab12-aaaaaaaa', 'r-ab12'] },
      exclude: ['999988887777'],
      regions: { mode: 'list', regions: ['eu-west-1', 'us-east-1'] },
      roleName: 'dns-audit',
      externalId: 'acme-7f3a',
      assumeRoleInCurrentAccount: true,
      homeRegion: TEST_ENV.region,
    });
  });

  it('collect-region assumes the work items’ roles with the context’s ExternalId', () => {
    const env = environments().get('fleet-dns-collect-region')!;
    expect(parseScanScopeConfig(env).externalId).toBe('acme-7f3a');
  });

  it('the api gets the state machine’s ARN (POST /scans is not left at 503)', () => {
    const env = environments().get('fleet-dns-api')!;
    expect(parseApiConfig(env).stateMachineArn).toMatch(/^arn:aws:states:/);
  });

  it('a missing required variable is what the parsers refuse (the test can fail)', () => {
    const env = { ...environments().get('fleet-dns-store-result')! };
    delete env.EVENT_BUS_NAME;
    expect(() => parsePipelineConfig(env, PIPELINE_REQUIRED_VARIABLES['store-result'])).toThrow(
      /EVENT_BUS_NAME: is required/,
    );
  });
});
