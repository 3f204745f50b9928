/**
 * The runner handlers' configuration: environment variables parsed once, at the edge, with zod
 * (style.md § Configuration). A bad value fails fast with one line per variable naming it
 * (`RUNNER_ACTIVE_DEADLINE_SECONDS: must be at least 60 seconds`).
 */
import { z } from 'zod';
import { ManifestError, parseRunnerJobSettings } from '../kube/index.js';
import type { RunnerJobSettings } from '../kube/index.js';
import { HandlerConfigError } from './errors.js';

/** What the dispatch and collect handlers are configured with. */
export interface RunnerHandlerConfig {
  /** the runner Jobs' settings (image, namespace, deadlines…), validated by parseRunnerJobSettings */
  readonly runner: RunnerJobSettings;
  /** deadline of each cluster API request, connection included @default 10_000 */
  readonly kubeRequestTimeoutMs: number;
  /** the largest pod log read per runner pod @default 16 MiB */
  readonly maxLogBytes: number;
}

/** Environment variable → runner setting (the settings' defaults apply when unset). */
const RUNNER_SETTING_VARIABLES = {
  RUNNER_IMAGE: 'image',
  RUNNER_NAMESPACE: 'namespace',
  RUNNER_SERVICE_ACCOUNT: 'runnerServiceAccount',
  RUNNER_ACTIVE_DEADLINE_SECONDS: 'activeDeadlineSeconds',
  RUNNER_COLLECT_DEADLINE_SECONDS: 'collectDeadlineSeconds',
  RUNNER_TTL_SECONDS_AFTER_FINISHED: 'ttlSecondsAfterFinished',
  RUNNER_IMAGE_PULL_POLICY: 'imagePullPolicy',
  RUNNER_CLUSTER_DOMAIN: 'clusterDomain',
} as const satisfies Record<string, keyof RunnerJobSettings>;

/** A whole number written in decimal; unset → undefined (the default applies later). */
const wholeNumber = z
  .string()
  .regex(/^\d+$/, { error: 'must be a whole number' })
  .transform(Number)
  .optional();
const text = z.string().min(1, { error: 'must not be empty' }).optional();

const envSchema = z.object({
  RUNNER_IMAGE: z.string({ error: 'is required (the runner image reference)' }).min(1, {
    error: 'is required (the runner image reference)',
  }),
  RUNNER_NAMESPACE: text,
  RUNNER_SERVICE_ACCOUNT: text,
  RUNNER_ACTIVE_DEADLINE_SECONDS: wholeNumber,
  RUNNER_COLLECT_DEADLINE_SECONDS: wholeNumber,
  RUNNER_TTL_SECONDS_AFTER_FINISHED: wholeNumber,
  RUNNER_IMAGE_PULL_POLICY: text,
  RUNNER_CLUSTER_DOMAIN: text,
  KUBE_REQUEST_TIMEOUT_MS: wholeNumber.pipe(
    z
      .number()
      .min(1000, { error: 'must be at least 1000 ms' })
      .max(60_000, { error: 'must be at most 60000 ms' })
      .default(10_000),
  ),
  RUNNER_MAX_LOG_BYTES: wholeNumber.pipe(
    z
      .number()
      .min(64 * 1024, { error: 'must be at least 65536 bytes' })
      .max(64 * 1024 * 1024, { error: 'must be at most 67108864 bytes' })
      .default(16 * 1024 * 1024),
  ),
});

/**
 * A settings problem in the environment's terms: `activeDeadlineSeconds: …` →
 * `RUNNER_ACTIVE_DEADLINE_SECONDS: …`; a relation names both variables. One-word settings
 * (`image`) are replaced only as the line's subject, so message text stays as written.
 */
function inVariableTerms(problem: string): string {
  let out = problem;
  for (const [variable, setting] of Object.entries(RUNNER_SETTING_VARIABLES)) {
    out = /[A-Z]/.test(setting)
      ? out.replace(new RegExp(`\\b${setting}\\b`, 'g'), variable)
      : out.replace(new RegExp(`^${setting}:`), `${variable}:`);
  }
  return out;
}

/**
 * Parses the handlers' configuration from `env` (the function's `process.env`).
 *
 * @throws HandlerConfigError with one `VARIABLE: why` line per bad value, and the relation the
 * runner settings require (`RUNNER_TTL_SECONDS_AFTER_FINISHED (600) must be longer than …`)
 */
export function parseRunnerHandlerConfig(
  env: Readonly<Record<string, string | undefined>>,
): RunnerHandlerConfig {
  // Empty strings are treated as unset, as CloudFormation leaves optional parameters.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success)
    throw new HandlerConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const settings: Record<string, unknown> = {};
  for (const [variable, setting] of Object.entries(RUNNER_SETTING_VARIABLES)) {
    const value = e[variable as keyof typeof RUNNER_SETTING_VARIABLES];
    if (value !== undefined) settings[setting] = value;
  }
  let runner: RunnerJobSettings;
  try {
    runner = parseRunnerJobSettings(settings);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    throw new HandlerConfigError(err.problems.map(inVariableTerms));
  }
  return { runner, kubeRequestTimeoutMs: e.KUBE_REQUEST_TIMEOUT_MS, maxLogBytes: e.RUNNER_MAX_LOG_BYTES };
}
