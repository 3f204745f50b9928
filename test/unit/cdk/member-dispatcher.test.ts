/**
 * The member-side runner dispatcher (`fleet-dns:memberDispatcher`), both stacks:
 * - member stack, off (the default): exactly the scanner role, as before — nothing else;
 * - member stack, on: the function with the central runner functions' settings (arm64, Node 22,
 *   Powertools environment, log retention, tracing) in the given VPC, a resource policy naming only
 *   the central state machine role, a role allowed DescribeCluster on this account's clusters and
 *   nothing with a `*` action; missing VPC or runner image: a ConfigError naming the key;
 * - central stack, on: the state machine role's fixed name, lambda:InvokeFunction on exactly the
 *   member function's ARN pattern, MEMBER_DISPATCH_ACCOUNTS on collect-region, the Member* route
 *   in a definition that is still valid ASL;
 * - cdk-nag: no unsuppressed error in either stack with the option on.
 */
import aslValidator from 'asl-validator';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readFleetDnsConfig } from '../../../lib/config.js';
import { parseMemberDispatchAccounts } from '../../../lambdas/handlers/collect-region.js';
import { parseRunnerHandlerConfig } from '../../../lambdas/handlers/config.js';
import type { FleetDnsMemberStack } from '../../../lib/fleet-dns-member-stack.js';
import type { FleetDnsStack } from '../../../lib/fleet-dns-stack.js';
import {
  resolveIntrinsics,
  stateMachineDefinition,
  synthCentral,
  synthMember,
} from '../../support/cdk-app.js';
import type { Synthesized } from '../../support/cdk-app.js';
import { iamStatements } from '../../support/iam-statements.js';

const CENTRAL = '222222222222';
const MEMBER_ACCOUNT = '111111111111'; // TEST_ENV's
const IMAGE = `${CENTRAL}.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-${CENTRAL}-eu-west-1:0123abcd`;
const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};
const MEMBER_ON = {
  'fleet-dns:memberDispatcher': true,
  'fleet-dns:centralAccountId': CENTRAL,
  'fleet-dns:runnerImageUri': IMAGE,
  'fleet-dns:memberDispatcherVpc': VPC,
};

let off: Synthesized<FleetDnsMemberStack>;
let on: Synthesized<FleetDnsMemberStack>;
let central: Synthesized<FleetDnsStack>;
let centralAll: Synthesized<FleetDnsStack>;

beforeAll(() => {
  off = synthMember({ 'fleet-dns:centralAccountId': CENTRAL });
  on = synthMember(MEMBER_ON);
  central = synthCentral({ 'fleet-dns:memberDispatcher': [MEMBER_ACCOUNT, '333333333333'] });
  centralAll = synthCentral({ 'fleet-dns:memberDispatcher': true });
}, 240_000);

const resourceTypes = (s: Synthesized<unknown>): string[] =>
  Object.values(s.template.toJSON().Resources as Record<string, { Type: string }>)
    .map((r) => r.Type)
    .sort();

describe('member stack without the option (default)', () => {
  it('is the scanner role alone: no function, no permission, no asset', () => {
    expect(resourceTypes(off)).toEqual(['AWS::IAM::Role']);
    expect(off.stack.dispatcher).toBeUndefined();
  });
});

describe('member stack with fleet-dns:memberDispatcher', () => {
  it('adds the function, its role and policy, its log group and the one permission', () => {
    expect(resourceTypes(on)).toEqual(
      [
        'AWS::IAM::Role', // scanner
        'AWS::IAM::Role', // dispatcher
        'AWS::IAM::Policy',
        'AWS::Lambda::Function',
        'AWS::Lambda::Permission',
        'AWS::Logs::LogGroup',
      ].sort(),
    );
  });

  it('runs the member-dispatcher handler like the central runner functions, in the given VPC', () => {
    on.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'fleet-dns-member-dispatcher',
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 300,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'fleet-dns-member-dispatcher',
          POWERTOOLS_METRICS_NAMESPACE: 'fleet-dns',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
          RUNNER_IMAGE: IMAGE,
        },
      },
      VpcConfig: { SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds },
    });
    on.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it("its environment is what the handler's own parser accepts (the runner image given)", () => {
    const [fn] = Object.values(on.template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, string> } };
    }[];
    expect(parseRunnerHandlerConfig(fn!.Properties.Environment.Variables).runner.image).toBe(IMAGE);
  });

  it('may be invoked by the central state machine role only (not the account, not a service)', () => {
    const permissions = on.template.findResources('AWS::Lambda::Permission');
    expect(Object.values(permissions)).toHaveLength(1);
    const [permission] = Object.values(permissions) as { Properties: Record<string, unknown> }[];
    expect(resolveIntrinsics(permission!.Properties.Principal)).toBe(
      `arn:aws:iam::${CENTRAL}:role/fleet-dns-scan-state-machine`,
    );
    expect(permission!.Properties.Action).toBe('lambda:InvokeFunction');
    expect(permission!.Properties).not.toHaveProperty('SourceAccount');
  });

  it("its role: DescribeCluster on this account's clusters in this region, no `*` action anywhere", () => {
    const statements = iamStatements(on.template);
    for (const s of statements) for (const a of s.actions) expect(a).not.toMatch(/\*/);
    const describe = statements.filter((s) => s.actions.includes('eks:DescribeCluster'));
    expect(describe.map((s) => resolveIntrinsics(s.resources))).toEqual(
      expect.arrayContaining([[`arn:aws:eks:eu-west-1:${MEMBER_ACCOUNT}:cluster/*`]]),
    );
    on.template.hasOutput('MemberDispatcherRoleArn', Match.anyValue());
  });

  it('refuses to synthesize without a VPC or the runner image, naming the key', () => {
    const { 'fleet-dns:memberDispatcherVpc': _vpc, ...noVpc } = MEMBER_ON;
    expect(() => synthMember(noVpc)).toThrow(ConfigError);
    expect(() => synthMember(noVpc)).toThrow(/fleet-dns:memberDispatcherVpc: required/);
    const { 'fleet-dns:runnerImageUri': _image, ...noImage } = MEMBER_ON;
    expect(() => synthMember(noImage)).toThrow(/fleet-dns:runnerImageUri: required/);
  });
});

