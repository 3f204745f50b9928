/**
 * discover and collect-region through their middy wrappers over the fake AWS world and an
 * in-memory S3: work items and account gaps written for the Map and Summarize, a cluster id
 * narrowing the scan, and a cluster whose API cannot be reached going on undispatched with the
 * reason staged (never a thrown item). The happy path with a reachable API is pipeline.test.ts.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCollectRegionHandler } from '../../../lambdas/handlers/collect-region.js';
import { createDiscoverHandler } from '../../../lambdas/handlers/discover.js';
import { HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import type { ScanScopeConfig } from '../../../lambdas/handlers/pipeline-config.js';
import { stagedAwsResultSchema } from '../../../lambdas/handlers/pipeline-payload.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import type { FakeAws } from '../aws/support/fake-aws.js';
import { installMemoryS3 } from '../aws/support/memory-s3.js';
import { captureOutput, fakeContext } from './support.js';
import type { OutputCapture } from './support.js';
import { s3StagedObjects } from '../../../lambdas/aws/s3/index.js';

const ACCOUNT = '111122223333';
const DENIED = '444455556666';
const REGION = 'eu-west-1';
const BUCKET = 'fleet-dns-work';
const memory = installMemoryS3();
let aws: FakeAws;
let output: OutputCapture;

beforeEach(() => {
  stubFakeAwsEnvironment(REGION);
  memory.clear();
  const vpc = buildVpc({
    vpcId: 'vpc-dc',
    octet: 50,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'private-a', nodes: 1 }],
  });
  aws = installFakeAws(
    [
      {
        accountId: ACCOUNT,
        region: REGION,
        vpcs: [vpc],
        // the default endpoint is a closed loopback port: the API cannot be reached
        clusters: [buildCluster({ name: 'private-a', accountId: ACCOUNT, region: REGION, vpc })],
      },
    ],
    { currentAccountId: ACCOUNT, denyAssumeRole: [DENIED] },
  );
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  aws.restore();
});
afterAll(() => memory.stub.restore());

const scope = (over: Partial<ScanScopeConfig> = {}): ScanScopeConfig => ({
  accounts: { mode: 'list', accounts: [ACCOUNT, DENIED] },
  exclude: [],
  regions: { mode: 'list', regions: [REGION] },
  roleName: 'fleet-dns-scanner',
  homeRegion: REGION,
  ...over,
});
const discover = (over: Partial<ScanScopeConfig> = {}) =>
  createDiscoverHandler({
    ...createPowertools('fleet-dns-discover'),
    staging: s3StagedObjects(new S3Client({ region: REGION })),
    workBucket: BUCKET,
    scope: scope(over),
    now: () => new Date('2026-12-02T02:00:00.123Z'),
  });

describe('discover handler', () => {
  it('names the scan, writes one work item per entered account×region and stages the accounts it could not enter', async () => {
    const out = await discover()({}, fakeContext('fleet-dns-discover'));
    expect(out).toMatchObject({
      startedAt: '2026-12-02T02:00:00.123Z',
      itemCount: 1,
      workItems: { bucket: BUCKET, key: `scans/${out.scanId}/work-items.json` },
    });
    expect(memory.json(BUCKET, out.workItems.key)).toEqual([{ accountId: ACCOUNT, region: REGION }]);
    const gaps = memory.json(BUCKET, `scans/${out.scanId}/discovery-gaps.json`) as { accountId: string }[];
    expect(gaps).toEqual([expect.objectContaining({ scope: 'account', accountId: DENIED })]);
    expect(out.scanId).toMatch(/^scan-20261202t020000z-[0-9a-f]{6}$/); // newScanId, as POST /scans makes them
  });

  it('a cluster id narrows the scan to its account, region and name; the given scan id is kept', async () => {
    const out = await discover()(
      { scanId: 'api-scan-1', clusterId: `${ACCOUNT}:${REGION}:private-a` },
      fakeContext('fleet-dns-discover'),
    );
    expect(out.scanId).toBe('api-scan-1');
    expect(memory.json(BUCKET, out.workItems.key)).toEqual([
      { accountId: ACCOUNT, region: REGION, clusterNames: ['private-a'] },
    ]);
  });

  it('assumeRoleInCurrentAccount: the own account is entered through its member role, whose ARN its work item carries', async () => {
    const out = await discover({ accounts: { mode: 'current' }, assumeRoleInCurrentAccount: true })(
      {},
      fakeContext('fleet-dns-discover'),
    );
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/fleet-dns-scanner`;
    expect(memory.json(BUCKET, out.workItems.key)).toEqual([{ accountId: ACCOUNT, region: REGION, roleArn }]);
    expect(
      aws.sts.calls().map((c) => (c.args[0] as { input: { RoleArn?: string } }).input.RoleArn),
    ).toContain(roleArn);
  });

  it('refuses a malformed cluster id', async () => {
    await expect(
      discover()({ clusterId: 'private-a' }, fakeContext('fleet-dns-discover')),
    ).rejects.toBeInstanceOf(HandlerInputError);
  });
});

describe('collect-region handler', () => {
  const collect = () =>
    createCollectRegionHandler({
      ...createPowertools('fleet-dns-collect-region'),
      staging: s3StagedObjects(new S3Client({ region: REGION })),
      workBucket: BUCKET,
      homeRegion: REGION,
      kubeRequestTimeoutMs: 1000,
    });

  it('an unreachable cluster API: the cluster goes on with cluster null and the reason staged, never a thrown item', async () => {
    const out = await collect()(
      { scanId: 's1', startedAt: '2026-12-02T02:00:00Z', item: { accountId: ACCOUNT, region: REGION } },
      fakeContext('fleet-dns-collect-region'),
    );
    expect(out).toMatchObject({ scanId: 's1', accountId: ACCOUNT, region: REGION, gaps: [] });
    expect(out.clusters).toEqual([
      {
        scanId: 's1',
        startedAt: '2026-12-02T02:00:00Z',
        clusterId: `${ACCOUNT}:${REGION}:private-a`,
        cluster: null,
        corednsPods: [],
        awsResult: { bucket: BUCKET, key: `scans/s1/aws/${ACCOUNT}:${REGION}:private-a.json` },
      },
    ]);
    const staged = stagedAwsResultSchema.parse(memory.json(BUCKET, out.clusters[0]!.awsResult.key));
    expect(staged.scan).toEqual({ id: 's1', startedAt: '2026-12-02T02:00:00Z' });
    expect(staged.checks.some((c) => c.id === 'NET-SG-DNS-UDP')).toBe(true);
    expect(staged.runnerNotDispatched).toMatch(/CoreDNS pods|unreachable|ECONNREFUSED|connect/i);
  });

  it('a cluster that does not exist is a cluster gap; a denied role an account gap', async () => {
    const missing = await collect()(
      {
        scanId: 's1',
        startedAt: '2026-12-02T02:00:00Z',
        item: { accountId: ACCOUNT, region: REGION, clusterNames: ['gone'] },
      },
      fakeContext('fleet-dns-collect-region'),
    );
    expect(missing.clusters).toEqual([]);
    expect(missing.gaps).toEqual([
      expect.objectContaining({ scope: 'cluster', clusterId: `${ACCOUNT}:${REGION}:gone` }),
    ]);
    const denied = await collect()(
      {
        scanId: 's1',
        startedAt: '2026-12-02T02:00:00Z',
        item: { accountId: DENIED, region: REGION, roleArn: `arn:aws:iam::${DENIED}:role/fleet-dns-scanner` },
      },
      fakeContext('fleet-dns-collect-region'),
    );
    expect(denied.gaps).toEqual([expect.objectContaining({ scope: 'account', accountId: DENIED })]);
  });
});
