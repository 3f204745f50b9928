/**
 * The context keys: defaults, values as the CLI passes them (strings), and one line per bad key
 * naming the allowed values and the value given. No synthesis here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_DEFAULTS, ConfigError, readFleetDnsConfig, readMemberConfig } from '../../../lib/config.js';
import { REPO_ROOT } from '../../../lib/constructs/scan-function.js';

const node = (context: Record<string, unknown>) => ({ tryGetContext: (key: string) => context[key] });

describe('readFleetDnsConfig', () => {
  it('applies the documented defaults', () => {
    expect(readFleetDnsConfig(node({}))).toEqual({
      accounts: { mode: 'current' },
      excludeAccounts: [],
      regions: { mode: 'enabled' },
      scheduleExpression: 'cron(0 2 * * ? *)',
      scheduleTimeZone: 'UTC',
      mapMaxConcurrency: 40,
      toleratedFailurePercentage: 10,
      clusterConcurrency: 4,
      waitSeconds: 30,
      maxPolls: 40,
      scannerRoleName: 'fleet-dns-scanner',
      externalId: 'fleet-dns',
      securityHubExport: false,
      logRetentionDays: 90,
      scanObjectsExpireDays: 14,
      evidenceExpireDays: 400,
    });
  });

  it('cdk.json lists every context key with its default', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
      app: string;
      notices: boolean;
      context: Record<string, unknown>;
    };
    expect(cdkJson.app).toBe('npx tsx bin/fleet-dns-cdk.ts');
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context).toEqual(CONTEXT_DEFAULTS);
  });

  it('reads lists, JSON and numbers given as strings on the command line', () => {
    const config = readFleetDnsConfig(
      node({
        'fleet-dns:accounts': '["111111111111","222222222222"]',
        'fleet-dns:regions': 'eu-west-1,us-east-1',
        'fleet-dns:maxPolls': '60',
        'fleet-dns:securityHubExport': 'true',
        'fleet-dns:vpc':
          '{"vpcId":"vpc-0a1b","subnetIds":["subnet-01","subnet-02"],"availabilityZones":["eu-west-1a","eu-west-1b"],"securityGroupIds":["sg-0c"]}',
      }),
    );
    expect(config.accounts).toEqual({ mode: 'list', accounts: ['111111111111', '222222222222'] });
    expect(config.regions).toEqual({ mode: 'list', regions: ['eu-west-1', 'us-east-1'] });
    expect(config.maxPolls).toBe(60);
    expect(config.securityHubExport).toBe(true);
    expect(config.vpc?.subnetIds).toEqual(['subnet-01', 'subnet-02']);
  });

  it('reads organization mode with OUs', () => {
    const config = readFleetDnsConfig(
      node({ 'fleet-dns:accounts': 'organization', 'fleet-dns:organizationalUnits': ['ou-ab12-cd34ef56'] }),
    );
    expect(config.accounts).toEqual({ mode: 'organization', organizationalUnits: ['ou-ab12-cd34ef56'] });
  });

  it('names every bad key, what it allows and what it got', () => {
    let error: unknown;
    try {
      readFleetDnsConfig(
        node({
          'fleet-dns:accounts': ['12345'],
          'fleet-dns:toleratedFailurePercentage': 120,
          'fleet-dns:logRetentionDays': 42,
          'fleet-dns:securityHubExport': 'yes',
          'fleet-dns:vpc': {
            vpcId: 'vpc-1',
            subnetIds: ['subnet-1'],
            availabilityZones: [],
            securityGroupIds: ['sg-1'],
          },
        }),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        'fleet-dns:accounts: must be a list of "current", "organization" or 12-digit account ids, got ["12345"]',
        'fleet-dns:toleratedFailurePercentage: must be a whole number from 0 to 100, got 120',
        expect.stringMatching(/^fleet-dns:logRetentionDays: must be one of 1, 3, .*3653, got 42$/),
        'fleet-dns:securityHubExport: must be true or false, got "yes"',
        expect.stringMatching(/^fleet-dns:vpc: must be \{ vpcId/),
      ]),
    );
  });
});

describe('readMemberConfig', () => {
  it('defaults to the member’s own account as the central one', () => {
    expect(readMemberConfig(node({}))).toEqual({
      scannerRoleName: 'fleet-dns-scanner',
      externalId: 'fleet-dns',
    });
  });

  it('refuses a central account id that is not 12 digits', () => {
    expect(() => readMemberConfig(node({ 'fleet-dns:centralAccountId': '1234' }))).toThrow(
      /fleet-dns:centralAccountId: must be a 12-digit account id, got "1234"/,
    );
  });
});
