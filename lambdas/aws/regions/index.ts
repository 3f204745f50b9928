export { resolveRegions } from './resolve-regions.js';
export type { RegionSelection } from './resolve-regions.js';
