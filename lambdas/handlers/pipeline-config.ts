/**
 * The fleet-scan handlers' environment (the payload contract's "Environment"): the results
 * table, the work bucket (work items, staged AWS-side results, Map results, offloaded evidence)
 * and the regression events' bus. Each handler names the variables it needs; a missing one is a
 * HandlerConfigError naming it.
 */
import { HandlerConfigError } from './errors.js';

/** The variables of the fleet-scan handlers. */
export interface PipelineConfig {
  /** TABLE_NAME: the results table */
  readonly tableName: string;
  /** WORK_BUCKET: work items, staged AWS-side results, Map results */
  readonly workBucket: string;
  /** EVENT_BUS_NAME: where regression events go */
  readonly eventBusName: string;
  /** EVIDENCE_BUCKET: offloaded evidence @default WORK_BUCKET */
  readonly evidenceBucket: string;
}

export type PipelineVariable = 'TABLE_NAME' | 'WORK_BUCKET' | 'EVENT_BUS_NAME';

const PURPOSE: Record<PipelineVariable, string> = {
  TABLE_NAME: 'the results table',
  WORK_BUCKET: 'the bucket of work items, staged results and Map results',
  EVENT_BUS_NAME: 'the EventBridge bus of regression events',
};

/**
 * Reads the variables `required` from `env`; those not required may be empty (the handler does
 * not use them). @throws HandlerConfigError with one `VARIABLE: why` line per missing variable
 */
export function parsePipelineConfig(
  env: Readonly<Record<string, string | undefined>>,
  required: readonly PipelineVariable[],
): PipelineConfig {
  const missing = required.filter((v) => (env[v] ?? '') === '');
  if (missing.length > 0)
    throw new HandlerConfigError(missing.map((v) => `${v}: is required (${PURPOSE[v]})`));
  const workBucket = env.WORK_BUCKET ?? '';
  return {
    tableName: env.TABLE_NAME ?? '',
    workBucket,
    eventBusName: env.EVENT_BUS_NAME ?? '',
    evidenceBucket: env.EVIDENCE_BUCKET || workBucket,
  };
}
