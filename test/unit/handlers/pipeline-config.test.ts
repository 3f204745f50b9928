import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandlerConfigError } from '../../../lambdas/handlers/errors.js';
import { parsePipelineConfig, parseScanScopeConfig } from '../../../lambdas/handlers/pipeline-config.js';
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
});
