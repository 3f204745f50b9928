export * from './results.js';
export * from './runner.js';
export { formatPath, formatSchemaError } from './format-error.js';
