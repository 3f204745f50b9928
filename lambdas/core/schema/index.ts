export * from './results.js';
export * from './runner.js';
export { errorLine, formatSchemaError } from './format-error.js';
