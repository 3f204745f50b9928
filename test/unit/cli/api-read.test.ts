/**
 * `fleet-dns gate --api URL` and `fleet-dns report --api URL` against a served API: the handler
 * `fleet-dns serve` runs (its own request listener, in process on 127.0.0.1) over an embedded
 * store seeded with a pass, a fail, a stale and an unknown cluster. Every request it receives is
 * recorded, and its SigV4 signature is checked by signing the request again with the fake keys.
 * Small stub servers on 127.0.0.1 answer what the served API does not (400, 403, 5xx).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequestListener } from '../../../lambdas/cli/commands/serve.js';
import { EXIT } from '../../../lambdas/cli/index.js';
import { gateDecisionSchema } from '../../../lambdas/core/schema/index.js';
import { createApiHandler } from '../../../lambdas/handlers/api.js';
import { openEmbeddedStore } from '../../../lambdas/store/embedded/index.js';
import type { ResultStore } from '../../../lambdas/store/index.js';
import { startServe } from '../../support/api-fleet.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { FAKE_ACCESS_KEY_ID, fakeAwsEnvironment, stubFakeAwsEnvironment } from '../aws/support/fake-aws.js';
import { SPAWNED } from './spawn-cli.js';
import { DEV_B, fillStore, fleet, OLD_C, PROD_A, scratchDir } from './store-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const REGION = 'eu-west-1';
const NEVER_SCANNED = '999988887777:eu-west-1:prod-z';
const scratch = scratchDir('fleet-dns-api-read-');
const storeFile = path.join(scratch, 'results.db');

/** A request a server received. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Starts `listener` on 127.0.0.1 (any free port), recording each request. */
async function listenOnLoopback(
  listener: (req: IncomingMessage, res: ServerResponse, port: number) => void,
): Promise<{ server: Server; base: string; port: number; received: Received[] }> {
  const received: Received[] = [];
  let port = 0;
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    listener(req, res, port);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  port = (server.address() as AddressInfo).port;
  return { server, base: `http://127.0.0.1:${port}`, port, received };
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/**
 * Whether `req` carries a valid SigV4 signature of the fake keys for execute-api in REGION: the
 * request signed again (same date, same signed headers) must give the same Authorization.
 */
async function signatureHolds(req: Received, port: number): Promise<boolean> {
  const auth = String(req.headers.authorization ?? '');
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const iso = amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) if (name !== 'x-amz-date') headers[name] = String(req.headers[name]);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: REGION,
    credentials: {
      accessKeyId: FAKE_ACCESS_KEY_ID,
      secretAccessKey: fakeAwsEnvironment().AWS_SECRET_ACCESS_KEY!,
    },
    sha256: Sha256,
  });
  const again = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
    }),
    { signingDate: new Date(iso) },
  );
  return again.headers.authorization === auth;
}

let store: ResultStore;
let served: Awaited<ReturnType<typeof listenOnLoopback>>;

beforeAll(async () => {
  stubFakeAwsEnvironment(REGION);
  const { results, runs } = fleet();
  await fillStore(storeFile, results, runs);
  // The API handler as `fleet-dns serve` builds it: quiet Powertools, the embedded store.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  store = openEmbeddedStore({ path: storeFile });
  const handler = createApiHandler({
    store,
    logger: new Logger({ serviceName: 'fleet-dns-serve', logLevel: 'SILENT' }),
    metrics: new Metrics({ serviceName: 'fleet-dns-serve', namespace: 'fleet-dns' }),
    tracer: new Tracer({ serviceName: 'fleet-dns-serve', enabled: false }),
  });
  let listener: ReturnType<typeof apiRequestListener> | undefined;
  served = await listenOnLoopback((req, res, port) => {
    listener ??= apiRequestListener(
      handler,
      () => port,
      (err) => {
        throw err;
      },
    );
    listener(req, res);
  });
});

afterAll(async () => {
  await closeServer(served.server);
  await store.close();
});

const gate = (...args: string[]) => runCliInProcess(['gate', '--api', served.base, ...args]);
const gateJson = async (...args: string[]) => {
  const run = await gate('--format', 'json', ...args);
  const json = JSON.parse(run.stdout) as Json;
  expect(gateDecisionSchema.safeParse(json).success).toBe(true);
  return { ...run, json };
};

