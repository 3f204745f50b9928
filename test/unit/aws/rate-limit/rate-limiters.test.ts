import { describe, expect, it } from 'vitest';
import {
  AwsConfigurationError,
  RateLimiters,
  resolveRateLimitOptions,
} from '../../../../lambdas/aws/index.js';
import { flush, ManualClock } from '../support/manual-clock.js';

/** A request that stays in flight until released, recording the peak concurrency. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  return {
    request: () =>
      new Promise<void>((resolve) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        releases.push(() => {
          inFlight -= 1;
          resolve();
        });
      }),
    releaseAll: async () => {
      while (releases.length > 0) {
        releases.splice(0).forEach((r) => r());
        await flush();
      }
    },
    get peak() {
      return peak;
    },
  };
}

describe('RateLimiters', () => {
  it('uses half of the EC2 bucket by default: 50 burst, 10 per second per account×region', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiters({
      clock,
      accountConcurrency: 1000,
      globalConcurrency: 1000,
    }).forAccountRegion('111122223333', 'eu-west-1');
    expect(limiter.bucket.capacity).toBe(50);
    expect(limiter.bucket.refillPerSecond).toBe(10);

    let done = 0;
    for (let i = 0; i < 70; i += 1) void limiter.run('ec2:DescribeSubnets', async () => void (done += 1));
    await flush();
    expect(done).toBe(50);
    await clock.advance(1000);
    expect(done).toBe(60);
    await clock.advance(1000);
    expect(done).toBe(70);
  });

  it('shares one bucket between the EC2 and EKS callers of an account×region, not across regions', async () => {
    const clock = new ManualClock();
    const limiters = new RateLimiters({ clock, burstCapacity: 4, share: 1 });
    const a = limiters.forAccountRegion('111122223333', 'eu-west-1');
    expect(limiters.forAccountRegion('111122223333', 'eu-west-1')).toBe(a);
    let done = 0;
    for (let i = 0; i < 3; i += 1) void a.run('ec2:DescribeVpcs', async () => void (done += 1));
    for (let i = 0; i < 3; i += 1) void a.run('eks:DescribeCluster', async () => void (done += 1));
    const other = limiters.forAccountRegion('111122223333', 'us-east-1');
    let otherDone = 0;
    for (let i = 0; i < 4; i += 1) void other.run('ec2:DescribeVpcs', async () => void (otherDone += 1));
    await flush();
    expect(done).toBe(4);
    expect(otherDone).toBe(4);
    expect(a.stats()).toEqual({ total: 4, byCall: { 'ec2:DescribeVpcs': 3, 'eks:DescribeCluster': 1 } });
  });

  it('bounds requests in flight per account (all its regions together)', async () => {
    const limiters = new RateLimiters({ accountConcurrency: 3, globalConcurrency: 100 });
    const g = gate();
    const runs = ['eu-west-1', 'us-east-1'].flatMap((r) =>
      Array.from({ length: 5 }, () =>
        limiters.forAccountRegion('111122223333', r).run('ec2:DescribeVpcs', g.request),
      ),
    );
    await flush();
    expect(g.peak).toBe(3);
    await g.releaseAll();
    await Promise.all(runs);
    expect(g.peak).toBe(3);
  });

  it('bounds requests in flight across every account', async () => {
    const limiters = new RateLimiters({ accountConcurrency: 10, globalConcurrency: 4 });
    const g = gate();
    const runs = ['111111111111', '222222222222', '333333333333'].flatMap((account) =>
      Array.from({ length: 3 }, () =>
        limiters.forAccountRegion(account, 'eu-west-1').run('eks:ListClusters', g.request),
      ),
    );
    await flush();
    expect(g.peak).toBe(4);
    await g.releaseAll();
    await Promise.all(runs);
  });

  it('passes a failing request’s error through unchanged', async () => {
    const limiter = new RateLimiters().forAccountRegion('111122223333', 'eu-west-1');
    const boom = new Error('boom');
    await expect(limiter.run('ec2:DescribeVpcs', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it.each([
    [{ share: 0 }, /share must be in \(0, 1\], got 0/],
    [{ share: 1.5 }, /share must be in \(0, 1\], got 1.5/],
    [{ accountConcurrency: 0 }, /accountConcurrency must be an integer ≥ 1, got 0/],
    [{ globalConcurrency: 2.5 }, /globalConcurrency must be an integer ≥ 1, got 2.5/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveRateLimitOptions(options)).toThrow(AwsConfigurationError);
    expect(() => resolveRateLimitOptions(options)).toThrow(message);
  });
});
