/**
 * Scrapes a CoreDNS `:9153/metrics` endpoint over plain HTTP from inside the cluster (the probe
 * pod reaches pod IPs directly), bounded in time and size, and collects two scrapes per pod some
 * seconds apart for DNS-UPSTREAM-METRICS.
 *
 * @see https://coredns.io/plugins/metrics/
 */
import { request } from 'node:http';
import { isIPv6 } from 'node:net';
import type { CorednsPodMetrics } from '../../../lambdas/core/metrics/index.js';

export type ScrapeOutcome =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

export interface ScrapeOptions {
  readonly host: string;
  /** @default 9153 */
  readonly port?: number;
  /** @default '/metrics' */
  readonly path?: string;
  /** @default 3000 */
  readonly timeoutMs?: number;
  /** a scrape larger than this is cut off and reported as an error. @default 8 MiB */
  readonly maxBytes?: number;
}

/** GETs the metrics text. Never rejects: connection errors, timeouts, non-200 answers come back as `error`. */
export function scrapeMetrics(options: ScrapeOptions): Promise<ScrapeOutcome> {
  const port = options.port ?? 9153;
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const where = `${isIPv6(options.host) ? `[${options.host}]` : options.host}:${port}${options.path ?? '/metrics'}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: ScrapeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const req = request(
      {
        host: options.host,
        port,
        path: options.path ?? '/metrics',
        method: 'GET',
        headers: { accept: 'text/plain;version=0.0.4', 'user-agent': 'fleet-dns-runner' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          done({ ok: false, error: `HTTP ${res.statusCode ?? '?'} from ${where}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            done({ ok: false, error: `${where} sent more than ${maxBytes} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => done({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => done({ ok: false, error: `${where}: ${err.message}` }));
      },
    );
    const timer = setTimeout(
      () => done({ ok: false, error: `no answer from ${where} within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on('error', (err) => done({ ok: false, error: `${where}: ${err.message}` }));
    req.end();
  });
}

/** A CoreDNS pod whose metrics are scraped. */
export interface MetricsTarget {
  readonly pod: string;
  readonly podIp: string;
  readonly node?: string;
  /** @default 9153 */
  readonly port?: number;
}

export interface CollectMetricsOptions {
  /** time between the two scrapes: long enough for a rate, short enough to keep a scan under 10 s. @default 5000 */
  readonly intervalMs?: number;
  readonly scrape?: (target: MetricsTarget) => Promise<ScrapeOutcome>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** work to do between the two scrapes (the forwarder probes), so the wait is not idle */
  readonly between?: () => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Scrapes every target, waits `intervalMs` (doing `between` meanwhile), scrapes again.
 * The second scrape of each pod is timed from its own first scrape.
 */
export async function collectCorednsMetrics(
  targets: readonly MetricsTarget[],
  options: CollectMetricsOptions = {},
): Promise<CorednsPodMetrics[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const intervalMs = options.intervalMs ?? 5_000;
  const scrape =
    options.scrape ??
    ((t: MetricsTarget) => scrapeMetrics({ host: t.podIp, ...(t.port !== undefined && { port: t.port }) }));
  if (targets.length === 0) {
    await options.between?.();
    return [];
  }
  const firstAt = now();
  const first = await Promise.all(targets.map(async (t) => ({ t, at: now(), r: await scrape(t) })));
  await options.between?.();
  const elapsed = now() - firstAt;
  if (elapsed < intervalMs) await sleep(intervalMs - elapsed);
  const second = await Promise.all(
    first.map(async ({ t, r }) => (r.ok ? { at: now(), r: await scrape(t) } : undefined)),
  );
  return first.map(({ t, at, r }, i): CorednsPodMetrics => {
    const base = { pod: t.pod, podIp: t.podIp, ...(t.node !== undefined && { node: t.node }) };
    const s = second[i];
    if (!r.ok) return { ...base, error: r.error };
    if (s === undefined || !s.r.ok)
      return { ...base, error: s && !s.r.ok ? `second scrape: ${s.r.error}` : 'second scrape missing' };
    return { ...base, first: { text: r.text, atMs: at }, second: { text: s.r.text, atMs: s.at } };
  });
}
