/**
 * What the runner Lambdas' entry points share: the real adapters they are wired to, and building
 * the handler on the first invocation (so a bad environment variable fails that invocation,
 * naming it, and tests can import the modules without an environment).
 */
import { createKubeClient } from '../kube/index.js';
import { eksTokenProvider } from './cluster-connection.js';
import type { ClusterConnectionDeps } from './cluster-connection.js';
import { parseRunnerHandlerConfig } from './config.js';
import type { RunnerHandlerConfig } from './config.js';
import { createPowertools } from './middleware.js';
import type { Powertools, RunnerLambda } from './middleware.js';

/** Powertools for `serviceName`, the configuration from `process.env`, EKS tokens signed with the function's credentials, createKubeClient. */
export function realRunnerDeps(
  serviceName: string,
): Powertools & ClusterConnectionDeps & { readonly config: RunnerHandlerConfig } {
  return {
    ...createPowertools(serviceName),
    config: parseRunnerHandlerConfig(process.env),
    tokenProvider: eksTokenProvider(),
    kubeClientFactory: createKubeClient,
  };
}

/** An entry point that builds its handler on the first invocation and reuses it after. */
export function lazyEntryPoint<R>(build: () => RunnerLambda<R>): RunnerLambda<R> {
  let built: RunnerLambda<R> | undefined;
  return async (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
