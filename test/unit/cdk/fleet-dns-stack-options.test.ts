/**
 * The central stack with the optional parts on: organization mode, a VPC for the cluster-facing
 * functions, Security Hub export, an explicit schedule. Synthesized once.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSecurityHubExport } from '../../../lambdas/handlers/pipeline-config.js';
import type { FleetDnsStack } from '../../../lib/fleet-dns-stack.js';
import { synthCentral } from '../../support/cdk-app.js';
import type { Synthesized } from '../../support/cdk-app.js';
import { iamStatements } from '../../support/iam-statements.js';
import { WILDCARD_RESOURCE_ACTIONS } from './wildcard-resources.js';

let synth: Synthesized<FleetDnsStack>;

beforeAll(() => {
  synth = synthCentral({
    'fleet-dns:accounts': 'organization',
    'fleet-dns:scheduleExpression': 'cron(30 1 * * ? *)',
    'fleet-dns:scheduleTimeZone': 'Europe/Berlin',
    'fleet-dns:securityHubExport': true,
    'fleet-dns:vpc': {
      vpcId: 'vpc-0a1b2c3d',
      subnetIds: ['subnet-0aa', 'subnet-0bb'],
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      securityGroupIds: ['sg-0cc'],
    },
  });
}, 240_000);

describe('organization mode', () => {
  it('lets discover list the Organization’s accounts and both collectors assume the scanner role in any account', () => {
    const statements = iamStatements(synth.template);
    const orgs = statements.filter((s) => s.actions.some((a) => a.startsWith('organizations:')));
    expect(orgs).toHaveLength(1);
    expect(orgs[0]!.holder).toMatch(/^ScanDiscoverRole/);
    expect(orgs[0]!.resources).toEqual(['*']);
    for (const a of orgs[0]!.actions) expect(WILDCARD_RESOURCE_ACTIONS).toHaveProperty([a]);
    const assume = statements.filter((s) => s.actions.includes('sts:AssumeRole'));
    expect(assume.map((s) => s.holder).sort()).toEqual([
      expect.stringMatching(/^ScanCollectRegionRole/),
      expect.stringMatching(/^ScanDiscoverRole/),
    ]);
    for (const s of assume)
      expect(s.resources).toEqual([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/fleet-dns-scanner']] },
      ]);
    synth.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SCAN_ACCOUNTS: 'organization' }),
      },
    });
  });
});

describe('a VPC for private endpoints', () => {
  it('places the four cluster-facing functions in the configured subnets and groups, the others outside', () => {
    const fns = Object.values(synth.template.findResources('AWS::Lambda::Function')).map(
      (f) =>
        f.Properties as {
          VpcConfig?: unknown;
          Environment: { Variables: { POWERTOOLS_SERVICE_NAME: string } };
        },
    );
    const inVpc = fns
      .filter((f) => f.VpcConfig !== undefined)
      .map((f) => f.Environment.Variables.POWERTOOLS_SERVICE_NAME);
    expect(inVpc.sort()).toEqual(
      [
        'fleet-dns-collect-region',
        'fleet-dns-collect-runner',
        'fleet-dns-dispatch-runner',
        'fleet-dns-runner-status',
      ].sort(),
    );
    for (const f of fns.filter((x) => x.VpcConfig !== undefined))
      expect(f.VpcConfig).toEqual({ SubnetIds: ['subnet-0aa', 'subnet-0bb'], SecurityGroupIds: ['sg-0cc'] });
  });
});

describe('Security Hub export', () => {
  it('lets store-result import findings into this account’s default product only', () => {
    const hub = iamStatements(synth.template).filter((s) =>
      s.actions.includes('securityhub:BatchImportFindings'),
    );
    expect(hub).toHaveLength(1);
    expect(hub[0]!.holder).toMatch(/^ScanStoreResultRole/);
    expect(hub[0]!.resources).toEqual([
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:eu-west-1:111111111111:product/111111111111/default',
          ],
        ],
      },
    ]);
  });

  it('turns the export on in store-result’s environment, as its handler parses it', () => {
    const fns = synth.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'fleet-dns-store-result' } } },
    });
    const [fn] = Object.values(fns);
    const vars = (fn!.Properties as { Environment: { Variables: Record<string, string> } }).Environment
      .Variables;
    expect(vars.SECURITY_HUB_EXPORT).toBe('true');
    expect(parseSecurityHubExport(vars)).toBe(true);
    // no other function exports
    const others = Object.values(synth.template.findResources('AWS::Lambda::Function')).filter(
      (f) =>
        (f.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables
          ?.SECURITY_HUB_EXPORT !== undefined,
    );
    expect(others).toHaveLength(1);
  });
});

describe('the schedule', () => {
  it('uses the configured cron and time zone', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unsuppressed error and no warning with every option on', () => {
    expect(synth.nagErrors).toEqual([]);
    expect(synth.nagWarnings).toEqual([]);
  });
});
