/**
 * The scan's live task list on stderr (listr2): accounts and regions discovered, account×regions
 * collected, runners dispatched and collected, clusters stored. Shown only when the CLI shows
 * progress (stderr a terminal, no --quiet / --no-progress); otherwise every call is a no-op.
 */
import { createWritable, Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { ScanProgressEvent } from '../../handlers/in-process-scan.js';

export interface ScanProgress {
  readonly onEvent: (event: ScanProgressEvent) => void;
  /** Ctrl-C: the titles say the scan is stopping */
  interrupted(): void;
  /** the scan ended (finished, failed or stopped): every task completes and the list is drawn a last time */
  stop(): Promise<void>;
}

/** What the scan has reported so far. */
interface Tally {
  accounts: number;
  items: number | undefined;
  regionsDone: number;
  regionsFailed: number;
  clusters: number;
  dispatched: number;
  collected: number;
  runnerErrors: number;
  stored: number;
  finished: boolean;
  stopping: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The progress display over `write` (undefined: nothing is shown). */
export function scanProgress(
  write: ((text: string) => void) | undefined,
  o: { readonly inCluster: boolean },
): ScanProgress {
  const t: Tally = {
    accounts: 0,
    items: undefined,
    regionsDone: 0,
    regionsFailed: 0,
    clusters: 0,
    dispatched: 0,
    collected: 0,
    runnerErrors: 0,
    stored: 0,
    finished: false,
    stopping: false,
  };
  const onEvent = (e: ScanProgressEvent) => {
    switch (e.kind) {
      case 'discovered':
        t.items = e.items.length;
        t.accounts = new Set(e.items.map((i) => i.accountId)).size;
        break;
      case 'region-started':
        break;
      case 'region-collected':
        t.regionsDone += 1;
        t.clusters += e.clusters.length;
        break;
      case 'region-failed':
        t.regionsDone += 1;
        t.regionsFailed += 1;
        break;
      case 'runner-dispatched':
        t.dispatched += 1;
        break;
      case 'runner-collected':
        t.collected += 1;
        if (e.error !== undefined) t.runnerErrors += 1;
        break;
      case 'cluster-stored':
        t.stored += 1;
        break;
    }
  };
  if (write === undefined) return { onEvent, interrupted: () => undefined, stop: async () => undefined };

  const stopping = () => (t.stopping ? ' (stopping)' : '');
  const tick = () => new Promise((r) => setTimeout(r, 100));
  const until = async (ready: () => boolean, title: () => string, task: { title: string }) => {
    while (!ready() && !t.finished) {
      task.title = title();
      await tick();
    }
    task.title = title();
  };
  const regionsTitle = () =>
    `Collect the AWS side: ${t.regionsDone}/${t.items ?? '?'} account×regions, ${plural(t.clusters, 'cluster')}${t.regionsFailed > 0 ? `, ${t.regionsFailed} failed` : ''}${stopping()}`;
  const runnersTitle = () =>
    `In-cluster runners: ${t.dispatched} dispatched, ${t.collected} collected${t.runnerErrors > 0 ? ` (${t.runnerErrors} failed)` : ''}${stopping()}`;
  const output = createWritable((chunk) => write(chunk)) as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(output, output) });
  const list = new Listr(
    [
      {
        title: 'Discover accounts and regions',
        task: (_, task) =>
          until(
            () => t.items !== undefined,
            () =>
              t.items === undefined
                ? 'Discover accounts and regions'
                : `Discovered ${plural(t.items, 'account×region')} in ${plural(t.accounts, 'account')}`,
            task,
          ),
      },
      {
        title: 'Collect the AWS side',
        task: (_, task) => until(() => t.items !== undefined && t.regionsDone >= t.items, regionsTitle, task),
      },
      ...(o.inCluster
        ? [
            {
              title: 'In-cluster runners',
              task: (_: unknown, task: { title: string }) => until(() => false, runnersTitle, task),
            },
          ]
        : []),
      {
        title: 'Store and summarize',
        task: (_, task) =>
          until(
            () => false,
            () => `Store and summarize: ${plural(t.stored, 'cluster')} stored`,
            task,
          ),
      },
    ],
    {
      concurrent: false,
      exitOnError: false,
      renderer: 'default',
      fallbackRendererCondition: () => false,
      // Ctrl-C is the scan's to handle (a clean stop), not the task list's.
      registerSignalListeners: false,
      // The CLI decided progress is shown (stderr is a terminal): draw there, not on stdout.
      forceTTY: true,
      rendererOptions: { logger },
      fallbackRendererOptions: { logger },
    },
  );
  const running = list.run().catch(() => undefined);
  return {
    onEvent,
    interrupted: () => {
      t.stopping = true;
    },
    stop: async () => {
      t.finished = true;
      await running;
    },
  };
}
