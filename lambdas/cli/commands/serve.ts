/**
 * `fleet-dns serve`: the fleet API on this machine. A Node `http` server on 127.0.0.1 only turns
 * each request into an API Gateway REST (v1) proxy event, calls the same handler the deployed
 * API runs (lambdas/handlers/api.ts) over the embedded store, and writes its answer back.
 * Prints `listening on http://127.0.0.1:PORT` on stderr once it accepts connections; stops
 * cleanly (exit 0) on SIGINT or SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createApiHandler } from '../../handlers/api.js';
import { eksTokenProvider } from '../../handlers/cluster-connection.js';
import { parseRunnerHandlerConfig } from '../../handlers/config.js';
import { HandlerConfigError } from '../../handlers/errors.js';
import { inProcessScanStarter } from '../../handlers/in-process-scan-starter.js';
import type { InProcessScanStarter } from '../../handlers/in-process-scan-starter.js';
import { parseScanScopeConfig } from '../../handlers/pipeline-config.js';
import type { ApiGatewayProxyEvent, ApiGatewayProxyResult, ApiLambda } from '../../handlers/api.js';
import type { Context } from '../../handlers/middleware.js';
import { defaultStorePath, openEmbeddedStore } from '../../store/embedded/index.js';
import { openStoreForReading } from '../store-access.js';
import { EXIT, UsageError } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';

export const SERVE_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** Largest request body read: the API takes at most a small JSON document. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export interface ServeOptions {
  port: string;
  store?: string;
  table?: string;
  /** POST /scans runs a scan in this process @default true; the demo serves its results only */
  startScans?: boolean;
}

/** `--port`: a whole number 0–65535 (0: any free port). @throws UsageError */
export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65_535)
    throw new UsageError(`--port ${JSON.stringify(text)}: expected a port number from 0 to 65535`);
  return Number(text);
}

const jsonError = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/** The request's body, at most {@link MAX_REQUEST_BODY_BYTES}; undefined when it is larger. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The API Gateway REST (v1) proxy event of a local request, as API Gateway builds it: a
 * `{proxy+}` resource, the raw (still %-encoded) path, decoded query parameters, headers
 * single- and multi-valued.
 */
export function proxyEventOf(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  port: number,
): ApiGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: url.pathname === '/' ? null : { proxy: url.pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: 'local',
      apiId: 'fleet-dns-serve',
      domainName: `${SERVE_HOST}:${port}`,
      httpMethod: method,
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourcePath: '/{proxy+}',
      stage: 'local',
      identity: { sourceIp: req.socket.remoteAddress ?? SERVE_HOST },
    },
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/** A Lambda context for one local invocation. */
function localContext(requestId: string): Context {
  return {
    functionName: 'fleet-dns-serve',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:fleet-dns-serve',
    memoryLimitInMB: '0',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
  };
}

