/**
 * Child of bench/fleet.bench.ts: one collect-region invocation (the deployed handler's code,
 * memory staging) for ACCOUNT REGION against the fake AWS endpoint its environment names, with
 * the RSS high-water mark sampled every 10 ms; prints `{"peakRssMb": N, "clusters": N}`.
 */
import { memoryStagedObjects } from '../lambdas/aws/s3/index.js';
import { createCollectRegionHandler } from '../lambdas/handlers/collect-region.js';
import { inProcessContext, silentPowertools } from '../lambdas/handlers/in-process-scan.js';

const [account = '', region = ''] = process.argv.slice(2);
// what the process holds before the handler's first request (node, tsx, the modules loaded)
const before = process.memoryUsage().rss;
let peak = before;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const handler = createCollectRegionHandler({
  ...silentPowertools('fleet-dns-collect-region'),
  staging: memoryStagedObjects(),
  workBucket: 'bench',
  homeRegion: region,
  tokenFactory: () => Promise.resolve({ token: 'bench', expiresAt: new Date(Date.now() + 600_000) }),
});
const out = await handler(
  {
    scanId: '2026-01-01T00-00-00Z-bench',
    startedAt: '2026-01-01T00:00:00.000Z',
    item: { accountId: account, region, roleArn: `arn:aws:iam::${account}:role/fleet-dns-scanner` },
  },
  inProcessContext('fleet-dns-collect-region', region, '00000000-0000-4000-8000-000000000001'),
);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({ peakRssMb: Math.round((peak / 2 ** 20) * 10) / 10, beforeRssMb: Math.round((before / 2 ** 20) * 10) / 10, clusters: out.clusters.length })}\n`,
);
