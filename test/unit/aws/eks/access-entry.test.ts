import {
  AccessDeniedException,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  EKSClient,
  ResourceInUseException,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  AwsCallError,
  awsAuthMapRolesEntry,
  ensureScannerAccessEntry,
  iamRoleArnProblem,
  parseIamRoleArn,
} from '../../../../lambdas/aws/index.js';

const ROLE = 'arn:aws:iam::111122223333:role/fleet-dns-scanner';
const CLUSTER = 'prod-a';
const GROUP = 'fleet-dns-scanner';

describe('parseIamRoleArn', () => {
  it.each([
    [ROLE, '/', 'fleet-dns-scanner', ROLE],
    [
      'arn:aws:iam::111122223333:role/platform/dns/fleet-dns-scanner',
      '/platform/dns/',
      'fleet-dns-scanner',
      ROLE,
    ],
    [
      'arn:aws-cn:iam::111122223333:role/scan+er=,.@-_1',
      '/',
      'scan+er=,.@-_1',
      'arn:aws-cn:iam::111122223333:role/scan+er=,.@-_1',
    ],
    ['arn:aws-us-gov:iam::111122223333:role/a/b', '/a/', 'b', 'arn:aws-us-gov:iam::111122223333:role/b'],
  ])('%s: path %s, name %s', (arn, path, roleName, arnWithoutPath) => {
    expect(parseIamRoleArn(arn)).toMatchObject({ path, roleName, arnWithoutPath, accountId: '111122223333' });
    expect(iamRoleArnProblem(arn)).toBeUndefined();
  });

  it.each([
    'fleet-dns-scanner',
    'arn:aws:iam::111122223333:user/alice',
    'arn:aws:iam::11112222333:role/x',
    'arn:aws:sts::111122223333:assumed-role/x/session',
    'arn:aws-eu:iam::111122223333:role/x',
    'arn:aws:iam::111122223333:role/',
    'arn:aws:iam::111122223333:role/a//b',
    `arn:aws:iam::111122223333:role/${'x'.repeat(65)}`,
  ])('%s is refused with a clear problem', (arn) => {
    expect(parseIamRoleArn(arn)).toBeUndefined();
    expect(iamRoleArnProblem(arn)).toMatch(
      /is not an IAM role ARN: expected arn:aws:iam::<12-digit account>/,
    );
  });
});

describe('awsAuthMapRolesEntry', () => {
  it('is the exact mapRoles item, the role path left out', () => {
    const role = parseIamRoleArn('arn:aws:iam::111122223333:role/platform/fleet-dns-scanner');
    if (!role) throw new Error('parse');
    expect(awsAuthMapRolesEntry(role, [GROUP])).toBe(
      `- rolearn: ${ROLE}\n  username: fleet-dns-scanner\n  groups:\n    - fleet-dns-scanner\n`,
    );
  });

  it('quotes a group that YAML would misread', () => {
    const role = parseIamRoleArn(ROLE);
    if (!role) throw new Error('parse');
    const text = awsAuthMapRolesEntry(role, ['ops: scanners']);
    expect(parse(text)).toEqual([
      { rolearn: ROLE, username: 'fleet-dns-scanner', groups: ['ops: scanners'] },
    ]);
  });
});

