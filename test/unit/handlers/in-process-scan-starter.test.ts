/**
 * `POST /scans` on a local API (`fleet-dns serve`): the API handler with the in-process starter
 * answers 202 with the new scan's id at once; the scan then runs the fleet-scan handlers in this
 * process against the fake AWS world and its results reach the store under that id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../lambdas/handlers/api.js';
import type { ApiGatewayProxyEvent } from '../../../lambdas/handlers/api.js';
import { silentPowertools } from '../../../lambdas/handlers/in-process-scan.js';
import { inProcessScanStarter } from '../../../lambdas/handlers/in-process-scan-starter.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import type { FakeAws } from '../aws/support/fake-aws.js';
import { fakeContext } from './support.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const idOf = (name: string) => `${ACCOUNT}:${REGION}:${name}`;

function event(method: string, rawPath: string, body: string | null = null): ApiGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path: rawPath,
    httpMethod: method,
    headers: { Host: '127.0.0.1' },
    multiValueHeaders: { Host: ['127.0.0.1'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: rawPath.slice(1) },
    stageVariables: null,
    requestContext: { domainName: '127.0.0.1', stage: 'local', requestId: 'r-1' },
    body,
    isBase64Encoded: false,
  };
}

describe('POST /scans with the in-process starter', () => {
  let dir: string;
  let store: ResultStore;
  let aws: FakeAws;

  beforeAll(() => {
    stubFakeAwsEnvironment(REGION);
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-starter-'));
    store = openEmbeddedStore({ path: path.join(dir, 'results.db') });
    const vpc = buildVpc({
      vpcId: 'vpc-local',
      octet: 44,
      accountId: ACCOUNT,
      region: REGION,
      clusters: [
        { name: 'prod-a', nodes: 2 },
        { name: 'prod-b', nodes: 2 },
      ],
    });
    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: ['prod-a', 'prod-b'].map((name) =>
            buildCluster({ name, accountId: ACCOUNT, region: REGION, vpc }),
          ),
        },
      ],
      { currentAccountId: ACCOUNT },
    );
  });

  afterAll(async () => {
    aws?.restore();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 202 with the scan id at once, then stores that scan of the cluster asked for', async () => {
    const done: string[] = [];
    const starter = inProcessScanStarter({
      store,
      scope: {
        accounts: { mode: 'current' },
        exclude: [],
        regions: { mode: 'list', regions: [REGION] },
        roleName: 'fleet-dns-scanner',
        homeRegion: REGION,
      },
      runnerSkippedReason: 'no runner image (a test)',
      onDone: (scanId, outcome) =>
        done.push(`${scanId} ${outcome instanceof Error ? outcome.message : 'ok'}`),
    });
    const api = createApiHandler({ store, startScan: starter.start, ...silentPowertools('fleet-dns-api') });
    const answer = await api(
      event('POST', '/scans', JSON.stringify({ clusterId: idOf('prod-b') })),
      fakeContext('fleet-dns-api'),
    );
    expect(answer.statusCode).toBe(202);
    const { scanId } = JSON.parse(answer.body) as { scanId: string };
    expect(scanId).toMatch(/^scan-\d{8}t\d{6}z-[0-9a-f]{6}$/);
    await starter.idle();
    expect(done).toEqual([`${scanId} ok`]);
    const latest = await store.getLatest(idOf('prod-b'));
    expect(latest?.scan?.id).toBe(scanId);
    expect(latest?.checks.find((c) => c.id === 'DNS-INTERNAL')).toMatchObject({
      status: 'SKIPPED',
      evidence: { reason: 'no runner image (a test)' },
    });
    // only the cluster asked for
    expect(await store.getLatest(idOf('prod-a'))).toBeNull();
    expect((await store.getScan(scanId))?.coverage.clustersScanned).toBe(1);
  }, 120_000);
});
