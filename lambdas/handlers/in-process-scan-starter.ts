/**
 * `POST /scans` where the API runs locally (`fleet-dns serve`): the scan runs in this process
 * (runInProcessScan, the state machine's handlers in order) instead of a Step Functions
 * execution. The request is answered at once with the new scan's id — as the deployed API
 * answers with the execution's — and the results reach the store when the scan ends.
 */
import { randomBytes } from 'node:crypto';
import { newScanId } from '../core/results/index.js';
import type { ScanStarter } from './api.js';
import { runInProcessScan } from './in-process-scan.js';
import type { InProcessScan, InProcessScanOptions } from './in-process-scan.js';

/** What the scans a local API starts share: the store, the scope and the runner settings. */
export type InProcessScanStarterOptions = Omit<InProcessScanOptions, 'scanId' | 'clusters' | 'signal'> & {
  /** a scan that ended, or failed (the API already answered 202: this is where it is reported) */
  readonly onDone?: (scanId: string, outcome: InProcessScan | Error) => void;
};

/** A starter, and a way to wait for the scans it started (serve's shutdown, tests). */
export interface InProcessScanStarter {
  readonly start: ScanStarter;
  /** resolves once no scan it started is running */
  idle(): Promise<void>;
  /** stops the running scans cleanly (their runner objects deleted, what was collected stored) */
  stop(): Promise<void>;
}

export function inProcessScanStarter(o: InProcessScanStarterOptions): InProcessScanStarter {
  const running = new Set<Promise<void>>();
  const controller = new AbortController();
  const now = o.now ?? (() => new Date());
  return {
    start: async ({ clusterId }) => {
      if (controller.signal.aborted) throw new Error('the local API is stopping');
      const scanId = newScanId(now(), () => randomBytes(3));
      const scan = runInProcessScan({
        ...o,
        scanId,
        ...(clusterId !== undefined ? { clusters: [clusterId] } : {}),
        signal: controller.signal,
      }).then(
        (done) => o.onDone?.(scanId, done),
        (err: unknown) => o.onDone?.(scanId, err instanceof Error ? err : new Error(String(err))),
      );
      const tracked = scan.finally(() => running.delete(tracked));
      running.add(tracked);
      return { scanId };
    },
    idle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
    stop: async () => {
      controller.abort();
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
