/** Route 53 Resolver collection: the `resolver` block of a @2 network snapshot. */
export { collectVpcResolver, RESOLVER_PAGE_SIZE } from './vpc-resolver.js';
export type { CollectVpcResolverInput, VpcResolver } from './vpc-resolver.js';
