/**
 * `npm run -s bench -- collect [CLUSTERS] [CLUSTERS_PER_VPC]`: EC2 + EKS requests per cluster
 * and wall time of collectRegion against mocked AWS (aws-sdk-client-mock, real-shaped
 * responses; no network). Prints (a) the requests of a cluster alone in its VPC, (b) those of
 * each further cluster in an already-collected VPC, the totals for CLUSTERS clusters, and the
 * wall time with an unlimited budget (our own cost) and at the default budget (half of EC2's
 * 100-burst / 20-per-second bucket), which is what a real account×region would see.
 */
import { performance } from 'node:perf_hooks';
import { collectRegion, RateLimiters } from '../lambdas/aws/index.js';
import {
  buildCluster,
  buildVpc,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../test/unit/aws/support/fake-aws.js';
import type { BuiltVpc, FakeCluster, FakeRegionWorld } from '../test/unit/aws/support/fake-aws.js';
import type { Benchmark } from './run.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function world(clusters: number, perVpc: number, otherEnisPerVpc: number): FakeRegionWorld {
  const vpcs: BuiltVpc[] = [];
  const built: FakeCluster[] = [];
  for (let v = 0; v * perVpc < clusters; v += 1) {
    const names = Array.from(
      { length: Math.min(perVpc, clusters - v * perVpc) },
      (_, i) => `c${v * perVpc + i}`,
    );
    const vpc = buildVpc({
      vpcId: `vpc-b${v}`,
      octet: v % 250,
      accountId: ACCOUNT,
      region: REGION,
      clusters: names.map((name) => ({ name, nodes: 3 })),
      otherEnis: otherEnisPerVpc,
    });
    vpcs.push(vpc);
    built.push(...names.map((name) => buildCluster({ name, accountId: ACCOUNT, region: REGION, vpc })));
  }
  return { accountId: ACCOUNT, region: REGION, vpcs, clusters: built };
}

async function measure(w: FakeRegionWorld, limiters: RateLimiters) {
  const aws = installFakeAws([w], { currentAccountId: ACCOUNT });
  try {
    const t0 = performance.now();
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION },
      { kubernetes: false, limiters, clusterConcurrency: 8 },
    );
    const ms = performance.now() - t0;
    if (result.clusters.length !== w.clusters.length)
      throw new Error(`collected ${result.clusters.length} of ${w.clusters.length}`);
    return { ec2: aws.ec2.calls().length, eks: aws.eks.calls().length, ms };
  } finally {
    aws.restore();
  }
}

const unlimited = () =>
  new RateLimiters({
    burstCapacity: 1e9,
    refillPerSecond: 1e9,
    share: 1,
    accountConcurrency: 64,
    globalConcurrency: 64,
  });

const bench: Benchmark = {
  description: 'EC2 + EKS requests per cluster and collection wall time against mocked AWS',
  async run(args) {
    const clusters = Number(args[0] ?? 40);
    const perVpc = Number(args[1] ?? 4);
    stubFakeAwsEnvironment(REGION);

    const alone = await measure(world(1, 1, 50), unlimited());
    const two = await measure(world(2, 2, 50), unlimited());
    const fleet = await measure(world(clusters, perVpc, 200), unlimited());
    const budgeted = await measure(world(clusters, perVpc, 200), new RateLimiters());
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      a_alone_in_vpc_ec2_calls: alone.ec2,
      a_alone_in_vpc_eks_calls: alone.eks,
      b_further_cluster_same_vpc_ec2_calls: two.ec2 - alone.ec2,
      b_further_cluster_same_vpc_eks_calls: two.eks - alone.eks,
      clusters,
      clusters_per_vpc: perVpc,
      total_ec2_calls: fleet.ec2,
      total_eks_calls: fleet.eks,
      calls_per_cluster: round((fleet.ec2 + fleet.eks) / clusters),
      wall_ms_unlimited_budget: round(fleet.ms),
      wall_ms_default_budget: round(budgeted.ms),
      default_budget: '50 burst, 10/s per account×region',
    };
  },
};
export default bench;
