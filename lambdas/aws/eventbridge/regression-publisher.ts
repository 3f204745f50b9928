/**
 * Where regression events go (the results store's injected `RegressionPublisher`): an
 * EventBridge bus when deployed, one structured log line each when run locally. The store
 * claims an event before it publishes and marks it published only when the publisher resolved,
 * so a publisher must reject whenever the event may not have reached its bus — a rejection
 * leaves the event pending for the retried put (lambdas/store README.md § Exactly one event).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AwsAdapterError } from '../errors.js';

/**
 * What the publishers need of an event: lambdas/store's `RegressionEvent` has this shape (the
 * adapters never import each other, so the store's type is matched structurally and a publisher
 * here is the store's `RegressionPublisher`).
 */
export interface BusEvent {
  /** stable across retries (`<clusterId>/<scanId>/<checkId>`), so consumers can deduplicate */
  readonly id: string;
  /** the EventBridge detail-type (`check.regressed`) */
  readonly type: string;
  readonly cluster: { readonly arn?: string };
  /** when it happened (ISO date-time) */
  readonly at: string;
}

/** Publishes one event; a rejection means it may not have gone out (the store keeps it pending). */
export type BusEventPublisher = (event: BusEvent) => Promise<void>;

/** The `source` of every event fleet-dns puts on a bus (rules match on it). */
export const EVENT_SOURCE = 'fleet-dns';

/** A regression event did not reach the bus; the store keeps it pending. */
export class EventPublishError extends AwsAdapterError {
  override readonly name = 'EventPublishError';
  constructor(
    readonly eventId: string,
    /** the entry's ErrorCode, or the SDK error's name */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`events:PutEvents of ${eventId} failed: ${code}: ${message}`, options);
  }
}

/** Options of {@link eventBridgePublisher}. */
export interface EventBridgePublisherOptions {
  /** the bus name or ARN (EVENT_BUS_NAME) */
  readonly busName: string;
  /** @default a client of the function's region */
  readonly client?: EventBridgeClient;
  /** @default {@link EVENT_SOURCE} */
  readonly source?: string;
}

/**
 * Publishes each event as one PutEvents entry: `Source` fleet-dns, `DetailType` the event type
 * (`check.regressed`), `Detail` the event JSON, `Resources` the cluster ARN (so rules can match
 * on it), `Time` when the check regressed. PutEvents answers 200 with per-entry failures, so a
 * `FailedEntryCount` above 0 is a rejection like a failed request.
 *
 * @example openDynamoStore({ tableName, publish: eventBridgePublisher({ busName: 'fleet-dns' }) })
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export function eventBridgePublisher(options: EventBridgePublisherOptions): BusEventPublisher {
  const client = options.client ?? new EventBridgeClient({});
  const source = options.source ?? EVENT_SOURCE;
  return async (event: BusEvent) => {
    const at = new Date(event.at);
    let answer;
    try {
      answer = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: options.busName,
              Source: source,
              DetailType: event.type,
              Detail: JSON.stringify(event),
              ...(event.cluster.arn !== undefined ? { Resources: [event.cluster.arn] } : {}),
              ...(Number.isNaN(at.getTime()) ? {} : { Time: at }),
            },
          ],
        }),
      );
    } catch (err) {
      const e = err as { name?: unknown; message?: unknown };
      throw new EventPublishError(
        event.id,
        typeof e.name === 'string' ? e.name : 'Error',
        typeof e.message === 'string' ? e.message : String(err),
        { cause: err },
      );
    }
    if ((answer.FailedEntryCount ?? 0) > 0) {
      const entry = answer.Entries?.[0];
      throw new EventPublishError(
        event.id,
        entry?.ErrorCode ?? 'FailedEntry',
        entry?.ErrorMessage ?? 'the entry was not put on the bus',
      );
    }
  };
}

/**
 * A publisher for local runs: one JSON line per event (`{"msg":"check regressed",…event}`)
 * through `write`. Never rejects unless `write` throws.
 * @default write a line to process.stderr (stdout carries the command's output)
 */
export function logLinePublisher(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): BusEventPublisher {
  return async (event: BusEvent) => {
    write(JSON.stringify({ msg: 'check regressed', source: EVENT_SOURCE, detailType: event.type, ...event }));
  };
}
