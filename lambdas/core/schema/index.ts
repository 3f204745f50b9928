export * from './results.js';
export * from './runner.js';
export { formatSchemaError } from './format-error.js';
