/** parseRunnerHandlerConfig: the environment parsed once, a bad value naming its variable. */
import { describe, expect, it } from 'vitest';
import { parseRunnerHandlerConfig } from '../../../lambdas/handlers/config.js';
import { HandlerConfigError } from '../../../lambdas/handlers/errors.js';
import { DEFAULT_RUNNER_JOB_SETTINGS } from '../../../lambdas/kube/index.js';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet-dns-runner:1.2.0';

const problemsOf = (env: Record<string, string | undefined>): readonly string[] => {
  try {
    parseRunnerHandlerConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(HandlerConfigError);
    return (err as HandlerConfigError).problems;
  }
  throw new Error('expected a HandlerConfigError');
};

describe('parseRunnerHandlerConfig', () => {
  it('RUNNER_IMAGE alone: every other value is its documented default', () => {
    expect(parseRunnerHandlerConfig({ RUNNER_IMAGE: IMAGE, PATH: '/usr/bin' })).toEqual({
      runner: { ...DEFAULT_RUNNER_JOB_SETTINGS, image: IMAGE },
      kubeRequestTimeoutMs: 10_000,
      maxLogBytes: 16 * 1024 * 1024,
    });
  });

  it('reads every variable', () => {
    const config = parseRunnerHandlerConfig({
      RUNNER_IMAGE: IMAGE,
      RUNNER_NAMESPACE: 'dns-scan',
      RUNNER_SERVICE_ACCOUNT: 'scan-runner',
      RUNNER_ACTIVE_DEADLINE_SECONDS: '240',
      RUNNER_COLLECT_DEADLINE_SECONDS: '360',
      RUNNER_TTL_SECONDS_AFTER_FINISHED: '1200',
      RUNNER_IMAGE_PULL_POLICY: 'Always',
      RUNNER_CLUSTER_DOMAIN: 'corp.local',
      KUBE_REQUEST_TIMEOUT_MS: '5000',
      RUNNER_MAX_LOG_BYTES: '1048576',
    });
    expect(config).toEqual({
      runner: {
        image: IMAGE,
        namespace: 'dns-scan',
        runnerServiceAccount: 'scan-runner',
        activeDeadlineSeconds: 240,
        collectDeadlineSeconds: 360,
        ttlSecondsAfterFinished: 1200,
        imagePullPolicy: 'Always',
        clusterDomain: 'corp.local',
      },
      kubeRequestTimeoutMs: 5000,
      maxLogBytes: 1048576,
    });
  });

  it.each([
    [{}, ['RUNNER_IMAGE: is required (the runner image reference)']],
    [{ RUNNER_IMAGE: '' }, ['RUNNER_IMAGE: is required (the runner image reference)']],
    [
      { RUNNER_IMAGE: IMAGE, RUNNER_ACTIVE_DEADLINE_SECONDS: '5m' },
      ['RUNNER_ACTIVE_DEADLINE_SECONDS: must be a whole number'],
    ],
    [
      { RUNNER_IMAGE: IMAGE, RUNNER_ACTIVE_DEADLINE_SECONDS: '30' },
      ['RUNNER_ACTIVE_DEADLINE_SECONDS: must be at least 60 seconds'],
    ],
    [
      { RUNNER_IMAGE: IMAGE, RUNNER_NAMESPACE: 'Fleet_DNS' },
      [expect.stringMatching(/^RUNNER_NAMESPACE: must be a DNS-1123 label/)],
    ],
    [
      { RUNNER_IMAGE: IMAGE, RUNNER_IMAGE_PULL_POLICY: 'Sometimes' },
      ['RUNNER_IMAGE_PULL_POLICY: must be Always, IfNotPresent or Never'],
    ],
    [{ RUNNER_IMAGE: 'has space:1' }, ['RUNNER_IMAGE: must be an image reference without whitespace']],
    [
      { RUNNER_IMAGE: IMAGE, KUBE_REQUEST_TIMEOUT_MS: '10' },
      ['KUBE_REQUEST_TIMEOUT_MS: must be at least 1000 ms'],
    ],
    [{ RUNNER_IMAGE: IMAGE, RUNNER_MAX_LOG_BYTES: 'lots' }, ['RUNNER_MAX_LOG_BYTES: must be a whole number']],
  ])('%j → fails naming the variable', (env, problems) => {
    expect(problemsOf(env)).toEqual(problems);
  });

  it('Jobs that would not outlive the collect deadline → one line naming both variables', () => {
    expect(
      problemsOf({
        RUNNER_IMAGE: IMAGE,
        RUNNER_COLLECT_DEADLINE_SECONDS: '900',
        RUNNER_TTL_SECONDS_AFTER_FINISHED: '600',
      }),
    ).toEqual([
      expect.stringMatching(
        /^RUNNER_TTL_SECONDS_AFTER_FINISHED \(600\) must be longer than RUNNER_COLLECT_DEADLINE_SECONDS \(900\)/,
      ),
    ]);
  });
});
