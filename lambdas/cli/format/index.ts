export { formatCheckTable, checkSummary } from './check-table.js';
