/**
 * The fake AWS endpoint's opt-in throttling (lab/fake-aws/server.ts `throttle`), which the fleet
 * benchmark relies on: per account×region and API family, a burst then a refill, answered on the
 * wire as AWS does (EC2 RequestLimitExceeded / 503, EKS ThrottlingException / 429) so the real
 * SDK surfaces and retries it. The buckets' clock is moved by hand: nothing here is timed.
 */
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand, ThrottlingException } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createThrottle, startFakeAwsEndpoint } from '../../../lab/fake-aws/index.js';
import type { FakeAwsEndpoint, FakeAwsEndpointOptions } from '../../../lab/fake-aws/index.js';
import { buildCluster, buildVpc } from '../aws/support/fake-aws.js';
import type { FakeRegionWorld } from '../aws/support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function world(): FakeRegionWorld {
  const vpc = buildVpc({
    vpcId: 'vpc-t',
    octet: 1,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'a', nodes: 1 }],
  });
  return {
    accountId: ACCOUNT,
    region: REGION,
    vpcs: [vpc],
    clusters: [buildCluster({ name: 'a', accountId: ACCOUNT, region: REGION, vpc })],
  };
}

describe('createThrottle', () => {
  it('admits the burst, refuses the next, and refills at the rate times the time scale', () => {
    let now = 0;
    const t = createThrottle({}, 10, () => now);
    const admitted = Array.from({ length: 101 }, () => t.admit('ec2', ACCOUNT, REGION));
    expect(admitted.filter(Boolean)).toHaveLength(100);
    expect(admitted.at(-1)).toBe(false);
    // 20/s × 10 = one token per 5 wall ms
    now = 4;
    expect(t.admit('ec2', ACCOUNT, REGION)).toBe(false);
    now = 9;
    expect(t.admit('ec2', ACCOUNT, REGION)).toBe(true);
    expect(t.admit('ec2', ACCOUNT, REGION)).toBe(false);
  });

  it('keeps one bucket per family, account and region', () => {
    const t = createThrottle(
      { ec2: { burst: 1, refillPerSecond: 1 }, eks: { burst: 1, refillPerSecond: 1 } },
      1,
      () => 0,
    );
    expect(t.admit('ec2', ACCOUNT, REGION)).toBe(true);
    expect(t.admit('ec2', ACCOUNT, REGION)).toBe(false);
    expect(t.admit('eks', ACCOUNT, REGION)).toBe(true);
    expect(t.admit('ec2', ACCOUNT, 'us-east-1')).toBe(true);
    expect(t.admit('ec2', '444455556666', REGION)).toBe(true);
  });
});

describe('the endpoint with throttle', () => {
  let endpoint: FakeAwsEndpoint | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await endpoint?.close();
    endpoint = undefined;
  });
  const start = async (options: Partial<FakeAwsEndpointOptions>) => {
    endpoint = await startFakeAwsEndpoint([world()], { currentAccountId: ACCOUNT, ...options });
    for (const [k, v] of Object.entries(endpoint.env)) vi.stubEnv(k, v);
    return endpoint;
  };
  const settle = <T>(p: Promise<T>) =>
    p.then(
      () => 'ok' as const,
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );

  it('answers a burst past 100 EC2 calls with RequestLimitExceeded (503), which the SDK surfaces', async () => {
    const fake = await start({ throttle: { ec2: { burst: 100, refillPerSecond: 20 } }, clock: () => 0 });
    const ec2 = new EC2Client({ region: REGION, maxAttempts: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 101 }, () => settle(ec2.send(new DescribeVpcsCommand({})))),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(100);
    const refused = outcomes.filter((o) => o !== 'ok');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    expect(fake.calls().filter((c) => c.throttled)).toEqual([
      { service: 'ec2', operation: 'DescribeVpcs', accountId: ACCOUNT, region: REGION, throttled: true },
    ]);
  });

  it('answers EKS past its bucket with ThrottlingException (429)', async () => {
    await start({ throttle: { eks: { burst: 2, refillPerSecond: 1 } }, clock: () => 0 });
    const eks = new EKSClient({ region: REGION, maxAttempts: 1 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await settle(eks.send(new ListClustersCommand({}))));
    expect(outcomes.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(outcomes[2]).toBeInstanceOf(ThrottlingException);
    expect(outcomes[2]).toMatchObject({ $metadata: { httpStatusCode: 429 } });
  });

  it('lets the SDK retry a throttled call once the bucket has refilled', async () => {
    // each read of the clock is one wall second later: 0.5 tokens a read, so every other request is refused
    let now = -1000;
    const fake = await start({
      throttle: { ec2: { burst: 1, refillPerSecond: 0.5 } },
      clock: () => (now += 1000),
    });
    const ec2 = new EC2Client({ region: REGION, maxAttempts: 3, retryMode: 'standard' });
    await ec2.send(new DescribeVpcsCommand({}));
    const second = await ec2.send(new DescribeVpcsCommand({}));
    expect(second.$metadata.attempts).toBe(2);
    expect(fake.calls().map((c) => c.throttled === true)).toEqual([false, true, false]);
  });

  it('throttles nothing without the option', async () => {
    const fake = await start({});
    const ec2 = new EC2Client({ region: REGION, maxAttempts: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, () => settle(ec2.send(new DescribeVpcsCommand({})))),
    );
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    expect(fake.calls().some((c) => c.throttled)).toBe(false);
  });
});
