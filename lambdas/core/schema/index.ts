export * from './results.js';
export * from './runner.js';
export { errorLine, formatPath, formatSchemaError } from './format-error.js';
