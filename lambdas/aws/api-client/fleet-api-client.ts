/**
 * A client of a deployed fleet-dns API (API Gateway, IAM auth; conventions.md § API): GET
 * requests signed with SigV4 (service `execute-api`) from the default credential chain, over
 * HTTPS — plain HTTP only to loopback, where `fleet-dns serve` listens. Bounded: a connect
 * timeout, a whole-request timeout, a response size limit, and retries of 429/5xx with backoff
 * that honours `Retry-After` (the core's retry loop).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { attemptWithRetries, transientFaultOf } from '../../core/retry/index.js';
import type { AttemptOutcome, RetrySettings, TransientFault } from '../../core/retry/index.js';
import { AwsAdapterError } from '../errors.js';

/** Hosts plain HTTP is allowed to: this machine only (`fleet-dns serve`). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** `<api-id>.execute-api.<region>.amazonaws.com[.cn]`: the region is in the host. */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;
/** Statuses API Gateway answers while a backend recovers, besides the core's 429/500/503. */
const GATEWAY_RETRY_STATUSES: ReadonlySet<number> = new Set([502, 504]);

/** A failure talking to the fleet-dns API. */
export class FleetApiError extends AwsAdapterError {
  override readonly name: string = 'FleetApiError';
}

/** The API's URL is unusable (malformed, plain HTTP to a non-loopback host, no region). */
export class FleetApiUrlError extends FleetApiError {
  override readonly name = 'FleetApiUrlError';
}

/** The API could not be reached or did not answer in time (no HTTP answer). */
export class FleetApiUnreachableError extends FleetApiError {
  override readonly name = 'FleetApiUnreachableError';
  constructor(
    /** the URL asked for */
    readonly url: string,
    /** `ECONNREFUSED`, `ENOTFOUND`, `ConnectTimeout`, `RequestTimeout` … */
    readonly code: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the fleet-dns API at ${url} could not be reached: ${code}${detail ? ` (${detail})` : ''}`,
      options,
    );
  }
}

/** The API answered with an error status (after retries, for 429/5xx). */
export class FleetApiStatusError extends FleetApiError {
  override readonly name = 'FleetApiStatusError';
  constructor(
    readonly status: number,
    /** the API's `error.code`, else `HTTP <status>` */
    readonly code: string,
    /** the API's (or API Gateway's) message */
    readonly apiMessage: string,
    /** `GET /path` */
    readonly request: string,
  ) {
    super(`${request}: HTTP ${status} ${code}: ${apiMessage}`);
  }
}

/** The answer is not what the API documents (too large, not JSON, wrong shape). */
export class FleetApiResponseError extends FleetApiError {
  override readonly name = 'FleetApiResponseError';
}

export interface FleetApiClientOptions {
  /** the API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/prod` */
  readonly baseUrl: string;
  /**
   * the signing region when the host does not name one
   * @default AWS_REGION, else AWS_DEFAULT_REGION
   */
  readonly region?: string;
  /** @default fromNodeProviderChain() */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** a TCP connection not made within this fails @default 5000 */
  readonly connectTimeoutMs?: number;
  /** one attempt not answered completely within this fails @default 30000 */
  readonly requestTimeoutMs?: number;
  /** a larger response body fails @default 64 MiB */
  readonly maxResponseBytes?: number;
  /** @default the core's policy (5 attempts, `Retry-After` honoured up to 10 s) */
  readonly retry?: RetrySettings;
}

/** What one attempt got back. */
interface RawResponse {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly contentType: string;
  readonly body: Buffer;
}

/** The API's base URL, checked: https, or http to loopback; no query, fragment or user info. */
export function parseApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FleetApiUrlError(
      `${JSON.stringify(text)} is not a URL (e.g. https://ID.execute-api.REGION.amazonaws.com/STAGE)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new FleetApiUrlError(`${JSON.stringify(text)}: expected an https:// URL`);
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    throw new FleetApiUrlError(
      `${JSON.stringify(text)}: plain http is allowed only to 127.0.0.1 or localhost; use https://`,
    );
  if (url.username !== '' || url.password !== '')
    throw new FleetApiUrlError(
      `${JSON.stringify(text)}: no user or password in the URL (the request is signed)`,
    );
  if (url.search !== '' || url.hash !== '')
    throw new FleetApiUrlError(`${JSON.stringify(text)}: expected the API's base URL, without ? or #`);
  return url;
}

/** The signing region: the one in an execute-api host, else the option, else the environment. */
export function signingRegionOf(url: URL, region: string | undefined): string {
  const fromHost = EXECUTE_API_HOST.exec(url.hostname)?.[1];
  const chosen = fromHost ?? region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (chosen === undefined || chosen === '')
    throw new FleetApiUrlError(
      `cannot tell the API's region from ${url.host}: give --region or set AWS_REGION`,
    );
  return chosen;
}

/** `encodeURIComponent` plus the characters RFC 3986 reserves that it leaves alone. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The message of an error body: the API's `{ error: { code, message } }` or API Gateway's `{ message }`. */
function errorOf(body: Buffer, status: number): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      error?: { code?: unknown; message?: unknown };
      message?: unknown;
      Message?: unknown;
    };
    if (typeof parsed.error?.message === 'string')
      return {
        code: typeof parsed.error.code === 'string' ? parsed.error.code : `HTTP ${status}`,
        message: parsed.error.message,
      };
    const message = parsed.message ?? parsed.Message;
    if (typeof message === 'string') return { code: `HTTP ${status}`, message };
  } catch {
    // not JSON: the text itself, shortened
  }
  const text = body.toString('utf8').trim().slice(0, 200);
  return { code: `HTTP ${status}`, message: text === '' ? 'no message' : text };
}