function writeResult(res: ServerResponse, result: ApiGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  res.writeHead(result.statusCode, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

function writeJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  writeResult(res, {
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: jsonError(code, message),
  });
}

/**
 * The request listener: only requests addressed to this loopback server (a `Host` of
 * 127.0.0.1:PORT or localhost:PORT, so a page in a browser cannot reach the API through DNS
 * rebinding) go to the handler.
 */
export function apiRequestListener(
  handler: ApiLambda,
  port: () => number,
  onError: (err: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      const p = port();
      const host = req.headers.host ?? '';
      if (host !== `${SERVE_HOST}:${p}` && host !== `localhost:${p}`) {
        writeJsonError(res, 421, 'misdirected-request', `this server answers ${SERVE_HOST}:${p} only`);
        return;
      }
      let url: URL;
      try {
        url = new URL(req.url ?? '/', `http://${SERVE_HOST}:${p}`);
        if (url.host !== `${SERVE_HOST}:${p}`) throw new Error('not a path');
      } catch {
        writeJsonError(res, 400, 'bad-request', 'the request target is not a path');
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        writeJsonError(res, 413, 'body-too-large', `the body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
        return;
      }
      const event = proxyEventOf(req, url, body, p);
      const requestId = String(event.requestContext.requestId);
      writeResult(res, await handler(event, localContext(requestId)));
    })().catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) writeJsonError(res, 500, 'internal', 'internal error');
      else res.destroy();
    });
  };
}

/** Listens on 127.0.0.1:`port`; resolves with the bound port once connections are accepted. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: SERVE_HOST, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * `POST /scans` locally: the scan runs in this process with the default credential chain, over
 * the scope the deployed scanner reads (SCAN_ACCOUNTS, SCAN_REGIONS… — by default the current
 * account in AWS_REGION), the in-cluster phase only when FLEET_DNS_RUNNER_IMAGE names the runner
 * image. Each scan's end is one line on stderr.
 */
function localScanStarter(
  store: Parameters<typeof inProcessScanStarter>[0]['store'],
  ctx: CommandContext,
): InProcessScanStarter {
  const env = process.env;
  const home = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
  const scope = parseScanScopeConfig({
    ...env,
    SCAN_REGIONS: env.SCAN_REGIONS ?? (home !== '' ? home : 'enabled'),
    AWS_REGION: home !== '' ? home : 'us-east-1',
  });
  const image = env.FLEET_DNS_RUNNER_IMAGE;
  return inProcessScanStarter({
    store,
    scope,
    ...(image !== undefined && image !== ''
      ? {
          runner: {
            config: parseRunnerHandlerConfig({ ...env, RUNNER_IMAGE: image }),
            tokenProvider: eksTokenProvider(),
          },
        }
      : {
          runnerSkippedReason:
            'a scan started through the local API runs the in-cluster checks only when FLEET_DNS_RUNNER_IMAGE names the runner image',
        }),
    onDone: (scanId, outcome) =>
      ctx.printTextToStderr(
        outcome instanceof Error
          ? `fleet-dns: error: scan ${scanId} failed: ${outcome.message}\n`
          : `fleet-dns: scan ${scanId} finished: ${outcome.stored.length} clusters stored${outcome.interrupted ? ' (stopped)' : ''}\n`,
      ),
  });
}

export async function serve(
  options: ServeOptions,
  ctx: CommandContext,
  /** called once it accepts connections, with the bound port (the demo prints examples) */
  onListening?: (port: number) => void,
): Promise<void> {
  const port = parsePort(options.port);
  // `--table`: the DynamoDB store (name checked, exclusive with --store); else the embedded store,
  // created when it does not exist yet (an empty fleet: /summary answers 404 no-scan-run).
  const store =
    options.table !== undefined
      ? openStoreForReading({
          table: options.table,
          ...(options.store !== undefined ? { store: options.store } : {}),
        }).store
      : openEmbeddedStore({ path: options.store ?? defaultStorePath() });
  if (store === undefined) throw new UsageError(`--table ${options.table ?? ''}: no store`);
  // The handler's Powertools, quiet on a terminal: warnings and errors only (stderr), no EMF
  // metrics on stdout (Powertools' documented switch, read when Metrics is built), no X-Ray.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  let starter: InProcessScanStarter | undefined;
  try {
    starter = options.startScans === false ? undefined : localScanStarter(store, ctx);
  } catch (err) {
    await store.close();
    // SCAN_* / RUNNER_* variables the local scans would use: one line per bad one
    if (err instanceof HandlerConfigError) throw new UsageError(err.problems.join('; '), { cause: err });
    throw err;
  }
  const handler = createApiHandler({
    store,
    ...(starter !== undefined ? { startScan: starter.start } : {}),
    logger: new Logger({ serviceName: 'fleet-dns-serve', logLevel: 'WARN' }),
    metrics: new Metrics({ serviceName: 'fleet-dns-serve', namespace: 'fleet-dns' }),
    tracer: new Tracer({ serviceName: 'fleet-dns-serve', enabled: false }),
  });
  let bound = port;
  const server = createServer(
    apiRequestListener(
      handler,
      () => bound,
      (err) =>
        ctx.printTextToStderr(`fleet-dns: error: ${err instanceof Error ? err.message : String(err)}\n`),
    ),
  );
  try {
    bound = await listen(server, port);
  } catch (err) {
    await store.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: already in use`, { cause: err });
    if (code === 'EACCES') throw new UsageError(`--port ${port}: not permitted`, { cause: err });
    throw err;
  }
  ctx.printTextToStderr(`listening on http://${SERVE_HOST}:${bound}\n`);
  onListening?.(bound);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  // a scan POST /scans started: its runners stopped and deleted, what it collected stored
  await starter?.stop();
  await store.close();
  ctx.setExit(EXIT.OK);
}

/** Registers `serve` on the program. */
export const serveCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  program
    .command('serve')
    .description(
      'Serve the fleet API (the deployed API\'s endpoints) on 127.0.0.1 over the results store; prints "listening on http://127.0.0.1:PORT" on stderr, stops on Ctrl-C or SIGTERM.',
    )
    .option('--port <n>', 'the port on 127.0.0.1 (0: any free port)', String(DEFAULT_PORT))
    .option('--store <path>', `the embedded results store (default: ${defaultStorePath()})`)
    .option('--table <name>', 'a DynamoDB results table instead of the embedded store')
    .action((options: ServeOptions) => serve(options, ctx));
};
