export * from './check-catalog.js';
export { makeResult } from './make-result.js';
export type { ResultInput } from './make-result.js';
