/**
 * The fleet benchmark's pure parts: the shape of the simulated fleet (how many clusters, VPCs and
 * ENIs each account×region holds) and the lower bound its makespan is judged against. No I/O,
 * so the arithmetic is unit-tested (test/unit/bench/fleet-model.test.ts). See docs/scale.md.
 */

/** One VPC of an account×region: its clusters and the ENIs of everything else in it. */
export interface VpcSpec {
  readonly clusters: number;
  readonly otherEnis: number;
}

/** One account×region work item of the fleet. */
export interface ItemSpec {
  readonly accountIndex: number;
  readonly regionIndex: number;
  readonly vpcs: readonly VpcSpec[];
}

export const clustersOf = (item: ItemSpec): number => item.vpcs.reduce((n, v) => n + v.clusters, 0);

export interface FleetShape {
  /** @default 50 */
  readonly accounts?: number;
  /** @default 4 */
  readonly regions?: number;
  /** @default 1000 */
  readonly clusters?: number;
}

/** ENIs besides the clusters' nodes, cycled over the VPCs: mostly small, some busy, a few huge. */
const OTHER_ENIS = [20, 60, 150, 400, 20, 900, 60, 2000, 150, 20, 400, 60];

/**
 * A deterministic fleet: item 0 is the largest account×region (30 clusters, 3 VPCs, ~2,000
 * ENIs in all); the other items hold 1–9 clusters, grouped 1–4 per VPC, topped up or trimmed
 * round-robin until the fleet has exactly `clusters`.
 */
export function fleetShape(shape: FleetShape = {}): ItemSpec[] {
  const accounts = shape.accounts ?? 50;
  const regions = shape.regions ?? 4;
  const total = shape.clusters ?? 1000;
  const items = accounts * regions;
  const largest = Math.min(30, total);
  const counts = Array.from({ length: items }, (_, i) => (i === 0 ? largest : 1 + ((i * 7) % 9)));
  let sum = counts.reduce((a, b) => a + b, 0);
  for (let i = 1; sum !== total && items > 1; i = (i % (items - 1)) + 1) {
    if (sum < total) {
      counts[i]! += 1;
      sum += 1;
    } else if (counts[i]! > 1) {
      counts[i]! -= 1;
      sum -= 1;
    } else if (counts.slice(1).every((c) => c <= 1)) break;
  }
  return counts.map((n, i) => {
    const vpcs: VpcSpec[] = [];
    if (i === 0) {
      const per = Math.ceil(n / 3);
      const otherEnis = [1600, 200, 200];
      for (let v = 0, left = n; left > 0; v++, left -= per)
        vpcs.push({ clusters: Math.min(per, left), otherEnis: otherEnis[v] ?? 20 });
    } else {
      const per = 1 + (i % 4);
      for (let v = 0, left = n; left > 0; v++, left -= per)
        vpcs.push({ clusters: Math.min(per, left), otherEnis: OTHER_ENIS[(i + v) % OTHER_ENIS.length]! });
    }
    return { accountIndex: Math.floor(i / regions), regionIndex: i % regions, vpcs };
  });
}

/** What the lower bound assumes of the deployment and of AWS. */
export interface LowerBoundModel {
  /** the bucket's burst (EC2 non-mutating: 100) */
  readonly burst: number;
  /** the bucket's sustained rate, tokens/s (EC2: 20) */
  readonly refillPerSecond: number;
  /** the limiter's share of the bucket (RateLimiters' share, default 0.5) */
  readonly share: number;
  /** account×region items at once (the Distributed Map's MaxConcurrency) */
  readonly mapConcurrency: number;
  /** clusters of one item at once (the inline Map's MaxConcurrency) */
  readonly clusterConcurrency: number;
  /** one cluster's in-cluster phase, dispatch → collected, seconds */
  readonly runnerSeconds: number;
}

/** One item's floor: the API calls it must make and its clusters. */
export interface ItemWork {
  readonly calls: number;
  readonly clusters: number;
}

/**
 * The least time one item can take, seconds: its calls beyond the burst at the sustained rate,
 * both scaled by the limiter's share (the scanner never uses more), then its clusters' runners
 * in waves of `clusterConcurrency` (the inline Map starts after CollectRegion returns).
 */
export function itemLowerBound(work: ItemWork, m: LowerBoundModel): number {
  const burst = Math.max(1, Math.floor(m.burst * m.share));
  const api = Math.max(0, work.calls - burst) / (m.refillPerSecond * m.share);
  const runners = Math.ceil(work.clusters / m.clusterConcurrency) * m.runnerSeconds;
  return api + runners;
}

/**
 * The fleet's lower bound, seconds: no schedule of the items on `mapConcurrency` slots can beat
 * the longest item, nor the total work spread perfectly over the slots.
 */
export function fleetLowerBound(items: readonly ItemWork[], m: LowerBoundModel): number {
  const each = items.map((w) => itemLowerBound(w, m));
  const longest = Math.max(0, ...each);
  const spread = each.reduce((a, b) => a + b, 0) / m.mapConcurrency;
  return Math.max(longest, spread);
}

/** EC2 DescribeNetworkInterfaces' page size (MaxResults) the collector asks for. */
export const ENI_PAGE = 1000;
/** ENIs each cluster's nodes add to its VPC (3 nodes, one ENI each, in the fleet's worlds). */
export const NODE_ENIS_PER_CLUSTER = 3;

/**
 * The collection design's minimum of EC2 + EKS calls for one item (one Kubernetes version, both
 * add-ons): ListClusters and the two add-ons' version lists once; per VPC DescribeVpcs, two
 * DescribeVpcAttribute, DescribeDhcpOptions, DescribeSubnets, DescribeSecurityGroups,
 * DescribeNetworkAcls and the ENI pages; per cluster DescribeCluster and two DescribeAddon.
 */
export function designMinimumCalls(item: ItemSpec): number {
  const perVpc = item.vpcs.reduce(
    (n, v) => n + 7 + Math.max(1, Math.ceil((v.otherEnis + NODE_ENIS_PER_CLUSTER * v.clusters) / ENI_PAGE)),
    0,
  );
  return 3 + perVpc + 3 * clustersOf(item);
}
