/**
 * collect-region's routing field for the member-side dispatcher: a private-only cluster of an
 * account configured for it goes on with its endpoint, CA and `memberDispatch` (its account and
 * region) although the central side cannot reach its API — and with no `runnerNotDispatched`, so
 * StoreResult keeps what the member runner collects. Not configured, or not private-only: the
 * central behaviour, unchanged. Over the fake AWS world; the endpoints are closed loopback ports.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';
import {
  createCollectRegionHandler,
  parseMemberDispatchAccounts,
} from '../../../lambdas/handlers/collect-region.js';
import type { CollectRegionDeps } from '../../../lambdas/handlers/collect-region.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import { clusterToScanSchema, stagedAwsResultSchema } from '../../../lambdas/handlers/pipeline-payload.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import type { FakeAws } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';

const ACCOUNT = '111122223333';
const OTHER = '999988887777';
const REGION = 'eu-west-1';
const BUCKET = 'fleet-dns-work';
const memory = installMemoryS3();
let aws: FakeAws;
let output: OutputCapture;

beforeEach(() => {
  stubFakeAwsEnvironment(REGION);
  memory.clear();
  const vpc = buildVpc({
    vpcId: 'vpc-md',
    octet: 60,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [
      { name: 'private-only', nodes: 1 },
      { name: 'public-too', nodes: 1 },
    ],
  });
  aws = installFakeAws(
    [
      {
        accountId: ACCOUNT,
        region: REGION,
        vpcs: [vpc],
        clusters: [
          buildCluster({
            name: 'private-only',
            accountId: ACCOUNT,
            region: REGION,
            vpc,
            endpointPublicAccess: false,
            endpointPrivateAccess: true,
          }),
          buildCluster({
            name: 'public-too',
            accountId: ACCOUNT,
            region: REGION,
            vpc,
            endpointPublicAccess: true,
            endpointPrivateAccess: true,
          }),
        ],
      },
    ],
    { currentAccountId: ACCOUNT },
  );
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  aws.restore();
});
afterAll(() => memory.stub.restore());

const collect = (memberDispatchAccounts?: CollectRegionDeps['memberDispatchAccounts']) =>
  createCollectRegionHandler({
    ...createPowertools('fleet-dns-collect-region'),
    staging: s3StagedObjects(new S3Client({ region: REGION })),
    workBucket: BUCKET,
    homeRegion: REGION,
    kubeRequestTimeoutMs: 1000,
    ...(memberDispatchAccounts !== undefined ? { memberDispatchAccounts } : {}),
  });

const run = async (accounts?: CollectRegionDeps['memberDispatchAccounts']) => {
  const out = await collect(accounts)(
    { scanId: 's1', startedAt: '2026-12-02T02:00:00Z', item: { accountId: ACCOUNT, region: REGION } },
    fakeContext('fleet-dns-collect-region'),
  );
  const byName = Object.fromEntries(out.clusters.map((c) => [c.clusterId.split(':')[2]!, c]));
  const staged = (name: string) =>
    stagedAwsResultSchema.parse(memory.json(BUCKET, byName[name]!.awsResult.key));
  return { out, byName, staged };
};

describe('collect-region: routing to the member-side dispatcher', () => {
  it.each([['all' as const], [[ACCOUNT]]])(
    'configured (%j): the private-only cluster goes on with its endpoint, CA and memberDispatch, nothing staged against it',
    async (accounts) => {
      const { byName, staged } = await run(accounts);
      const routed = clusterToScanSchema.parse(byName['private-only']);
      expect(routed.memberDispatch).toEqual({ accountId: ACCOUNT, region: REGION });
      expect(routed.cluster).toEqual({
        endpoint: expect.stringMatching(/^https:\/\//),
        certificateAuthorityData: expect.any(String),
      });
      // Unread from here (the API is unreachable): the member dispatcher reads them.
      expect(routed.corednsPods).toEqual([]);
      expect(staged('private-only').runnerNotDispatched).toBeUndefined();
      // Public access too: reachable from the central side in principle, so dispatched centrally.
      expect(byName['public-too']).not.toHaveProperty('memberDispatch');
      expect(byName['public-too']!.cluster).toBeNull();
      expect(staged('public-too').runnerNotDispatched).toMatch(/.+/);
    },
  );

  it.each([[undefined], [[OTHER]]])(
    'not configured for the account (%j): the private-only cluster is not dispatchable, as before',
    async (accounts) => {
      const { byName, staged } = await run(accounts);
      expect(byName['private-only']).not.toHaveProperty('memberDispatch');
      expect(byName['private-only']!.cluster).toBeNull();
      expect(staged('private-only').runnerNotDispatched).toMatch(/.+/);
    },
  );
});

describe('MEMBER_DISPATCH_ACCOUNTS', () => {
  it('reads "all", account ids, and unset or empty as none; refuses anything else naming it', () => {
    expect(parseMemberDispatchAccounts('all')).toBe('all');
    expect(parseMemberDispatchAccounts(`${ACCOUNT},${OTHER}`)).toEqual([ACCOUNT, OTHER]);
    expect(parseMemberDispatchAccounts(undefined)).toBeUndefined();
    expect(parseMemberDispatchAccounts(' ')).toBeUndefined();
    expect(() => parseMemberDispatchAccounts('true')).toThrow(/MEMBER_DISPATCH_ACCOUNTS.*true/);
  });
});
