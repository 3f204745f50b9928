/**
 * What the handler tests share: a fake Lambda context, the Powertools output captured from
 * stdout (one JSON object per line), handler deps against a runner cluster on the fake
 * Kubernetes API (the real createKubeClient over TLS; the token provider answers the fake's
 * token and records what it was asked for).
 */
import { vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { parseRunnerHandlerConfig } from '../../../lambdas/handlers/config.js';
import type { TokenTarget } from '../../../lambdas/handlers/cluster-connection.js';
import { createPowertools } from '../../../lambdas/handlers/middleware.js';
import type { Context } from '../../../lambdas/handlers/middleware.js';
import { createKubeClient } from '../../../lambdas/kube/index.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { KEY, NS, SETTINGS } from '../kube/support/runner-cluster.js';

export function fakeContext(
  functionName: string,
  awsRequestId = 'c0ffee00-0000-4000-8000-000000000001',
): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/03/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
  };
}

/**
 * Every JSON line written to stdout and stderr while capturing (Powertools logs — ERROR and WARN
 * go to stderr — and EMF metrics).
 */
export interface OutputCapture {
  /** the JSON objects written so far */
  lines(): Record<string, unknown>[];
  /** the log lines (those with a `level`) */
  logs(): Record<string, unknown>[];
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const written: string[] = [];
  const record = (chunk: unknown) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const lines = () =>
    written
      .flatMap((w) => w.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    logs: () => lines().filter((l) => typeof l.level === 'string'),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

/** The payload's `cluster` for the fake API: its URL and its CA as DescribeCluster gives it. */
export const clusterOf = (c: RunnerCluster) => ({
  endpoint: c.api.url,
  certificateAuthorityData: Buffer.from(c.api.caPem, 'utf8').toString('base64'),
});

/** Deps for either handler against `c`; `tokenRequests` records what tokens were asked for. */
export function handlerDeps(c: RunnerCluster, service: string) {
  const tokenRequests: TokenTarget[] = [];
  return {
    tokenRequests,
    deps: {
      ...createPowertools(service),
      config: parseRunnerHandlerConfig({ RUNNER_IMAGE: SETTINGS.image, RUNNER_NAMESPACE: NS }),
      tokenProvider: async (target: TokenTarget) => {
        tokenRequests.push(target);
        return c.api.token;
      },
      kubeClientFactory: createKubeClient,
      newHmacKey: () => KEY,
    },
  };
}