describe('fleet-dns gate --api (a served API)', () => {
  it('takes the cluster as the argument or --cluster, never both different, never none (exit 2)', async () => {
    const none = await gate();
    expect(none.code).toBe(EXIT.USAGE);
    expect(none.stderr).toContain('which cluster?');
    const twice = await gate(DEV_B, '--cluster', PROD_A);
    expect(twice.code).toBe(EXIT.USAGE);
    expect(twice.stderr).toContain('given twice');
  });

  it('pass → 0, fail → 3, stale → 3, never scanned → 3 and 0 with --allow-unknown', async () => {
    const pass = await gateJson('--cluster', DEV_B);
    expect(pass).toMatchObject({ code: EXIT.OK, stderr: '', json: { decision: 'pass', scan: { id: 's2' } } });
    const fail = await gateJson('--cluster', PROD_A);
    expect(fail.code).toBe(EXIT.FINDINGS);
    expect(fail.json.reasons[0]).toMatchObject({ code: 'check-failed', checkId: 'NET-SG-DNS-UDP' });
    const stale = await gateJson('--cluster', OLD_C);
    expect(stale.code).toBe(EXIT.FINDINGS);
    expect(stale.json.reasons[0].code).toBe('stale');
    const unknown = await gateJson('--cluster', NEVER_SCANNED);
    expect(unknown.code).toBe(EXIT.FINDINGS);
    expect(unknown.json).toEqual({
      decision: 'unknown',
      reasons: [{ code: 'no-scan', message: 'no scan of this cluster is stored' }],
      scan: null,
    });
    expect((await gate('--cluster', NEVER_SCANNED, '--allow-unknown')).code).toBe(EXIT.OK);
    expect((await gate('--cluster', PROD_A, '--ignore-exit-code')).code).toBe(EXIT.OK);
  });

  it('decides as gate --store does on the same store (the table too), and sends targetVersion', async () => {
    for (const cluster of [DEV_B, PROD_A]) {
      const local = await runCliInProcess([
        'gate',
        '--store',
        storeFile,
        '--cluster',
        cluster,
        '--target-version',
        '1.33',
      ]);
      // the cluster as the argument (`fleet-dns gate CLUSTER`), as README's CI example gives it
      const remote = await gate(cluster, '--target-version', '1.33');
      expect(remote).toEqual(local);
    }
    expect(served.received.at(-1)?.url).toBe(
      `/clusters/${encodeURIComponent(PROD_A)}/gate?targetVersion=1.33`,
    );
  });

  it('a bare cluster name is resolved through GET /clusters', async () => {
    const before = served.received.length;
    const run = await gateJson('--cluster', 'dev-b');
    expect(run.code).toBe(EXIT.OK);
    expect(served.received.slice(before).map((r) => r.url.split('?')[0])).toEqual([
      '/clusters',
      `/clusters/${encodeURIComponent(DEV_B)}/gate`,
    ]);
  });

  it('every request is SigV4-signed for execute-api with the default chain’s (fake, static) keys', async () => {
    await gate('--cluster', DEV_B);
    const request = served.received.at(-1)!;
    expect(String(request.headers.authorization)).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${FAKE_ACCESS_KEY_ID}/\\d{8}/${REGION}/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]*\\bhost\\b[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
      ),
    );
    for (const r of served.received) expect(await signatureHolds(r, served.port)).toBe(true);
    // the check can fail: the same request for another path does not verify
    expect(
      await signatureHolds({ ...request, url: `/clusters/${encodeURIComponent(PROD_A)}/gate` }, served.port),
    ).toBe(false);
  });
});

