import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
  OrganizationsServiceException,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, AwsConfigurationError, resolveAccounts } from '../../../../lambdas/aws/index.js';
import { stubFakeAwsEnvironment } from '../support/fake-aws.js';

const account = (
  Id: string,
  Name: string,
  state: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' = 'ACTIVE',
) => ({
  Id,
  Name,
  Arn: `arn:aws:organizations::111111111111:account/o-abc123/${Id}`,
  Email: `${Name}@example.com`,
  State: state,
  JoinedMethod: 'CREATED' as const,
  JoinedTimestamp: new Date('2024-01-01T00:00:00Z'),
});

describe('resolveAccounts', () => {
  const orgs = mockClient(OrganizationsClient);
  const sts = mockClient(STSClient);
  afterAll(() => {
    orgs.restore();
    sts.restore();
  });
  const clients = () => ({
    sts: new STSClient({ region: 'us-east-1' }),
    organizations: new OrganizationsClient({ region: 'us-east-1' }),
  });
  beforeEach(() => {
    stubFakeAwsEnvironment('us-east-1');
    orgs.reset();
    sts.reset();
  });
  afterEach(() => {
    orgs.reset();
    sts.reset();
  });

  it('reads every page of ListAccounts and keeps only ACTIVE accounts', async () => {
    orgs
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [account('111111111111', 'management'), account('222222222222', 'prod')],
        NextToken: 'page-2',
      })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({
        Accounts: [
          account('333333333333', 'closed', 'SUSPENDED'),
          account('444444444444', 'closing', 'PENDING_CLOSURE'),
          // an older response shape: only the deprecated Status field
          { Id: '555555555555', Name: 'legacy', Status: 'ACTIVE' },
        ],
      });
    const accounts = await resolveAccounts({ mode: 'organization' }, clients());
    expect(accounts).toEqual([
      { id: '111111111111', name: 'management' },
      { id: '222222222222', name: 'prod' },
      { id: '555555555555', name: 'legacy' },
    ]);
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(2);
  });

  it('filters by OU, child OUs included, and applies exclusions', async () => {
    orgs
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-workloads' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-prod', Name: 'prod' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-prod' })
      .resolves({ OrganizationalUnits: [] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-workloads' })
      .resolves({ Accounts: [account('222222222222', 'shared')] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-prod' })
      .resolves({ Accounts: [account('333333333333', 'prod-a'), account('444444444444', 'prod-b')] });
    const accounts = await resolveAccounts(
      { mode: 'organization', organizationalUnits: ['ou-root-workloads'] },
      clients(),
      { exclude: ['444444444444'] },
    );
    expect(accounts.map((a) => a.id)).toEqual(['222222222222', '333333333333']);
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(0);
  });

  it('turns a refused ListAccounts into an AwsCallError (nothing can be scanned)', async () => {
    orgs.on(ListAccountsCommand).rejects(
      new OrganizationsServiceException({
        name: 'AWSOrganizationsNotInUseException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Your account is not a member of an organization.',
      }),
    );
    await expect(resolveAccounts({ mode: 'organization' }, clients())).rejects.toMatchObject({
      name: 'AwsCallError',
      call: 'organizations:ListAccounts',
      code: 'AWSOrganizationsNotInUseException',
    });
    await expect(resolveAccounts({ mode: 'organization' }, clients())).rejects.toBeInstanceOf(AwsCallError);
  });

  it('takes an explicit list (deduplicated) and validates the ids', async () => {
    await expect(
      resolveAccounts(
        { mode: 'list', accounts: ['222222222222', { id: '333333333333', name: 'prod' }, '222222222222'] },
        clients(),
      ),
    ).resolves.toEqual([{ id: '222222222222' }, { id: '333333333333', name: 'prod' }]);
    await expect(resolveAccounts({ mode: 'list', accounts: ['12345'] }, clients())).rejects.toBeInstanceOf(
      AwsConfigurationError,
    );
  });

  it('takes the current account from GetCallerIdentity', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999988887777', Arn: 'arn:aws:iam::999988887777:user/me' });
    await expect(resolveAccounts({ mode: 'current' }, clients())).resolves.toEqual([{ id: '999988887777' }]);
  });
});
