import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  AssumeRoleError,
  assumeRole,
  assumeRoleCredentials,
  AwsConfigurationError,
  getCallerIdentity,
  roleArnFor,
  scanSessionName,
} from '../../../../lambdas/aws/index.js';
import { stsAccessDenied, stubFakeAwsEnvironment } from '../support/fake-aws.js';

const ROLE = 'arn:aws:iam::222222222222:role/fleet-dns-scanner';

describe('assumeRoleCredentials', () => {
  const sts = mockClient(STSClient);
  afterAll(() => {
    sts.restore();
  });
  let now = Date.parse('2025-06-01T02:00:00Z');
  beforeEach(() => {
    stubFakeAwsEnvironment();
    sts.reset();
    now = Date.parse('2025-06-01T02:00:00Z');
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(() => {
      n += 1;
      return {
        Credentials: {
          AccessKeyId: `ASIA00000000000${n}`,
          SecretAccessKey: 'secret',
          SessionToken: `token-${n}`,
          Expiration: new Date(now + 3600_000),
        },
      };
    });
  });
  afterEach(() => sts.reset());

  const provider = () =>
    assumeRoleCredentials({
      sts: new STSClient({ region: 'eu-west-1' }),
      roleArn: ROLE,
      externalId: 'ext-1',
      sessionName: 'fleet-dns-s1',
      now: () => now,
    });

  it('assumes the role with the ExternalId and session name, and returns its credentials', async () => {
    const credentials = await provider()();
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIA000000000001',
      secretAccessKey: 'secret',
      sessionToken: 'token-1',
    });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE,
      ExternalId: 'ext-1',
      RoleSessionName: 'fleet-dns-s1',
      DurationSeconds: 3600,
    });
  });

  it('shares one AssumeRole between concurrent callers and reuses it until 5 minutes before expiry', async () => {
    const p = provider();
    const [a, b] = await Promise.all([p(), p()]);
    expect(a).toBe(b);
    now += 54 * 60_000;
    expect((await p()).accessKeyId).toBe('ASIA000000000001');
    now += 2 * 60_000; // 4 minutes left: refresh
    expect((await p()).accessKeyId).toBe('ASIA000000000002');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('turns AccessDenied into AssumeRoleError naming the role, and retries on the next call', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(stsAccessDenied(ROLE))
      .resolves({
        Credentials: {
          AccessKeyId: 'ASIA2',
          SecretAccessKey: 'secret',
          SessionToken: 't',
          Expiration: new Date(now + 3600_000),
        },
      });
    const p = provider();
    const failure = await p().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AssumeRoleError);
    expect(failure).toMatchObject({ roleArn: ROLE, code: 'AccessDenied' });
    expect((failure as Error).message).toMatch(
      /^cannot assume arn:aws:iam::222222222222:role\/fleet-dns-scanner: AccessDenied: User: /,
    );
    await expect(p()).resolves.toMatchObject({ secretAccessKey: 'secret' });
  });

  it('assumeRole() fails before any collection starts', async () => {
    sts.on(AssumeRoleCommand).rejects(stsAccessDenied(ROLE));
    await expect(
      assumeRole({ sts: new STSClient({ region: 'eu-west-1' }), roleArn: ROLE, sessionName: 's' }),
    ).rejects.toBeInstanceOf(AssumeRoleError);
  });

  it('reads the caller identity and its partition', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111122223333',
      Arn: 'arn:aws-cn:sts::111122223333:assumed-role/scanner/s',
      UserId: 'AROA:s',
    });
    await expect(getCallerIdentity(new STSClient({ region: 'cn-north-1' }))).resolves.toEqual({
      accountId: '111122223333',
      arn: 'arn:aws-cn:sts::111122223333:assumed-role/scanner/s',
      partition: 'aws-cn',
    });
  });
});

describe('roleArnFor / scanSessionName', () => {
  it('builds role ARNs, with paths and partitions', () => {
    expect(roleArnFor('222222222222', 'fleet-dns-scanner')).toBe(ROLE);
    expect(roleArnFor('222222222222', '/platform/Scanner', 'aws-us-gov')).toBe(
      'arn:aws-us-gov:iam::222222222222:role/platform/Scanner',
    );
    expect(() => roleArnFor('2222', 'x')).toThrow(AwsConfigurationError);
  });

  it('always yields a session name STS accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (scanId) => {
        const name = scanSessionName(scanId);
        expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
        expect(name.startsWith('fleet-dns-')).toBe(true);
      }),
    );
  });
});
