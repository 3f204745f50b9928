export { collectVpcNetwork, EC2_PAGE_SIZES, sharedVpcNetwork, vpcCacheKey } from './vpc-network.js';
export type { CollectVpcNetworkInput, VpcNetwork } from './vpc-network.js';
export { loadPrefixList, referencedPrefixListIds } from './prefix-lists.js';
export type { PrefixListResult } from './prefix-lists.js';