describe('ensureScannerAccessEntry', () => {
  const eksMock = mockClient(EKSClient);
  afterAll(() => {
    eksMock.restore();
  });
  const eks = new EKSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const ensure = (kubernetesGroups = [GROUP]) =>
    ensureScannerAccessEntry({ eks, clusterName: CLUSTER, principalArn: ROLE, kubernetesGroups });
  const mode = (authenticationMode?: string) =>
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: { name: CLUSTER, ...(authenticationMode ? { accessConfig: { authenticationMode } } : {}) },
    } as never);
  const inUse = () =>
    new ResourceInUseException({
      message: 'The specified access entry resource is already in use on this cluster.',
      $metadata: { httpStatusCode: 409 },
    });

  beforeEach(() => eksMock.reset());
  afterEach(() => eksMock.reset());

  it.each(['API', 'API_AND_CONFIG_MAP'])(
    '%s mode: creates the access entry with the scanner group',
    async (m) => {
      mode(m);
      eksMock.on(CreateAccessEntryCommand).resolves({});
      expect(await ensure()).toEqual({
        authenticationMode: m,
        action: 'created',
        principalArn: ROLE,
        kubernetesGroups: [GROUP],
      });
      expect(eksMock).toHaveReceivedCommandWith(DescribeClusterCommand, { name: CLUSTER });
      expect(eksMock).toHaveReceivedCommandWith(CreateAccessEntryCommand, {
        clusterName: CLUSTER,
        principalArn: ROLE,
        kubernetesGroups: [GROUP],
      });
      expect(eksMock).not.toHaveReceivedCommand(UpdateAccessEntryCommand);
    },
  );

  it('an existing entry with the group is unchanged: nothing updated', async () => {
    mode('API');
    eksMock.on(CreateAccessEntryCommand).rejects(inUse());
    eksMock
      .on(DescribeAccessEntryCommand)
      .resolves({ accessEntry: { principalArn: ROLE, kubernetesGroups: [GROUP] } });
    expect(await ensure()).toMatchObject({ action: 'unchanged', kubernetesGroups: [GROUP] });
    expect(eksMock).toHaveReceivedCommandWith(DescribeAccessEntryCommand, {
      clusterName: CLUSTER,
      principalArn: ROLE,
    });
    expect(eksMock).not.toHaveReceivedCommand(UpdateAccessEntryCommand);
  });

  it('an existing entry with other groups is updated to add ours, keeping its own', async () => {
    mode('API_AND_CONFIG_MAP');
    eksMock.on(CreateAccessEntryCommand).rejects(inUse());
    eksMock
      .on(DescribeAccessEntryCommand)
      .resolves({ accessEntry: { principalArn: ROLE, kubernetesGroups: ['auditors'] } });
    eksMock.on(UpdateAccessEntryCommand).resolves({});
    expect(await ensure()).toMatchObject({ action: 'configured', kubernetesGroups: ['auditors', GROUP] });
    expect(eksMock).toHaveReceivedCommandWith(UpdateAccessEntryCommand, {
      clusterName: CLUSTER,
      principalArn: ROLE,
      kubernetesGroups: ['auditors', GROUP],
    });
  });

  it.each([['CONFIG_MAP'], [undefined]])(
    'authenticationMode %s: no access entry call, the aws-auth mapRoles entry instead',
    async (m) => {
      mode(m);
      const result = await ensure();
      expect(result).toMatchObject({ authenticationMode: 'CONFIG_MAP', action: 'aws-auth' });
      expect(result.action === 'aws-auth' && result.mapRolesEntry).toBe(
        `- rolearn: ${ROLE}\n  username: fleet-dns-scanner\n  groups:\n    - fleet-dns-scanner\n`,
      );
      expect(eksMock).not.toHaveReceivedCommand(CreateAccessEntryCommand);
      expect(eksMock).not.toHaveReceivedCommand(DescribeAccessEntryCommand);
      expect(eksMock).not.toHaveReceivedCommand(UpdateAccessEntryCommand);
    },
  );

  it('AccessDenied is an AwsCallError naming the call and the code', async () => {
    mode('API');
    eksMock.on(CreateAccessEntryCommand).rejects(
      new AccessDeniedException({
        message:
          'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: eks:CreateAccessEntry',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = await ensure().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({ call: 'eks:CreateAccessEntry', kind: 'denied' });
    expect((error as Error).message).toBe(
      'eks:CreateAccessEntry failed: AccessDeniedException: User: arn:aws:iam::111122223333:user/alice is not authorized to perform: eks:CreateAccessEntry',
    );
  });

  it('a denied DescribeCluster stops before any access entry call', async () => {
    eksMock
      .on(DescribeClusterCommand)
      .rejects(new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }));
    await expect(ensure()).rejects.toThrow(/^eks:DescribeCluster failed: AccessDeniedException: no$/);
    expect(eksMock).not.toHaveReceivedCommand(CreateAccessEntryCommand);
  });

  it('refuses a principal that is no role ARN before calling AWS', async () => {
    await expect(
      ensureScannerAccessEntry({
        eks,
        clusterName: CLUSTER,
        principalArn: 'alice',
        kubernetesGroups: [GROUP],
      }),
    ).rejects.toThrow(/is not an IAM role ARN/);
    expect(eksMock.calls()).toHaveLength(0);
  });
});
