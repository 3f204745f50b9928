export { createProbeBudget, DEFAULT_PROBE_BUDGET } from './probe-budget.js';
export type { BudgetClock, CreateProbeBudgetOptions } from './probe-budget.js';
export type { ProbeBudget, ProbeBudgetOptions } from './types.js';
export { ProbeBudgetError } from './errors.js';
