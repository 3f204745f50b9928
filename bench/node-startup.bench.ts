import { performance } from 'node:perf_hooks';
import type { Benchmark } from './run.js';

/** Time to load the core (schema + catalog) — a floor under every Lambda cold start and CLI call. */
const bench: Benchmark = {
  description: 'load lambdas/core (zod schemas and the check catalog)',
  async run() {
    const t0 = performance.now();
    const core = await import('../lambdas/core/index.js');
    const loadMs = performance.now() - t0;
    return { core_load_ms: Math.round(loadMs * 10) / 10, catalog_checks: core.CHECK_IDS.length };
  },
};
export default bench;
