/**
 * The fleet-dns API client's bounds and rules, against stub servers on 127.0.0.1: the signing
 * region, which URLs it accepts, Retry-After, the response size limit and the timeouts. (The
 * client against the served API is test/unit/cli/api-read.test.ts.)
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FleetApiClient,
  FleetApiResponseError,
  FleetApiStatusError,
  FleetApiUnreachableError,
  FleetApiUrlError,
  parseApiUrl,
  signingRegionOf,
} from '../../../../lambdas/aws/api-client/index.js';
import type { RetryClock } from '../../../../lambdas/core/retry/index.js';

const credentials = async () => ({ accessKeyId: 'AKIAFLEETDNSTESTKEY1', secretAccessKey: 'fake-secret' });
const servers: Server[] = [];

async function stub(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0))
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
});

/** A clock that records the waits asked for and does not wait. */
function recordingClock(): RetryClock & { waits: number[] } {
  const waits: number[] = [];
  return { waits, now: () => 0, sleep: async (ms) => void waits.push(ms) };
}

describe('FleetApiClient', () => {
  it('signs for the region an execute-api host names, else --region, else AWS_REGION', () => {
    expect(
      signingRegionOf(
        new URL('https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com/prod'),
        'eu-west-1',
      ),
    ).toBe('ap-southeast-2');
    expect(signingRegionOf(new URL('https://fleet-dns.example.com/'), 'eu-central-1')).toBe('eu-central-1');
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'us-west-2';
    try {
      expect(signingRegionOf(new URL('http://127.0.0.1:8080'), undefined)).toBe('us-west-2');
      delete process.env.AWS_REGION;
      const savedDefault = process.env.AWS_DEFAULT_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      expect(() => signingRegionOf(new URL('https://fleet-dns.example.com/'), undefined)).toThrow(
        /cannot tell the API's region from fleet-dns\.example\.com: give --region or set AWS_REGION/,
      );
      if (savedDefault !== undefined) process.env.AWS_DEFAULT_REGION = savedDefault;
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });

  it('accepts https anywhere and http only to loopback; no credentials, query or fragment in the URL', () => {
    expect(parseApiUrl('https://abc.execute-api.eu-west-1.amazonaws.com/prod').pathname).toBe('/prod');
    expect(parseApiUrl('http://localhost:8080').host).toBe('localhost:8080');
    expect(parseApiUrl('http://127.0.0.1:8080/').host).toBe('127.0.0.1:8080');
    for (const bad of [
      'http://10.0.0.1/prod',
      'http://api.example.com',
      'https://user:pw@api.example.com',
      'https://api.example.com/prod?x=1',
      'file:///etc/passwd',
      '',
    ])
      expect(() => parseApiUrl(bad), bad).toThrow(FleetApiUrlError);
  });

  it('keeps the base path (the API Gateway stage) and honours Retry-After on a 429', async () => {
    const paths: string[] = [];
    let calls = 0;
    const base = await stub((req, res) => {
      paths.push(req.url ?? '');
      calls += 1;
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
        res.end('{"message":"Too Many Requests"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const clock = recordingClock();
    const client = new FleetApiClient({
      baseUrl: `${base}/prod/`,
      region: 'eu-west-1',
      credentials,
      retry: { clock, random: () => 0.5 },
    });
    expect(await client.getJson('/summary', { z: "it's", a: 'b c', none: undefined })).toEqual({ ok: true });
    expect(paths).toEqual(['/prod/summary?a=b%20c&z=it%27s', '/prod/summary?a=b%20c&z=it%27s']);
    expect(clock.waits).toEqual([3000]);
  });

  it('a 4xx is not retried and carries the API’s error code and message', async () => {
    let calls = 0;
    const base = await stub((_req, res) => {
      calls += 1;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"unknown-cluster","message":"no result for cluster x"}}');
    });
    const client = new FleetApiClient({ baseUrl: base, region: 'eu-west-1', credentials });
    const err = await client.getJson('/clusters/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetApiStatusError);
    expect(err).toMatchObject({
      status: 404,
      code: 'unknown-cluster',
      apiMessage: 'no result for cluster x',
    });
    expect(calls).toBe(1);
  });

  it('refuses an answer larger than the bound (declared or streamed)', async () => {
    const base = await stub((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.end('x'.repeat(5000));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length up front
        res.write('['.padEnd(3000, ' '));
        res.end(']');
      }
    });
    const client = new FleetApiClient({
      baseUrl: base,
      region: 'eu-west-1',
      credentials,
      maxResponseBytes: 1024,
    });
    await expect(client.getJson('/declared')).rejects.toThrow(FleetApiResponseError);
    await expect(client.getJson('/streamed')).rejects.toThrow(/larger than 1024 bytes/);
  });

  it('a server that never answers ends at the request timeout, not retried', async () => {
    let calls = 0;
    const base = await stub(() => {
      calls += 1; // never answers
    });
    const client = new FleetApiClient({
      baseUrl: base,
      region: 'eu-west-1',
      credentials,
      requestTimeoutMs: 200,
    });
    const err = await client.getJson('/summary').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetApiUnreachableError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect((err as Error).message).toMatch(/no complete answer within 200 ms/);
    expect(calls).toBe(1);
  });

  it('an answer that is not JSON is a response error', async () => {
    const base = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    const client = new FleetApiClient({ baseUrl: base, region: 'eu-west-1', credentials });
    await expect(client.getJson('/summary')).rejects.toThrow(
      /GET \/summary: the answer is not JSON \(text\/html\)/,
    );
  });
});
