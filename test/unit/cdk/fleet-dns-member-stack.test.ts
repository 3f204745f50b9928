/**
 * The member-account stack: the scanner role may make exactly the EC2/EKS calls lambdas/aws makes
 * (read from its source, so a new call fails here until the role allows it), trusts only the
 * central account's collector path with the ExternalId, and passes cdk-nag.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetDnsMemberStack } from '../../../lib/fleet-dns-member-stack.js';
import { REPO_ROOT } from '../../../lib/constructs/scan-function.js';
import { synthMember } from '../../support/cdk-app.js';
import type { Synthesized } from '../../support/cdk-app.js';
import { iamStatements } from '../../support/iam-statements.js';
import { WILDCARD_RESOURCE_ACTIONS } from './wildcard-resources.js';

/** Onboarding's calls (lambdas/aws/eks/access-entry.ts, run by `fleet-dns onboard` with an admin's credentials), not the scanner's. */
const ONBOARDING_ONLY = ['eks:CreateAccessEntry', 'eks:DescribeAccessEntry', 'eks:UpdateAccessEntry'];

/** Every `'ec2:Xxx'` / `'eks:Xxx'` / `'route53resolver:Xxx'` call name in lambdas/aws (the names callAws and allPages are given). */
function collectorCalls(): string[] {
  const dir = path.join(REPO_ROOT, 'lambdas', 'aws');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const calls = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(
      /'((?:ec2|eks|route53resolver):[A-Z][A-Za-z]+)'/g,
    ))
      calls.add(m[1]!);
  return [...calls].filter((c) => !ONBOARDING_ONLY.includes(c)).sort();
}

let synth: Synthesized<FleetDnsMemberStack>;
let withCentral: Synthesized<FleetDnsMemberStack>;

beforeAll(() => {
  synth = synthMember();
  withCentral = synthMember({
    'fleet-dns:centralAccountId': '222222222222',
    'fleet-dns:externalId': 'acme-fleet-dns-7f3a',
  });
}, 120_000);

describe('the scanner role', () => {
  it('allows exactly the EC2/EKS/Route 53 Resolver calls the collectors make', () => {
    const actions = iamStatements(synth.template).flatMap((s) => s.actions);
    expect(collectorCalls().length).toBeGreaterThan(10);
    expect([...actions].sort()).toEqual(collectorCalls());
    expect(collectorCalls().filter((c) => c.startsWith('route53resolver:'))).toHaveLength(10);
  });

  it('reads Route 53 Resolver resources by type in any account (RAM / Firewall Manager sharing), never more than List*/Get*', () => {
    const resolver = iamStatements(synth.template).filter((s) =>
      s.actions.some((a) => a.startsWith('route53resolver:')),
    );
    for (const s of resolver)
      for (const a of s.actions) expect(a).toMatch(/^route53resolver:(List|Get)[A-Za-z]+$/);
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: 'route53resolver:ListFirewallRules',
                Resource: {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':route53resolver:*:*:firewall-rule-group/*'],
                  ],
                },
              }),
            ]),
          },
        },
      ],
    });
  });

  it('uses "*" only for actions without resource-level permissions; EKS describes and prefix lists by ARN', () => {
    for (const s of iamStatements(synth.template)) {
      if (s.resources.includes('*'))
        for (const a of s.actions) expect(WILDCARD_RESOURCE_ACTIONS).toHaveProperty([a]);
      else expect(s.actions.every((a) => !(a in WILDCARD_RESOURCE_ACTIONS))).toBe(true);
    }
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: ['eks:DescribeCluster', 'eks:DescribeAddon'],
                Resource: [
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:*:111111111111:cluster/*']] },
                  {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:*:111111111111:addon/*/*/*']],
                  },
                ],
              }),
            ]),
          },
        },
      ],
    });
  });

  it('has the configured name', () => {
    synth.template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'fleet-dns-scanner' });
  });

  it('trusts the central account’s collector path with the ExternalId (default: its own account)', () => {
    synth.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            // No central account configured: the account the stack is deployed in (one-account setup).
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                ],
              },
            },
            Condition: {
              StringEquals: { 'sts:ExternalId': 'fleet-dns' },
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/fleet-dns/collector/*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('trusts another central account when configured', () => {
    withCentral.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: {
              AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
            },
            Condition: {
              StringEquals: { 'sts:ExternalId': 'acme-fleet-dns-7f3a' },
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/fleet-dns/collector/*'],
                  ],
                },
              },
            },
          }),
        ],
      },
    });
  });

  it('is the only resource, with no bootstrap parameter (StackSets deploy it to unbootstrapped accounts)', () => {
    expect(Object.keys(synth.template.toJSON().Resources)).toHaveLength(1);
    expect(synth.template.toJSON().Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unsuppressed error and no warning', () => {
    expect(synth.nagErrors).toEqual([]);
    expect(synth.nagWarnings).toEqual([]);
    expect(withCentral.nagErrors).toEqual([]);
  });
});
