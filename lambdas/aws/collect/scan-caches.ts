import type { PrefixListResult, VpcNetwork } from '../ec2/index.js';
import type { AddonVersionsResult } from '../eks/index.js';
import { PromiseCache } from '../promise-cache.js';

/**
 * What a scan reads once and shares: each VPC's network (keyed account/region/vpc), each
 * managed prefix list (account/region/list) and each add-on's version list (account/region/
 * add-on/Kubernetes version). One set per scan — or per collect-region invocation, which owns
 * one account×region.
 */
export interface ScanCaches {
  readonly vpcNetworks: PromiseCache<VpcNetwork>;
  readonly prefixLists: PromiseCache<PrefixListResult>;
  readonly addonVersions: PromiseCache<AddonVersionsResult>;
}

export function createScanCaches(): ScanCaches {
  return {
    vpcNetworks: new PromiseCache(),
    prefixLists: new PromiseCache(),
    addonVersions: new PromiseCache(),
  };
}