/** A GET client of one fleet-dns API. */
export class FleetApiClient {
  readonly baseUrl: URL;
  readonly region: string;
  private readonly signer: SignatureV4;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: RetrySettings;

  /** @throws FleetApiUrlError for an unusable base URL or no region */
  constructor(options: FleetApiClientOptions) {
    this.baseUrl = parseApiUrl(options.baseUrl);
    this.region = signingRegionOf(this.baseUrl, options.region);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: this.region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.retry = options.retry ?? {};
  }

  /**
   * GET `path` (segments already %-encoded) with `query`, answered JSON.
   *
   * @throws FleetApiStatusError for an error status, FleetApiUnreachableError without an answer,
   *   FleetApiResponseError for an answer that is not JSON or too large; the credential chain's
   *   own error when it finds no credentials
   */
  async getJson(path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<unknown> {
    const response = await this.get(path, query);
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch (err) {
      throw new FleetApiResponseError(
        `GET ${path}: the answer is not JSON (${response.contentType || 'no content type'})`,
        {
          cause: err,
        },
      );
    }
  }

  private async get(path: string, query: Readonly<Record<string, string | undefined>>): Promise<RawResponse> {
    const defined: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) defined[k] = v;
    const fullPath = `${this.baseUrl.pathname.replace(/\/+$/, '')}${path}`;
    const attempted = await attemptWithRetries(() => this.attempt(fullPath, defined), {
      ...this.retry,
      faultOf: (outcome: AttemptOutcome<RawResponse>): TransientFault | undefined => {
        if (!outcome.ok) {
          const e = outcome.error as NodeJS.ErrnoException;
          return transientFaultOf({ ...(e.code !== undefined && { code: e.code }), message: e.message });
        }
        const { status, retryAfter } = outcome.value;
        if (GATEWAY_RETRY_STATUSES.has(status)) return { kind: 'status', status };
        return transientFaultOf({ status, ...(retryAfter !== undefined && { retryAfter }) });
      },
    });
    const url = `${this.baseUrl.origin}${fullPath}`;
    if (!attempted.ok) throw this.transportError(url, attempted.error);
    const response = attempted.value;
    if (response.status >= 200 && response.status < 300) return response;
    const { code, message } = errorOf(response.body, response.status);
    throw new FleetApiStatusError(response.status, code, message, `GET ${fullPath}`);
  }

  private transportError(url: string, err: unknown): Error {
    if (err instanceof FleetApiError) return err;
    const e = err as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
      // our own timeouts say `CODE: why`; node's `connect ECONNREFUSED 127.0.0.1:443` adds nothing to the URL
      const detail = e.message.startsWith(`${e.code}: `)
        ? e.message.slice(e.code.length + 2)
        : e.message.includes(e.code)
          ? ''
          : e.message;
      return new FleetApiUnreachableError(url, e.code, detail, { cause: err });
    }
    // anything else (the credential chain's errors, a bug) as it is
    return err instanceof Error ? err : new Error(String(err));
  }

  /** One signed attempt; resolves any HTTP answer, rejects without one. */
  private async attempt(path: string, query: Record<string, string>): Promise<RawResponse> {
    const { hostname, port, protocol, host } = this.baseUrl;
    const unsigned = new HttpRequest({
      method: 'GET',
      protocol,
      hostname,
      ...(port !== '' && { port: Number(port) }),
      path,
      query,
      headers: { host, accept: 'application/json' },
    });
    const signed = await this.signer.sign(unsigned);
    // Spelled as SigV4 canonicalises it (RFC 3986, %20 not +), so the server's canonical query is ours.
    const search = Object.keys(query)
      .sort()
      .map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`)
      .join('&');
    const url = new URL(`${protocol}//${host}${path}${search ? `?${search}` : ''}`);
    return this.send(url, signed.headers);
  }

  private send(url: URL, headers: Record<string, string>): Promise<RawResponse> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<RawResponse>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const done = () => timers.forEach(clearTimeout);
      const fail = (code: string, detail: string) => Object.assign(new Error(`${code}: ${detail}`), { code });
      const req = request(url, { method: 'GET', headers, agent: false });
      timers.push(
        setTimeout(
          () => req.destroy(fail('ETIMEDOUT', `no complete answer within ${this.requestTimeoutMs} ms`)),
          this.requestTimeoutMs,
        ),
      );
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connect = setTimeout(
          () => req.destroy(fail('ETIMEDOUT', `no connection within ${this.connectTimeoutMs} ms`)),
          this.connectTimeoutMs,
        );
        timers.push(connect);
        socket.once('connect', () => clearTimeout(connect));
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const tooLarge = () =>
          new FleetApiResponseError(
            `GET ${url.pathname}: the answer is larger than ${this.maxResponseBytes} bytes`,
          );
        if (Number(res.headers['content-length'] ?? 0) > this.maxResponseBytes) {
          done();
          req.destroy();
          reject(tooLarge());
          return;
        }
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            done();
            req.destroy();
            reject(tooLarge());
          } else chunks.push(chunk);
        });
        res.on('end', () => {
          done();
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', (err) => {
          done();
          reject(err);
        });
      });
      req.on('error', (err) => {
        done();
        reject(err);
      });
      req.end();
    });
  }
}
