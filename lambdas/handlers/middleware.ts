/**
 * What every runner handler is wrapped in (conventions.md § Lambda): Powertools Tracer
 * (captureLambdaHandler), Logger (injectLambdaContext, keys reset per invocation) and Metrics
 * (logMetrics, cold start), then the payload parsed with the handler's zod schema — the scan id
 * and cluster id appended to every log line from there on and annotated on the trace.
 */
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { z } from 'zod';
import { HandlerInputError } from './errors.js';
import { fieldPath } from './scan-payload.js';

/** The Lambda context fields the handlers and Powertools read (aws-lambda's `Context`). */
export interface Context {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** The Powertools utilities of one function; inject them in tests. */
export interface Powertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** The metrics namespace when POWERTOOLS_METRICS_NAMESPACE is unset. */
export const METRICS_NAMESPACE = 'fleet-dns';

/** Powertools for `serviceName` (POWERTOOLS_* environment variables override, as documented). */
export function createPowertools(serviceName: string): Powertools {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ serviceName, namespace: METRICS_NAMESPACE }),
    tracer: new Tracer({ serviceName }),
  };
}

/**
 * The ids a payload may carry: the runner steps and StoreResult have both, Summarize and
 * CollectRegion only the scan, Discover may have neither yet (it makes the scan id).
 */
export interface ScanIdentity {
  readonly scanId?: string;
  readonly clusterId?: string;
}

/** A Lambda entry point: any event in (it is validated), the handler's result out. */
export type RunnerLambda<R> = (event: unknown, context: Context) => Promise<R>;

/**
 * Parses the event with `schema` before the handler runs: an invalid one is a
 * {@link HandlerInputError} naming each field (`cluster.endpoint: must be an https:// URL`);
 * a valid one replaces the event, and its scanId and clusterId (those it has) join every log line. The
 * rejection is logged (with whatever ids the event had) before the error reaches the runtime.
 */
export function parseScanEvent<S extends z.ZodType<ScanIdentity>>(
  handlerName: string,
  schema: S,
  { logger, tracer }: Pick<Powertools, 'logger' | 'tracer'>,
): MiddlewareObj<unknown> {
  return {
    before: (request) => {
      const raw = request.event as { scanId?: unknown; clusterId?: unknown } | undefined;
      // Whatever identity the event has goes on the error's log line too.
      if (typeof raw?.scanId === 'string') logger.appendKeys({ scanId: raw.scanId });
      if (typeof raw?.clusterId === 'string') logger.appendKeys({ clusterId: raw.clusterId });
      const parsed = schema.safeParse(request.event);
      if (!parsed.success)
        throw new HandlerInputError(
          handlerName,
          parsed.error.issues.map((i) => `${fieldPath(i.path) || '(event)'}: ${i.message}`),
        );
      request.event = parsed.data;
      const { scanId, clusterId } = parsed.data;
      if (scanId !== undefined) {
        logger.appendKeys({ scanId });
        tracer.putAnnotation('scanId', scanId);
      }
      if (clusterId !== undefined) {
        logger.appendKeys({ clusterId });
        tracer.putAnnotation('clusterId', clusterId);
      }
    },
    onError: (request) => {
      if (request.error instanceof HandlerInputError)
        logger.error('payload rejected', { problems: request.error.problems });
    },
  };
}

/**
 * `handler` wrapped in middy with Powertools and the payload schema. The handler receives the
 * parsed payload.
 */
export function withRunnerMiddleware<S extends z.ZodType<ScanIdentity>, R>(
  handlerName: string,
  schema: S,
  tools: Powertools,
  handler: (event: z.infer<S>, context: Context) => Promise<R>,
): RunnerLambda<R> {
  const wrapped = middy<unknown, R>()
    // The response is not copied into the trace: a cluster's check results can outgrow a segment.
    .use(captureLambdaHandler(tools.tracer, { captureResponse: false }))
    .use(injectLambdaContext(tools.logger, { resetKeys: true }))
    .use(logMetrics(tools.metrics, { captureColdStartMetric: true }))
    .use(parseScanEvent(handlerName, schema, tools))
    .handler((event, context) => handler(event as z.infer<S>, context));
  return (event, context) => wrapped(event, context);
}