describe('fleet-dns gate --api against the real `fleet-dns serve` process', SPAWNED, () => {
  it('exit 0 for pass, 3 for fail and for a cluster never scanned (0 with --allow-unknown)', async () => {
    const serve = await startServe(['--store', storeFile]);
    try {
      const run = (...args: string[]) => runCliInProcess(['gate', '--api', serve.base, ...args]);
      expect((await run('--cluster', DEV_B)).code).toBe(EXIT.OK);
      expect((await run('--cluster', PROD_A)).code).toBe(EXIT.FINDINGS);
      expect((await run('--cluster', NEVER_SCANNED)).code).toBe(EXIT.FINDINGS);
      expect((await run('--cluster', NEVER_SCANNED, '--allow-unknown')).code).toBe(EXIT.OK);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
  });
});

describe('fleet-dns report --api (a served API)', () => {
  it('gives the same report as report --store on the same store: JSON, the table (regressions from the history), --scan', async () => {
    for (const args of [
      ['--format', 'json'],
      ['--format', 'table'],
      ['--format', 'json', '--scan', 's1'],
      ['--format', 'csv'],
    ]) {
      const local = await runCliInProcess(['report', '--store', storeFile, ...args]);
      const remote = await runCliInProcess(['report', '--api', served.base, ...args]);
      expect(local.code).toBe(EXIT.OK);
      expect(remote).toEqual(local);
    }
    const table = await runCliInProcess(['report', '--api', served.base]);
    expect(table.stdout).toContain('1 regressions since the previous scan:');
  });

  it('the default report is the API’s own compliance report; the history is read page by page', async () => {
    const before = served.received.length;
    await runCliInProcess(['report', '--api', served.base, '--format', 'json']);
    const paths = served.received.slice(before).map((r) => r.url);
    expect(paths[0]).toBe('/reports/compliance?format=json');
    expect(paths.slice(1).every((p) => /^\/clusters\/[^/]+\/scans\?limit=100$/.test(p))).toBe(true);
  });
});

describe('fleet-dns report --api: an API with nothing stored', () => {
  it('exit 2, one line saying there is no scan (as report --store on an empty store)', async () => {
    const empty = await listenOnLoopback((req, res) => {
      res.writeHead(req.url?.startsWith('/clusters?') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        req.url?.startsWith('/clusters?')
          ? JSON.stringify({ items: [], nextCursor: null })
          : JSON.stringify({ error: { code: 'no-scan-run', message: 'no fleet scan has been stored yet' } }),
      );
    });
    try {
      const run = await runCliInProcess(['report', '--api', empty.base]);
      expect(run.code).toBe(EXIT.USAGE);
      expect(run.stderr).toBe(
        `fleet-dns: error: no scan in the store at ${empty.base}/: run \`fleet-dns scan\` or \`fleet-dns demo\` first\n`,
      );
      expect(empty.received.map((r) => r.url)).toEqual([
        '/reports/compliance?format=json',
        '/clusters?limit=100',
        '/summary',
      ]);
    } finally {
      await closeServer(empty.server);
    }
  });
});

describe('--api: usage errors (exit 2, one line)', () => {
  const usage = async (argv: string[], message: RegExp) => {
    const run = await runCliInProcess(argv);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
  };

  it('with --store or --table, a malformed URL, plain http off loopback, flags the API does not take', async () => {
    await usage(
      [
        'gate',
        '--cluster',
        DEV_B,
        '--api',
        'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
        '--store',
        storeFile,
      ],
      /^fleet-dns: error: --api and --store exclude each other/,
    );
    await usage(
      ['report', '--api', 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', '--table', 'results'],
      /^fleet-dns: error: --api and --table exclude each other/,
    );
    await usage(
      ['gate', '--cluster', DEV_B, '--api', 'not a url'],
      /^fleet-dns: error: --api "not a url" is not a URL/,
    );
    await usage(
      ['report', '--api', 'http://api.example.com/prod'],
      /^fleet-dns: error: --api "http:\/\/api.example.com\/prod": plain http is allowed only to 127\.0\.0\.1 or localhost/,
    );
    await usage(['gate', '--cluster', DEV_B, '--api', 'ftp://127.0.0.1/'], /expected an https:\/\/ URL/);
    await usage(
      ['gate', '--cluster', DEV_B, '--api', served.base, '--severity', 'critical'],
      /^fleet-dns: error: --severity cannot be used with --api/,
    );
    await usage(
      ['report', '--region', 'eu-west-1'],
      /^fleet-dns: error: --region applies only with --api URL/,
    );
  });

  it('a 400 from the API is passed on as a usage error with its message', async () => {
    const stub = await listenOnLoopback((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'invalid-parameter', message: 'targetVersion: not supported here' },
        }),
      );
    });
    try {
      const run = await runCliInProcess(['gate', '--api', stub.base, '--cluster', DEV_B]);
      expect(run).toEqual({
        code: EXIT.USAGE,
        stdout: '',
        stderr:
          'fleet-dns: error: the fleet-dns API refused the request: targetVersion: not supported here\n',
      });
      expect(stub.received).toHaveLength(1);
    } finally {
      await closeServer(stub.server);
    }
  });
});