describe('central stack with fleet-dns:memberDispatcher', () => {
  const invokeResources = (s: Synthesized<FleetDnsStack>): unknown[] =>
    iamStatements(s.template)
      .filter((st) => st.actions.includes('lambda:InvokeFunction'))
      .flatMap((st) => st.resources.map((r) => resolveIntrinsics(r)))
      .filter((r) => typeof r === 'string' && r.includes('fleet-dns-member-dispatcher'));

  it('gives the state machine role the name the member permission names', () => {
    central.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'fleet-dns-scan-state-machine',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'states.amazonaws.com' } })],
      },
    });
  });

  it('may invoke exactly the member function name, in the listed accounts (any account with true)', () => {
    expect(invokeResources(central).sort()).toEqual([
      `arn:aws:lambda:*:${MEMBER_ACCOUNT}:function:fleet-dns-member-dispatcher`,
      'arn:aws:lambda:*:333333333333:function:fleet-dns-member-dispatcher',
    ]);
    expect(invokeResources(centralAll)).toEqual(['arn:aws:lambda:*:*:function:fleet-dns-member-dispatcher']);
  });

  it('tells collect-region which accounts to route (MEMBER_DISPATCH_ACCOUNTS)', () => {
    central.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ MEMBER_DISPATCH_ACCOUNTS: `${MEMBER_ACCOUNT},333333333333` }),
      },
    });
    centralAll.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MEMBER_DISPATCH_ACCOUNTS: 'all' }) },
    });
    // … in the form collect-region's parser reads
    expect(parseMemberDispatchAccounts(`${MEMBER_ACCOUNT},333333333333`)).toEqual([
      MEMBER_ACCOUNT,
      '333333333333',
    ]);
  });

  it('reads the context key as off, all or a list, and names it when it is none of them', () => {
    const read = (value: unknown) =>
      readFleetDnsConfig({
        tryGetContext: (k: string) => (k === 'fleet-dns:memberDispatcher' ? value : undefined),
      }).memberDispatch;
    expect(read(false)).toBeUndefined();
    expect(read('false')).toBeUndefined();
    expect(read([])).toBeUndefined();
    expect(read(true)?.accounts).toBe('all');
    expect(read('["333333333333"]')?.accounts).toEqual(['333333333333']);
    expect(read('333333333333,444444444444')?.accounts).toEqual(['333333333333', '444444444444']);
    expect(() => read('yes')).toThrow(
      /fleet-dns:memberDispatcher: must be a list of true, false or 12-digit account ids/,
    );
  });

  it('routes marked clusters to Member* Tasks by ARN, in a definition that is still valid ASL', () => {
    const definition = stateMachineDefinition(central.template);
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    const clusterStates = (
      definition as {
        States: Record<
          string,
          {
            ItemProcessor: {
              States: Record<string, { ItemProcessor: { States: Record<string, Record<string, unknown>> } }>;
            };
          }
        >;
      }
    ).States.CollectRegions!.ItemProcessor.States.ScanClusters!.ItemProcessor.States;
    expect(clusterStates['Dispatchable?']!.Choices).toEqual([
      { Variable: '$.cluster', IsNull: true, Next: 'StoreResult' },
      { Variable: '$.memberDispatch', IsPresent: true, Next: 'MemberDispatch' },
    ]);
    expect(clusterStates.MemberDispatch).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        'FunctionName.$':
          "States.Format('arn:aws:lambda:{}:{}:function:fleet-dns-member-dispatcher', $.memberDispatch.region, $.memberDispatch.accountId)",
      },
    });
  });

  it('without the option the state machine role keeps a generated name and the definition no Member* state', () => {
    const plain = synthCentral();
    expect(JSON.stringify(plain.template.toJSON())).not.toMatch(/fleet-dns-scan-state-machine|Member/);
  });
});

describe('cdk-nag (AwsSolutions) with the option on', () => {
  it('reports no unsuppressed error in either stack', () => {
    expect(on.nagErrors).toEqual([]);
    expect(on.nagWarnings).toEqual([]);
    expect(central.nagErrors).toEqual([]);
    expect(centralAll.nagErrors).toEqual([]);
  });
});
