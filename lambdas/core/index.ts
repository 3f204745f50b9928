/**
 * fleet-dns core: the pure domain (no I/O, no SDKs, no environment).
 * Adapters (lambdas/aws, lambdas/kube, lambdas/store) and entry points (handlers, CLI, runner)
 * import from here; the core never imports them.
 */
export * from './schema/index.js';
export * from './catalog/index.js';
export * from './diagnosis/index.js';