describe('--api: tool errors (exit 1, one line)', () => {
  it('the API down: exit 1, one line naming the URL and ECONNREFUSED', async () => {
    const gone = await listenOnLoopback(() => undefined);
    await closeServer(gone.server);
    const run = await runCliInProcess(['gate', '--api', gone.base, '--cluster', DEV_B]);
    expect(run.code).toBe(EXIT.TOOL_ERROR);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `fleet-dns: error: the fleet-dns API at ${gone.base}/clusters/${encodeURIComponent(DEV_B)}/gate could not be reached: ECONNREFUSED: check the URL (--api) and the network\n`,
    );
  });

  it('a 403 names the credentials’ problem; 5xx is retried, then exit 1', async () => {
    let answers: { status: number; body: unknown }[] = [];
    const stub = await listenOnLoopback((_req, res) => {
      const next = answers.shift() ?? {
        status: 500,
        body: { error: { code: 'internal', message: 'internal error' } },
      };
      res.writeHead(next.status, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify(next.body));
    });
    try {
      answers = [
        {
          status: 403,
          body: {
            message: `User: arn:aws:iam::111122223333:user/ci is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:111122223333:abc/prod/GET/clusters/x/gate`,
          },
        },
      ];
      const denied = await runCliInProcess(['gate', '--api', stub.base, '--cluster', DEV_B]);
      expect(denied.code).toBe(EXIT.TOOL_ERROR);
      expect(denied.stderr).toMatch(
        /^fleet-dns: error: the fleet-dns API refused the signed request \(HTTP 403: User: arn:aws:iam::111122223333:user\/ci is not authorized to perform: execute-api:Invoke .*\): the credentials in use need execute-api:Invoke on this API \(the API is IAM-authorised\)\n$/,
      );
      expect(stub.received).toHaveLength(1); // a 403 is not retried

      // two 503s, then the decision: retried, exit as the decision says
      const pass = {
        decision: 'pass',
        reasons: [],
        scan: { id: 's2', finishedAt: '2026-01-01T00:10:00.000Z' },
      };
      answers = [
        { status: 503, body: { message: 'Service Unavailable' } },
        { status: 503, body: { message: 'Service Unavailable' } },
        { status: 200, body: pass },
      ];
      stub.received.length = 0;
      const retried = await runCliInProcess([
        'gate',
        '--api',
        stub.base,
        '--cluster',
        DEV_B,
        '--format',
        'json',
      ]);
      expect(retried.code).toBe(EXIT.OK);
      expect(stub.received).toHaveLength(3);

      // 500 every time: the core's five attempts, then one line, exit 1
      answers = [];
      stub.received.length = 0;
      const failing = await runCliInProcess(['gate', '--api', stub.base, '--cluster', DEV_B]);
      expect(failing.code).toBe(EXIT.TOOL_ERROR);
      expect(stub.received).toHaveLength(5);
      expect(failing.stderr).toBe(
        `fleet-dns: error: the fleet-dns API failed GET /clusters/${encodeURIComponent(DEV_B)}/gate: HTTP 500 internal: internal error\n`,
      );
    } finally {
      await closeServer(stub.server);
    }
  });

  it('no credentials in the default chain: exit 1, how to configure them, nothing sent', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const before = served.received.length;
    try {
      const run = await runCliInProcess(['gate', '--api', served.base, '--cluster', DEV_B]);
      expect(run.code).toBe(EXIT.TOOL_ERROR);
      expect(run.stderr).toMatch(
        /^fleet-dns: error: no AWS credentials found: set AWS_PROFILE .*`aws configure`.*\n$/,
      );
      expect(served.received.length).toBe(before);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id!;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret!;
    }
  });
});
