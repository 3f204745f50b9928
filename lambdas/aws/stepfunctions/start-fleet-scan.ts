/**
 * Starting the deployed fleet scan: `POST /scans` → one StartExecution of the `fleet-scan` state
 * machine (lib/, design.md "Flow (deployed)"). The execution is named after the scan id, so the
 * execution list reads as the scan list, and its input is the execution input of the state
 * machine's payload contract: `{ scanId, clusterId? }`.
 */
import { randomBytes } from 'node:crypto';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { newScanId } from '../../core/results/index.js';

/** What a scan start asks for: one cluster (`<accountId>:<region>:<name>`), or the whole fleet. */
export interface FleetScanRequest {
  readonly clusterId?: string;
}

/** A started scan: its id (the execution name) and the execution's ARN. */
export interface StartedFleetScan {
  readonly scanId: string;
  readonly executionArn: string;
}

/** Options of {@link stepFunctionsScanStarter}. */
export interface StepFunctionsScanStarterOptions {
  /** the `fleet-scan` state machine */
  readonly stateMachineArn: string;
  /** @default a client of the Lambda's region (AWS_ENDPOINT_URL_SFN honoured by the SDK) */
  readonly client?: SFNClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomBytes */
  readonly random?: () => Uint8Array;
}

/** Tries before giving up on execution-name collisions (a 1-in-16-million chance each). */
const NAME_ATTEMPTS = 3;

/**
 * A scan starter over Step Functions. A scan id that collides with an execution of the last
 * 90 days (`ExecutionAlreadyExists`) is drawn again; other errors reject (the API answers 502).
 *
 * @example const start = stepFunctionsScanStarter({ stateMachineArn }); await start({ clusterId })
 */
export function stepFunctionsScanStarter(
  options: StepFunctionsScanStarterOptions,
): (request: FleetScanRequest) => Promise<StartedFleetScan> {
  const client = options.client ?? new SFNClient({});
  const now = options.now ?? (() => new Date());
  const random = options.random ?? (() => randomBytes(3));
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      const scanId = newScanId(now(), random);
      const input = { scanId, ...(request.clusterId !== undefined ? { clusterId: request.clusterId } : {}) };
      try {
        const { executionArn } = await client.send(
          new StartExecutionCommand({
            stateMachineArn: options.stateMachineArn,
            name: scanId,
            input: JSON.stringify(input),
          }),
        );
        if (executionArn === undefined) throw new Error('StartExecution answered without an executionArn');
        return { scanId, executionArn };
      } catch (err) {
        if (!(err instanceof ExecutionAlreadyExists) || attempt >= NAME_ATTEMPTS) throw err;
      }
    }
  };
}
