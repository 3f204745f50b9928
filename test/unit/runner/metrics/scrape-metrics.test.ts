import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectCorednsMetrics, scrapeMetrics } from '../../../../runner-image/src/metrics/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: RequestListener): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('scrapeMetrics', () => {
  it('returns the text of a 200 answer', async () => {
    const port = await serve((_q, res) => res.end('coredns_dns_requests_total 5\n'));

    expect(await scrapeMetrics({ host: '127.0.0.1', port })).toEqual({
      ok: true,
      text: 'coredns_dns_requests_total 5\n',
    });
  });

  it('turns a 404, a refused connection, a silent server and an oversized body into errors', async () => {
    const notFound = await serve((_q, res) => {
      res.statusCode = 404;
      res.end('404 page not found');
    });
    const silent = await serve(() => {
      /* never answers */
    });
    const huge = await serve((_q, res) => res.end('x'.repeat(10_000)));
    const closed = await serve(() => undefined);
    await new Promise((r) => servers.pop()?.close(r));

    expect(await scrapeMetrics({ host: '127.0.0.1', port: notFound })).toEqual({
      ok: false,
      error: expect.stringMatching(/HTTP 404/),
    });
    expect(await scrapeMetrics({ host: '127.0.0.1', port: closed })).toEqual({
      ok: false,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(await scrapeMetrics({ host: '127.0.0.1', port: silent, timeoutMs: 200 })).toEqual({
      ok: false,
      error: expect.stringMatching(/no answer .* within 200 ms/),
    });
    expect(await scrapeMetrics({ host: '127.0.0.1', port: huge, maxBytes: 1000 })).toEqual({
      ok: false,
      error: expect.stringMatching(/more than 1000 bytes/),
    });
  });
});

describe('collectCorednsMetrics', () => {
  it('scrapes twice, at least intervalMs apart, doing the work in between', async () => {
    let n = 0;
    const port = await serve((_q, res) => res.end(`coredns_dns_requests_total ${++n * 10}\n`));
    let between = false;
    // A clock the test moves (a real timer may fire a millisecond early by Date.now).
    let clock = 1_000_000;
    const sleeps: number[] = [];

    const [pod] = await collectCorednsMetrics([{ pod: 'coredns-a', podIp: '127.0.0.1', port }], {
      intervalMs: 150,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      between: async () => {
        between = true;
        clock += 40; // the work in between takes 40 ms of the interval
      },
    });

    expect(between).toBe(true);
    expect(sleeps).toEqual([110]); // only what the interval still needs
    expect(pod!.first!.text).toBe('coredns_dns_requests_total 10\n');
    expect(pod!.second!.text).toBe('coredns_dns_requests_total 20\n');
    expect(pod!.second!.atMs - pod!.first!.atMs).toBeGreaterThanOrEqual(150);
  });

  it('reports a pod whose first scrape failed, and does not scrape it again', async () => {
    const calls: string[] = [];
    const result = await collectCorednsMetrics([{ pod: 'coredns-a', podIp: '198.18.2.20' }], {
      intervalMs: 0,
      scrape: async (t) => {
        calls.push(t.pod);
        return { ok: false, error: 'connect ECONNREFUSED' };
      },
    });

    expect(result).toEqual([{ pod: 'coredns-a', podIp: '198.18.2.20', error: 'connect ECONNREFUSED' }]);
    expect(calls).toEqual(['coredns-a']);
  });

  it('with no pods, does the work in between and does not wait the interval', async () => {
    let between = false;
    const sleeps: number[] = [];
    const result = await collectCorednsMetrics([], {
      intervalMs: 10_000,
      between: async () => void (between = true),
      sleep: async (ms) => void sleeps.push(ms),
    });

    expect(result).toEqual([]);
    expect(between).toBe(true);
    expect(sleeps).toEqual([]);
  });
});
