import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandlerConfigError } from '../../../lambdas/handlers/errors.js';
import {
  parsePipelineConfig,
  parseScanScopeConfig,
  parseSecurityHubExport,
} from '../../../lambdas/handlers/pipeline-config.js';
import { handler as storeResultHandler } from '../../../lambdas/handlers/store-result.js';
import { handler as summarizeHandler } from '../../../lambdas/handlers/summarize.js';
import { fakeContext } from './support.js';

afterEach(() => vi.unstubAllEnvs());

describe('parsePipelineConfig', () => {
  it('names each missing required variable; EVIDENCE_BUCKET defaults to WORK_BUCKET', () => {
    expect(() =>
      parsePipelineConfig({ WORK_BUCKET: 'w' }, ['TABLE_NAME', 'WORK_BUCKET', 'EVENT_BUS_NAME']),
    ).toThrow(/TABLE_NAME: is required.*EVENT_BUS_NAME: is required/);
    expect(
      parsePipelineConfig({ TABLE_NAME: 't', WORK_BUCKET: 'w', EVIDENCE_BUCKET: '' }, ['TABLE_NAME']),
    ).toEqual({
      tableName: 't',
      workBucket: 'w',
      eventBusName: '',
      evidenceBucket: 'w',
    });
  });
});

describe('parseScanScopeConfig', () => {
  it('defaults: the current account, every enabled region, the fleet-dns-scanner role', () => {
    expect(parseScanScopeConfig({ AWS_REGION: 'eu-west-1' })).toEqual({
      accounts: { mode: 'current' },
      exclude: [],
      regions: { mode: 'enabled' },
      roleName: 'fleet-dns-scanner',
      homeRegion: 'eu-west-1',
    });
  });

  it('an organization with OUs, lists, exclusions, the ExternalId', () => {
    expect(
      parseScanScopeConfig({
        AWS_REGION: 'us-east-1',
        SCAN_ACCOUNTS: 'organization',
        SCAN_ORGANIZATIONAL_UNITS: 'ou-ab12-aaaa, ou-ab12-bbbb',
        SCAN_EXCLUDE_ACCOUNTS: '999988887777',
        SCAN_REGIONS: 'eu-west-1,us-east-1',
        SCAN_ROLE_NAME: 'dns-audit',
        SCAN_EXTERNAL_ID: 'ext',
      }),
    ).toEqual({
      accounts: { mode: 'organization', organizationalUnits: ['ou-ab12-aaaa', 'ou-ab12-bbbb'] },
      exclude: ['999988887777'],
      regions: { mode: 'list', regions: ['eu-west-1', 'us-east-1'] },
      roleName: 'dns-audit',
      externalId: 'ext',
      homeRegion: 'us-east-1',
    });
    expect(parseScanScopeConfig({ AWS_REGION: 'x', SCAN_ACCOUNTS: '111122223333' }).accounts).toEqual({
      mode: 'list',
      accounts: ['111122223333'],
    });
  });

  it('SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: true sets the option, false or unset leaves it out, anything else is refused', () => {
    const env = { AWS_REGION: 'eu-west-1' };
    expect(
      parseScanScopeConfig({ ...env, SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: 'true' })
        .assumeRoleInCurrentAccount,
    ).toBe(true);
    expect(parseScanScopeConfig({ ...env, SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: 'false' })).not.toHaveProperty(
      'assumeRoleInCurrentAccount',
    );
    expect(parseScanScopeConfig(env)).not.toHaveProperty('assumeRoleInCurrentAccount');
    expect(() => parseScanScopeConfig({ ...env, SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: 'yes' })).toThrow(
      /SCAN_ASSUME_ROLE_IN_CURRENT_ACCOUNT: must be true or false, got "yes"/,
    );
  });

  it('refuses account ids that are not 12 digits, and a missing AWS_REGION', () => {
    const err = (() => {
      try {
        parseScanScopeConfig({ SCAN_ACCOUNTS: '1234,111122223333' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HandlerConfigError);
    expect((err as HandlerConfigError).problems).toEqual([
      'SCAN_ACCOUNTS: must be current, organization or 12-digit account ids, got 1234',
      'AWS_REGION: is required (the scanner’s own region)',
    ]);
  });
});

describe('parseSecurityHubExport', () => {
  it('is true only for true; absent, empty and false are false', () => {
    expect(parseSecurityHubExport({ SECURITY_HUB_EXPORT: 'true' })).toBe(true);
    expect(parseSecurityHubExport({ SECURITY_HUB_EXPORT: 'false' })).toBe(false);
    expect(parseSecurityHubExport({ SECURITY_HUB_EXPORT: '' })).toBe(false);
    expect(parseSecurityHubExport({})).toBe(false);
  });

  it.each(['TRUE', 'yes', '1', ' true'])('refuses %j, naming the variable', (value) => {
    expect(() => parseSecurityHubExport({ SECURITY_HUB_EXPORT: value })).toThrow(
      new HandlerConfigError([`SECURITY_HUB_EXPORT: must be true or false, got ${JSON.stringify(value)}`]),
    );
  });
});

describe('the deployed entry points', () => {
  it('fail the invocation naming the missing variable', async () => {
    vi.stubEnv('TABLE_NAME', '');
    vi.stubEnv('WORK_BUCKET', '');
    vi.stubEnv('EVENT_BUS_NAME', '');
    await expect(storeResultHandler({}, fakeContext('fleet-dns-store-result'))).rejects.toThrow(
      /TABLE_NAME: is required/,
    );
    await expect(summarizeHandler({}, fakeContext('fleet-dns-summarize'))).rejects.toThrow(
      /WORK_BUCKET: is required/,
    );
  });

  it('store-result fails the invocation on a SECURITY_HUB_EXPORT that is not true or false', async () => {
    vi.stubEnv('TABLE_NAME', 'fleet-dns-results');
    vi.stubEnv('WORK_BUCKET', 'fleet-dns-work');
    vi.stubEnv('EVENT_BUS_NAME', 'fleet-dns');
    vi.stubEnv('SECURITY_HUB_EXPORT', 'yes');
    await expect(storeResultHandler({}, fakeContext('fleet-dns-store-result'))).rejects.toThrow(
      'SECURITY_HUB_EXPORT: must be true or false, got "yes"',
    );
  });
});
