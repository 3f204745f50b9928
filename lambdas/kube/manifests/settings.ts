/**
 * The settings of the runner Jobs a scan dispatches, validated with zod: one problem line per bad
 * value, plus the relation conventions.md requires (Jobs outlive the collect deadline).
 */
import { z } from 'zod';
import { ManifestError } from './errors.js';
import { isDns1123Label, isDns1123Subdomain } from './names.js';

/**
 * Seconds a node agent keeps for reading its counters and reporting after its capture ends
 * (it captures for `activeDeadlineSeconds` minus this, or until SIGTERM when the probe is done).
 */
export const NODE_AGENT_REPORT_MARGIN_SECONDS = 30;

/** What a scan's runner Jobs are made of. Every field but `image` has a default. */
export interface RunnerJobSettings {
  /** The runner image (runner-image/Dockerfile), e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet-dns-runner:1.2.0`. No default. */
  readonly image: string;
  /** The scanner's namespace (onboarded with its PSS label). @default 'fleet-dns' */
  readonly namespace: string;
  /** The runner's read-only ServiceAccount (the probe's token). @default 'fleet-dns-runner' */
  readonly runnerServiceAccount: string;
  /** Each Job's `activeDeadlineSeconds` (60–3600). @default 300 */
  readonly activeDeadlineSeconds: number;
  /** How long the collector waits for results after dispatch (60–3600). @default 420 */
  readonly collectDeadlineSeconds: number;
  /** Each Job's `ttlSecondsAfterFinished`; must exceed `collectDeadlineSeconds`. @default 900 */
  readonly ttlSecondsAfterFinished: number;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** The cluster DNS domain the probe resolves under. @default 'cluster.local' */
  readonly clusterDomain: string;
}

export const DEFAULT_RUNNER_JOB_SETTINGS = {
  namespace: 'fleet-dns',
  runnerServiceAccount: 'fleet-dns-runner',
  activeDeadlineSeconds: 300,
  collectDeadlineSeconds: 420,
  ttlSecondsAfterFinished: 900,
  imagePullPolicy: 'IfNotPresent',
  clusterDomain: 'cluster.local',
} as const satisfies Omit<RunnerJobSettings, 'image'>;

const seconds = (min: number, max: number) =>
  z
    .number({ error: 'must be a number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(min, { error: `must be at least ${min} seconds` })
    .max(max, { error: `must be at most ${max} seconds` });

const settingsSchema = z.strictObject(
  {
    image: z
      .string({ error: 'must be an image reference (a string)' })
      .regex(/^[^\s]+$/, { error: 'must be an image reference without whitespace' }),
    namespace: z
      .string({ error: 'must be a namespace name (a string)' })
      .refine(isDns1123Label, { error: 'must be a DNS-1123 label (lowercase letters, digits, -; ≤ 63)' })
      .default(DEFAULT_RUNNER_JOB_SETTINGS.namespace),
    runnerServiceAccount: z
      .string({ error: 'must be a ServiceAccount name (a string)' })
      .refine(isDns1123Subdomain, { error: 'must be a DNS-1123 subdomain (lowercase letters, digits, -, .)' })
      .default(DEFAULT_RUNNER_JOB_SETTINGS.runnerServiceAccount),
    activeDeadlineSeconds: seconds(60, 3600).default(DEFAULT_RUNNER_JOB_SETTINGS.activeDeadlineSeconds),
    collectDeadlineSeconds: seconds(60, 3600).default(DEFAULT_RUNNER_JOB_SETTINGS.collectDeadlineSeconds),
    ttlSecondsAfterFinished: seconds(60, 7 * 24 * 3600).default(
      DEFAULT_RUNNER_JOB_SETTINGS.ttlSecondsAfterFinished,
    ),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'], { error: 'must be Always, IfNotPresent or Never' })
      .default(DEFAULT_RUNNER_JOB_SETTINGS.imagePullPolicy),
    clusterDomain: z
      .string({ error: 'must be a domain name (a string)' })
      .refine(isDns1123Subdomain, { error: 'must be a DNS name such as cluster.local' })
      .default(DEFAULT_RUNNER_JOB_SETTINGS.clusterDomain),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown setting' : 'must be an object') },
);

/** What a caller passes: `image`, and any setting to override. */
export type RunnerJobSettingsInput = Pick<RunnerJobSettings, 'image'> & Partial<RunnerJobSettings>;

/**
 * Validates the settings and fills the defaults. Throws a {@link ManifestError} with one line per
 * bad value (`activeDeadlineSeconds: must be at least 60 seconds`), and one for a broken relation
 * (`ttlSecondsAfterFinished (600) must be longer than collectDeadlineSeconds (900): …`).
 */
export function parseRunnerJobSettings(input: unknown): RunnerJobSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${key}: unknown setting`)
        : [`${issue.path.length > 0 ? issue.path.join('.') : 'settings'}: ${issue.message}`],
    );
    throw new ManifestError(problems);
  }
  const s = parsed.data;
  const problems: string[] = [];
  if (s.ttlSecondsAfterFinished <= s.collectDeadlineSeconds)
    problems.push(
      `ttlSecondsAfterFinished (${s.ttlSecondsAfterFinished}) must be longer than collectDeadlineSeconds (${s.collectDeadlineSeconds}): a finished Job and its pod log must outlive the collector's wait`,
    );
  if (problems.length > 0) throw new ManifestError(problems);
  return s;
}
