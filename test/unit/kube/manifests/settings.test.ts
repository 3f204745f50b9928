import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUNNER_JOB_SETTINGS,
  ManifestError,
  parseRunnerJobSettings,
} from '../../../../lambdas/kube/manifests/index.js';

const image = 'registry.example/fleet-dns-runner:1.0.0';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseRunnerJobSettings(input);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

describe('parseRunnerJobSettings', () => {
  it('fills the documented defaults', () => {
    expect(parseRunnerJobSettings({ image })).toEqual({
      image,
      namespace: 'fleet-dns',
      runnerServiceAccount: 'fleet-dns-runner',
      activeDeadlineSeconds: 300,
      collectDeadlineSeconds: 420,
      ttlSecondsAfterFinished: 900,
      imagePullPolicy: 'IfNotPresent',
      clusterDomain: 'cluster.local',
    });
    expect(DEFAULT_RUNNER_JOB_SETTINGS.ttlSecondsAfterFinished).toBeGreaterThan(
      DEFAULT_RUNNER_JOB_SETTINGS.collectDeadlineSeconds,
    );
  });

  it('keeps valid overrides', () => {
    const s = { image, namespace: 'dns-scan', runnerServiceAccount: 'runner.sa', activeDeadlineSeconds: 60 };
    expect(parseRunnerJobSettings({ ...s, imagePullPolicy: 'Always' })).toMatchObject({
      ...s,
      imagePullPolicy: 'Always',
    });
  });

  it.each([
    [{}, 'image: must be an image reference (a string)'],
    [{ image: 'a b' }, 'image: must be an image reference without whitespace'],
    [
      { image, namespace: 'Fleet' },
      'namespace: must be a DNS-1123 label (lowercase letters, digits, -; ≤ 63)',
    ],
    [
      { image, runnerServiceAccount: '' },
      'runnerServiceAccount: must be a DNS-1123 subdomain (lowercase letters, digits, -, .)',
    ],
    [{ image, activeDeadlineSeconds: 59 }, 'activeDeadlineSeconds: must be at least 60 seconds'],
    [{ image, activeDeadlineSeconds: 3601 }, 'activeDeadlineSeconds: must be at most 3600 seconds'],
    [{ image, activeDeadlineSeconds: 90.5 }, 'activeDeadlineSeconds: must be a whole number of seconds'],
    [{ image, collectDeadlineSeconds: '300' }, 'collectDeadlineSeconds: must be a number of seconds'],
    [{ image, ttlSecondsAfterFinished: 10 }, 'ttlSecondsAfterFinished: must be at least 60 seconds'],
    [{ image, imagePullPolicy: 'always' }, 'imagePullPolicy: must be Always, IfNotPresent or Never'],
    [{ image, clusterDomain: 'cluster..local' }, 'clusterDomain: must be a DNS name such as cluster.local'],
    [{ image, deadline: 3 }, 'deadline: unknown setting'],
    [null, 'settings: must be an object'],
  ])('%j → one clear problem', (input, problem) => {
    expect(problemsOf(input)).toEqual([problem]);
  });

  it('names every bad value, one line each', () => {
    expect(problemsOf({ image, namespace: 'A', activeDeadlineSeconds: 0 })).toEqual([
      'namespace: must be a DNS-1123 label (lowercase letters, digits, -; ≤ 63)',
      'activeDeadlineSeconds: must be at least 60 seconds',
    ]);
  });

  it.each([
    [600, 600],
    [600, 900],
  ])('refuses ttlSecondsAfterFinished %i not longer than collectDeadlineSeconds %i', (ttl, collect) => {
    expect(problemsOf({ image, ttlSecondsAfterFinished: ttl, collectDeadlineSeconds: collect })).toEqual([
      `ttlSecondsAfterFinished (${ttl}) must be longer than collectDeadlineSeconds (${collect}): a finished Job and its pod log must outlive the collector's wait`,
    ]);
  });

  it('accepts a ttl one second longer than the collect deadline', () => {
    expect(
      parseRunnerJobSettings({ image, ttlSecondsAfterFinished: 601, collectDeadlineSeconds: 600 }),
    ).toMatchObject({
      ttlSecondsAfterFinished: 601,
    });
  });
});
